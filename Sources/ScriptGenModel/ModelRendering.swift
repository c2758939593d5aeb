/// Cut-offs that keep a rendered machine readable however large it is.
public struct RenderingOptions: Hashable, Sendable {
    public static let defaultPreviewBytes = 48
    public static let defaultMaxRepliesPerState = 4

    /// States deeper than this (in edges from the root) are not shown; nil shows all.
    public var maxDepth: Int?
    /// Edges taken by fewer conversations are hidden (and counted in a note).
    public var minWeight: Int
    /// Payload bytes shown per preview before it is cut with a `(+N bytes)` note.
    public var previewBytes: Int
    /// Distinct replies listed per state; the rest are summarised.
    public var maxRepliesPerState: Int

    public init(
        maxDepth: Int? = nil, minWeight: Int = 1,
        previewBytes: Int = RenderingOptions.defaultPreviewBytes,
        maxRepliesPerState: Int = RenderingOptions.defaultMaxRepliesPerState
    ) {
        self.maxDepth = maxDepth
        self.minWeight = minWeight
        self.previewBytes = previewBytes
        self.maxRepliesPerState = maxRepliesPerState
    }
}

/// Text views of a model: the summary, an indented tree and Graphviz DOT. Pure functions of
/// the model (no I/O), so the CLI prints them and tests compare them with golden strings.
public enum ModelRendering {
    // MARK: Previews

    /// Bytes as readable text: mostly-printable data as a quoted string with `\r`, `\n`, `\t`,
    /// `\\`, `\"` and `\xNN` escapes, anything else as hex; at most `limit` bytes shown.
    /// Always plain ASCII, so attacker bytes cannot drive the terminal.
    public static func preview(_ bytes: [UInt8], limit: Int = RenderingOptions.defaultPreviewBytes) -> String {
        let printable = bytes.reduce(0) { count, byte in
            count + ((0x20...0x7E).contains(byte) || byte == 0x0D || byte == 0x0A || byte == 0x09 ? 1 : 0)
        }
        let isText = printable * 10 >= bytes.count * 9
        let shownCount = isText ? min(bytes.count, max(1, limit)) : min(bytes.count, max(1, limit / 3))
        let shown = bytes.prefix(shownCount)
        var text: String
        if isText {
            text = "\""
            for byte in shown {
                switch byte {
                case 0x0D: text += "\\r"
                case 0x0A: text += "\\n"
                case 0x09: text += "\\t"
                case UInt8(ascii: "\\"): text += "\\\\"
                case UInt8(ascii: "\""): text += "\\\""
                case 0x20...0x7E: text.unicodeScalars.append(UnicodeScalar(byte))
                default: text += "\\x" + hex(byte)
                }
            }
            text += "\""
        } else {
            text = "hex " + shown.map(hex).joined(separator: " ")
        }
        if shownCount < bytes.count { text += " ...(+\(bytes.count - shownCount) bytes)" }
        return text
    }

    /// A pattern's fixed parts previewed in order, its variable parts as `<var 3-12 bytes>`.
    public static func preview(_ pattern: Pattern, limit: Int = RenderingOptions.defaultPreviewBytes) -> String {
        if pattern.elements.isEmpty { return "<empty>" }
        return pattern.elements.map { element in
            switch element {
            case .fixed(let bytes): preview(bytes, limit: limit)
            case .variable(let min, let max): min == max ? "<var \(min) bytes>" : "<var \(min)-\(max) bytes>"
            }
        }.joined(separator: " ")
    }

    /// A reply's messages joined by ` + `; `<silence>` for none.
    public static func preview(_ reply: Reply, limit: Int = RenderingOptions.defaultPreviewBytes) -> String {
        if reply.messages.isEmpty { return "<silence>" }
        let shownMessages = 3
        var parts = reply.messages.prefix(shownMessages).map { preview($0, limit: limit) }
        if reply.messages.count > shownMessages { parts.append("(\(reply.messages.count - shownMessages) more messages)") }
        return parts.joined(separator: " + ")
    }

    /// An observed reply: its messages as `preview(_: Reply)` shows them, each field in place
    /// of its bytes (`<copy request[0..<2]>`).
    public static func preview(_ observed: ObservedReply, limit: Int = RenderingOptions.defaultPreviewBytes) -> String {
        guard !observed.fields.isEmpty else { return preview(observed.reply, limit: limit) }
        let shownMessages = 3
        var parts: [String] = []
        for (index, message) in observed.reply.messages.prefix(shownMessages).enumerated() {
            var pieces: [String] = []
            var next = 0
            for field in observed.fields where field.message == index {
                if field.offset > next { pieces.append(preview(Array(message[next..<field.offset]), limit: limit)) }
                pieces.append(describe(field))
                next = field.offset + field.length
            }
            if next < message.count || pieces.isEmpty { pieces.append(preview(Array(message[next...]), limit: limit)) }
            parts.append(pieces.joined(separator: " "))
        }
        let messages = observed.reply.messages.count
        if messages > shownMessages { parts.append("(\(messages - shownMessages) more messages)") }
        return parts.joined(separator: " + ")
    }

    /// `<copy request[4..<6]>`, `<time %a, %d %b %Y %H:%M:%S %z>`, `<counter u32le from 42>`,
    /// `<random 20 printable>`.
    public static func describe(_ field: ReplyField) -> String {
        switch field.source {
        case .request(let offset): "<copy request[\(offset)..<\(offset + field.length)]>"
        case .requestText(let after, let until):
            "<copy request text after \(preview(after, limit: 16))\(until.map { " until \(preview([$0], limit: 4))" } ?? "")>"
        case .clientAddress: "<client address>"
        case .length(let encoding, let spanStart): "<length \(encoding.name) of \(spanStart)..>"
        case .time(let format): "<time \(format.name)>"
        case .counter(let encoding, let next): "<counter \(encoding.name) from \(next)>"
        case .random(let alphabet): "<random \(field.length) \(alphabet.rawValue)>"
        }
    }

    /// `1 edge`, `2 edges`.
    private static func count(_ number: Int, _ noun: String, plural: String? = nil) -> String {
        number == 1 ? "1 \(noun)" : "\(number) \(plural ?? noun + "s")"
    }

    private static func hex(_ byte: UInt8) -> String {
        let digits = Array("0123456789abcdef".unicodeScalars)
        return String(digits[Int(byte >> 4)]) + String(digits[Int(byte & 0x0F)])
    }

    // MARK: Summary

    /// The model at a glance: format, parameters, provenance, and one row per machine.
    public static func summary(of model: ModelFile) -> String {
        var lines = ["model format \(model.formatVersion), written by scriptgen \(model.toolVersion)"]
        let parameters = model.parameters.sortedNames.map { "\($0)=\(model.parameters.values[$0]!)" }
        lines.append("parameters: " + (parameters.isEmpty ? "none recorded" : parameters.joined(separator: " ")))
        let provenance = model.provenance
        let files = provenance.captures.count == 1 ? "1 capture" : "\(provenance.captures.count) captures"
        lines.append("\(files), \(provenance.conversationsRead) conversations read, \(provenance.conversationsUsed) used")
        for capture in provenance.captures {
            var line = "  \(capture.name): \(capture.sizeBytes) bytes, sha256 \(capture.sha256), \(capture.conversations) conversations"
            if let first = capture.firstPacketTime, let last = capture.lastPacketTime {
                line += ", \(ModelTime.format(nanoseconds: first)) to \(ModelTime.format(nanoseconds: last))"
            }
            lines.append(line)
        }
        lines.append(model.machines.count == 1 ? "1 machine:" : "\(model.machines.count) machines:")
        var rows = [["machine", "conversations", "states", "edges", "depth", "max fan-out", "cut", "cut by fan-out", "cut by states", "with gaps", "empty"]]
        for machine in model.machines {
            let statistics = machine.statistics
            var row = ["\(machine.transport.rawValue)/\(machine.port)", "\(machine.conversations)", "\(statistics.states)",
                       "\(statistics.edges)", "\(statistics.depth)", "\(statistics.largestFanout)", "\(statistics.cutRequests)"]
            if let report = model.buildReport(transport: machine.transport, port: machine.port) {
                row += ["\(report.requestsCutByFanout)", "\(report.pathsCutByStateLimit)", "\(report.conversationsWithGaps)", "\(report.emptyConversations)"]
            } else {
                row += ["-", "-", "-", "-"]
            }
            rows.append(row)
        }
        lines += table(rows).map { "  " + $0 }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Columns padded to their widest cell: the first left-aligned, numbers right-aligned.
    private static func table(_ rows: [[String]]) -> [String] {
        guard let columns = rows.first?.count else { return [] }
        let widths = (0..<columns).map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { column, cell in
                let padding = String(repeating: " ", count: widths[column] - cell.count)
                return column == 0 ? cell + padding : padding + cell
            }.joined(separator: "  ")
        }
    }

    // MARK: Tree

    /// The machine as an indented tree from the root: each edge with its weight and request
    /// preview, each state with its replies and counts. States reached again (a simplified
    /// machine can merge paths) are referenced, not repeated.
    public static func tree(of machine: StateMachine, options: RenderingOptions = RenderingOptions()) -> String {
        let statistics = machine.statistics
        var lines = ["\(machine.transport.rawValue)/\(machine.port): \(count(machine.conversations, "conversation")), "
            + "\(count(statistics.states, "state")), \(count(statistics.edges, "edge")), depth \(statistics.depth)"]
        guard !machine.states.isEmpty else { return lines.joined(separator: "\n") + "\n" }

        enum Item {
            case edge(Edge, targetDepth: Int, indent: Int)
        }
        var shown: Set<StateID> = [StateMachine.root]
        var stack = [Item]()

        func pad(_ indent: Int) -> String { String(repeating: "  ", count: indent) }
        func visits(_ state: State) -> String { "\(count(state.visits, "visit")), \(count(state.endings, "ending"))" + closes(state) }
        /// The state's replies and notes, then its visible edges pushed for later.
        func expand(_ id: StateID, depth: Int, indent: Int) {
            let state = machine.states[id]
            for observed in state.replies.prefix(max(0, options.maxRepliesPerState)) {
                lines.append(pad(indent) + "reply \(observed.count)x \(preview(observed, limit: options.previewBytes))")
            }
            let moreReplies = state.replies.dropFirst(max(0, options.maxRepliesPerState))
            if !moreReplies.isEmpty {
                lines.append(pad(indent) + "(\(count(moreReplies.count, "more reply", plural: "more replies")), \(count(moreReplies.reduce(0) { $0.addingSaturating($1.count) }, "time")))")
            }
            if state.cutRequests > 0 {
                lines.append(pad(indent) + "(\(count(state.cutRequests, "request")) cut by the fan-out or state limit)")
            }
            guard !state.edges.isEmpty else { return }
            if let maxDepth = options.maxDepth, depth >= maxDepth {
                lines.append(pad(indent) + "(\(count(state.edges.count, "edge")) below depth \(maxDepth) not shown)")
                return
            }
            let visible = state.edges.filter { $0.weight >= options.minWeight }
            let hidden = state.edges.count - visible.count
            if hidden > 0 {
                let hiddenWeight = state.edges.reduce(0) { $0.addingSaturating($1.weight < options.minWeight ? $1.weight : 0) }
                lines.append(pad(indent) + "(\(count(hidden, "edge")) with weight below \(options.minWeight) hidden, total weight \(hiddenWeight))")
            }
            for edge in visible.reversed() {
                stack.append(.edge(edge, targetDepth: depth + 1, indent: indent))
            }
        }

        lines.append("state 0: \(visits(machine.states[StateMachine.root]))")
        expand(StateMachine.root, depth: 0, indent: 1)
        while let item = stack.popLast() {
            guard case .edge(let edge, let depth, let indent) = item else { continue }
            var line = pad(indent) + "\(preview(edge.pattern, limit: options.previewBytes)) (weight \(edge.weight)) -> state \(edge.target)"
            guard machine.states.indices.contains(edge.target) else {
                lines.append(line + " (missing: the machine has no such state)")
                continue
            }
            if shown.contains(edge.target) {
                lines.append(line + " (shown above)")
                continue
            }
            shown.insert(edge.target)
            line += ": \(visits(machine.states[edge.target]))"
            lines.append(line)
            expand(edge.target, depth: depth, indent: indent + 1)
        }
        return lines.joined(separator: "\n") + "\n"
    }

    // MARK: DOT

    /// The machine as a Graphviz digraph (`dot -Tsvg`), with the same cut-offs as the tree.
    public static func dot(of machine: StateMachine, options: RenderingOptions = RenderingOptions()) -> String {
        let name = "\(machine.transport.rawValue)/\(machine.port)"
        var lines = [
            "digraph \(dotString(name)) {",
            "  rankdir=LR;",
            "  node [shape=box, fontname=\"monospace\", fontsize=10];",
            "  edge [fontname=\"monospace\", fontsize=9];",
        ]
        guard !machine.states.isEmpty else { return (lines + ["}"]).joined(separator: "\n") + "\n" }
        var depthOf: [StateID: Int] = [StateMachine.root: 0]
        var queue = [StateMachine.root]
        var next = 0
        var edgeLines = [String]()
        // A table of edges shared by several states (a merged context) is drawn once; the
        // others point at the state that has it.
        var drawnTables: [[Edge]: StateID] = [:]
        // Breadth-first, so each state is drawn once at its shallowest depth.
        while next < queue.count {
            let id = queue[next]
            next += 1
            let state = machine.states[id]
            let depth = depthOf[id]!
            var label = ["state \(id)\(id == StateMachine.root ? " (root)" : ""): \(count(state.visits, "visit")), \(count(state.endings, "ending"))" + closes(state)]
            for observed in state.replies.prefix(max(0, options.maxRepliesPerState)) {
                label.append("\(observed.count)x \(preview(observed, limit: options.previewBytes))")
            }
            if state.replies.count > options.maxRepliesPerState {
                label.append("(\(count(state.replies.count - max(0, options.maxRepliesPerState), "more reply", plural: "more replies")))")
            }
            if state.cutRequests > 0 { label.append("(\(count(state.cutRequests, "request")) cut)") }
            if let maxDepth = options.maxDepth, depth >= maxDepth, !state.edges.isEmpty {
                label.append("(\(count(state.edges.count, "edge")) not shown)")
            } else if state.edges.count > 1, let owner = drawnTables[state.edges] {
                label.append("(the \(count(state.edges.count, "edge")) of state \(owner))")
                edgeLines.append("  s\(id) -> s\(owner) [style=dashed, arrowhead=empty, label=\"same edges\"];")
            } else {
                if state.edges.count > 1 { drawnTables[state.edges] = id }
                let hidden = state.edges.filter { $0.weight < options.minWeight }.count
                if hidden > 0 { label.append("(\(count(hidden, "edge")) with weight below \(options.minWeight) hidden)") }
                // An edge to a missing state (an invalid in-memory machine) is drawn to nothing.
                for edge in state.edges where edge.weight >= options.minWeight && machine.states.indices.contains(edge.target) {
                    if depthOf[edge.target] == nil {
                        depthOf[edge.target] = depth + 1
                        queue.append(edge.target)
                    }
                    let width = 1 + min(4, max(0, Int.bitWidth - edge.weight.leadingZeroBitCount - 1))
                    let edgeLabel = "\(preview(edge.pattern, limit: options.previewBytes)) (\(edge.weight))"
                    edgeLines.append("  s\(id) -> s\(edge.target) [label=\(dotString(edgeLabel)), penwidth=\(width)];")
                }
            }
            // A doubled border (an automaton's final state) where the server closed after more
            // than half of the visits: where the emulator closes by default.
            let border = state.serverCloses > 0 && state.serverCloses > state.visits / 2 ? ", peripheries=2" : ""
            lines.append("  s\(id) [label=\(dotString(label.joined(separator: "\n") + "\n", lineBreak: "\\l"))\(border)];")
        }
        return (lines + edgeLines + ["}"]).joined(separator: "\n") + "\n"
    }

    /// `, closes N/M` when the server closed the connection right after this state's reply in N
    /// of its M visits (`State.serverCloses`); nothing when it never did.
    private static func closes(_ state: State) -> String {
        state.serverCloses > 0 ? ", closes \(state.serverCloses)/\(state.visits)" : ""
    }

    /// A DOT double-quoted string; previews are ASCII, so only `\` and `"` need escaping.
    /// Newlines become `lineBreak` (`\l` ends a left-aligned line in a label).
    private static func dotString(_ text: String, lineBreak: String = "\\n") -> String {
        var result = "\""
        for character in text {
            switch character {
            case "\\": result += "\\\\"
            case "\"": result += "\\\""
            case "\n": result += lineBreak
            default: result.append(character)
            }
        }
        return result + "\""
    }
}
