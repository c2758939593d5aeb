import ScriptGenAlignment
import ScriptGenEmulation
import ScriptGenModel

/// One edge of a simplified state while it is made: its pattern and the distinct requests
/// (indices into the state's request list) that follow it.
struct FinalCluster: Hashable, Sendable {
    var pattern: Pattern
    var members: [Int]
}

/// What generalising one state's requests did (added into the machine's report).
struct GeneralisationTally: Sendable {
    var macroclusters = 0
    var microclusterSplits = 0
    var leadingTokenSplits = 0
    var sampled = 0
    var assigned = 0
    var widened = 0
    var keptExact = 0
}

/// Generalises the distinct requests leaving one (merged) state into final clusters:
/// macroclustering, then per cluster a progressive multiple alignment, Region Analysis and
/// microclustering, recursively, and one pattern per final cluster (docs/simplifier.md).
struct EdgeGeneraliser {
    let options: SimplifierOptions
    let requests: [[UInt8]]
    /// Conversations per distinct request.
    let weights: [Int]
    /// Deepest recursion of splits; each split makes strictly smaller parts, so this only
    /// guards against pathological inputs.
    static let maxSplitDepth = 16

    var tally = GeneralisationTally()

    init(options: SimplifierOptions, requests: [[UInt8]], weights: [Int]) {
        self.options = options
        self.requests = requests
        self.weights = weights
    }

    mutating func generalise(threshold: Double, microclustering: Bool) -> [FinalCluster] {
        tally = GeneralisationTally()
        guard !requests.isEmpty else { return [] }
        var finals: [FinalCluster] = []
        // Per macrocluster: its requests outside the aligned sample and the range of its finals.
        var unaligned: [(requests: [Int], finals: Range<Int>)] = []
        func cluster(_ subset: [Int], threshold: Double) {
            if subset.count == 1 {
                // One distinct request: nothing to align (most deep states of a prefix tree).
                tally.macroclusters += 1
                tally.sampled += 1
                finals.append(FinalCluster(pattern: .exact(requests[subset[0]]), members: subset))
                return
            }
            let clustering = Clusterer(options: options.clusteringOptions(threshold: threshold))
                .cluster(subset.map { requests[$0] }, weights: subset.map { Double(weights[$0]) })
            tally.macroclusters += clustering.clusters.count
            tally.sampled += clustering.sampledCount
            tally.assigned += clustering.assignedCount
            for cluster in clustering.clusters {
                let start = finals.count
                finals += refine(members: cluster.alignedMembers.map { subset[$0] }, tree: cluster.guideTree, depth: 0, microclustering: microclustering)
                unaligned.append((cluster.unalignedMembers.map { subset[$0] }, start..<finals.count))
            }
        }
        let (tokenGroups, rest) = microclustering ? leadingTokenGroups() : ([], Array(requests.indices))
        for group in tokenGroups { cluster(group, threshold: 1) }
        if !rest.isEmpty { cluster(rest, threshold: threshold) }

        // Requests outside the aligned sample: the preferred final pattern that matches them,
        // else the closest final of their own macrocluster widened to fit, else exact.
        var compiled = finals.map { CompiledPattern($0.pattern) }
        for (members, own) in unaligned {
            for request in members {
                let bytes = requests[request]
                var best: Int?
                for index in finals.indices where compiled[index].matches(bytes) {
                    if best.map({ compiled[index].fixedByteCount > compiled[$0].fixedByteCount }) ?? true { best = index }
                }
                if let best {
                    finals[best].members.append(request)
                    continue
                }
                let closest = own.max { compiled[$0].similarity(to: bytes) < compiled[$1].similarity(to: bytes) }
                if let closest, let widened = Self.widened(finals[closest].pattern, toFit: bytes) {
                    finals[closest].pattern = widened
                    compiled[closest] = CompiledPattern(widened)
                    finals[closest].members.append(request)
                    tally.widened += 1
                } else {
                    finals.append(FinalCluster(pattern: .exact(bytes), members: [request]))
                    compiled.append(CompiledPattern(finals[finals.count - 1].pattern))
                    tally.keptExact += 1
                }
            }
        }
        for index in finals.indices { finals[index].members.sort() }
        return finals
    }

    /// Text requests and RESP arrays grouped by leading token (the bytes before the first
    /// space, tab, CR or LF; a RESP array's command): a text protocol's first word is its command, so `PASS secret` and
    /// `PASS ftp@example.com` are one group although their alignment distance is large. Only
    /// when the text requests have at most `maxLeadingTokens` distinct tokens; everything else
    /// (binary requests, or all requests when there are more tokens) is the rest, which PI
    /// macroclustering groups. Groups in order of first request.
    private func leadingTokenGroups() -> (groups: [[Int]], rest: [Int]) {
        var groupOf: [[UInt8]: Int] = [:]
        var groups: [[Int]] = []
        var rest: [Int] = []
        for (index, request) in requests.enumerated() {
            // A RESP array is framed by its lengths: its values may hold any byte.
            guard !request.isEmpty, request.allSatisfy(DataClass.isText) || Self.respCommand(request) != nil else {
                rest.append(index)
                continue
            }
            let token = Self.leadingToken(request)
            if let group = groupOf[token] {
                groups[group].append(index)
            } else {
                groupOf[token] = groups.count
                groups.append([index])
            }
        }
        if groups.count > options.maxLeadingTokens { return ([], Array(requests.indices)) }
        return (groups, rest)
    }

    /// A text request's command word: the bytes before the first space, tab, CR or LF, except
    /// for a RESP array (`*<digits>\r\n$<digits>\r\nCMD\r\n...`, what redis-cli sends),
    /// whose first word is its argument count: there the token is the first bulk string, then
    /// a space and the array header (`PING *2`). Case is kept: Redis reads `ping` as `PING`,
    /// but a pattern's fixed bytes match one spelling, so each spelling is its own group. The arity keeps one shape per
    /// group: `INFO` and `INFO server` in one group give a pattern whose optional tail lets the
    /// emulator complete `*2\r\n$4\r\nINFO\r\n` before its argument arrives; and the header
    /// keeps inline `PING\r\n` apart from the array form. A message of several arrays (a
    /// pipeline) gets ` +` appended: its shape is not one command's.
    static func leadingToken(_ request: [UInt8]) -> [UInt8] {
        if let command = respCommand(request) { return command }
        return Array(request.prefix { ![0x20, 0x09, 0x0D, 0x0A].contains($0) })
    }

    /// The leading token of a RESP array request: its first bulk string (the bytes after the
    /// second CRLF up to the next CR, or the end), a space, and the array header
    /// without its CRLF. Nil unless the request starts with `*<digits>\r\n$<digits>\r\n`.
    static func respCommand(_ request: [UInt8]) -> [UInt8]? {
        var index = request.startIndex
        func header(_ marker: UInt8) -> Bool {
            guard index < request.endIndex, request[index] == marker else { return false }
            index += 1
            let digitsStart = index
            while index < request.endIndex, (0x30...0x39).contains(request[index]) { index += 1 }
            guard index > digitsStart, index + 1 < request.endIndex,
                  request[index] == 0x0D, request[index + 1] == 0x0A else { return false }
            index += 2
            return true
        }
        guard header(0x2A), header(0x24) else { return nil }
        let command = request[index...].prefix { $0 != 0x0D }
        var token = Array(command) + [0x20] + request.prefix { $0 != 0x0D }
        // Several arrays in one message (a pipeline) are not shaped like one: a group of their own.
        if case .complete(let length, _) = RespArrayFrame.parse(request), length < request.count { token += Array(" +".utf8) }
        return token
    }

    /// The final clusters of one macrocluster (or part), given its members (request indices,
    /// ascending) and guide tree (leaf i is `members[i]`).
    private mutating func refine(members: [Int], tree: UPGMATree, depth: Int, microclustering: Bool) -> [FinalCluster] {
        if members.count < max(2, options.minRequestsToGeneralise) {
            return members.map { FinalCluster(pattern: .exact(requests[$0]), members: [$0]) }
        }
        let sequences = members.map { requests[$0] }
        if microclustering && depth < Self.maxSplitDepth {
            if let parts = leadingTokenParts(sequences) {
                tally.leadingTokenSplits += 1
                return parts.flatMap { part in
                    refine(members: part.map { members[$0] }, tree: tree.restricted(to: part), depth: depth + 1, microclustering: true)
                }
            }
        }
        // The bytes every request starts and ends with are fixed without aligning them: a
        // global alignment may pair a request's final "\r\n\r\n" with another's inner line
        // end, and a pattern that lost its terminator would let the emulator complete requests
        // early. Only the middles are aligned.
        // The suffix first: a terminator is worth more than a longer prefix.
        let suffix = Self.commonSuffix(sequences, keeping: 0)
        let prefix = Self.commonPrefix(sequences, keeping: suffix.count)
        let middles = sequences.map { Array($0[prefix.count..<($0.count - suffix.count)]) }
        let alignment = MultipleAlignment(
            sequences: middles, tree: tree, weights: members.map { Double(weights[$0]) })
        // `alignment.members` are leaf indices, ascending: row k is members[k].
        let analysis = RegionAnalysis(alignment: alignment)
        if microclustering && depth < Self.maxSplitDepth, let parts = microclusterParts(analysis, rows: alignment.rows, startOffset: prefix.count) {
            tally.microclusterSplits += 1
            return parts.flatMap { part in
                refine(members: part.map { members[$0] }, tree: tree.restricted(to: part), depth: depth + 1, microclustering: true)
            }
        }
        let builder = PatternBuilder(options: options)
        if options.respArguments, let pattern = RespPatterns.pattern(forArrays: sequences, builder: builder) {
            return [FinalCluster(pattern: pattern, members: members)]
        }
        guard let pattern = builder.pattern(prefix: prefix, regions: analysis.regions, suffix: suffix, rowCount: members.count) else {
            return members.map { FinalCluster(pattern: .exact(requests[$0]), members: [$0]) }
        }
        return [FinalCluster(pattern: pattern, members: members)]
    }

    /// Leading-token rule: a cluster of text requests whose first words (bytes before the first
    /// space, tab, CR or LF) take 2…`maxDistinctValues` values is split by that word, one part
    /// per word (most requests first, ties by bytes). Indices are positions in `sequences`.
    private func leadingTokenParts(_ sequences: [[UInt8]]) -> [[Int]]? {
        var partOf: [[UInt8]: Int] = [:]
        var parts: [(token: [UInt8], rows: [Int])] = []
        for (row, sequence) in sequences.enumerated() {
            guard sequence.allSatisfy(DataClass.isText) else { return nil }
            let token = Self.leadingToken(sequence)
            if let part = partOf[token] {
                parts[part].rows.append(row)
            } else {
                partOf[token] = parts.count
                parts.append((token, [row]))
                if parts.count > options.maxDistinctValues { return nil }
            }
        }
        guard parts.count >= 2 else { return nil }
        return Self.ordered(parts)
    }

    /// Microclustering. Candidates are the mutating regions that start within
    /// `microclusterWindow` bytes of the start of at least one request, and, inside binary
    /// regions there, each single column (a region of binary data often runs an opcode into
    /// neighbouring counters and ids, and only the opcode column has few values). A candidate
    /// qualifies when it has at most `maxDistinctValues` values, at least two of them frequent
    /// (each in at least `minValueRequests` distinct requests and `minValueShare` of them: one
    /// frequent value among rare ones is a default, not a command), and the frequent values
    /// cover `minValueCoverage` of the requests. The qualifying candidate with the most frequent
    /// values (ties: the leftmost, a region before its columns) splits the cluster: one part
    /// per frequent value, heaviest first, plus one part for the rest.
    private func microclusterParts(_ analysis: RegionAnalysis, rows: [[AlignedSymbol]], startOffset: Int) -> [[Int]]? {
        let rowCount = rows.count
        var best: (frequent: Int, parts: [[Int]])?
        func consider(_ values: [[UInt8]]) {
            guard let parts = qualifyingParts(values) else { return }
            let frequent = parts.count - (parts.last.map { partIsRest($0, values) } == true ? 1 : 0)
            if best.map({ frequent > $0.frequent }) ?? true { best = (frequent, parts) }
        }
        // Bytes of each row before the region (the common prefix, then the regions so far).
        var offset = [Int](repeating: startOffset, count: rowCount)
        for region in analysis.regions {
            defer {
                for row in 0..<rowCount { offset[row] += region.rowValues[row].count }
            }
            guard !region.isFixed, (offset.min() ?? 0) <= options.microclusterWindow else { continue }
            consider(region.rowValues)
            guard region.dataClass == .binary || region.dataClass == .zero else { continue }
            var columnOffset = offset
            for column in region.columns {
                guard (columnOffset.min() ?? 0) <= options.microclusterWindow else { break }
                consider(rows.map { $0[column].byte.map { [$0] } ?? [] })
                for row in 0..<rowCount where !rows[row][column].isGap { columnOffset[row] += 1 }
            }
        }
        return best?.parts
    }

    private func partIsRest(_ part: [Int], _ values: [[UInt8]]) -> Bool {
        part.contains { values[$0] != values[part[0]] }
            || Double(part.count) < max(Double(options.minValueRequests), options.minValueShare * Double(values.count))
    }

    /// The parts of a microclustering split on these row values, or nil when they do not qualify.
    private func qualifyingParts(_ values: [[UInt8]]) -> [[Int]]? {
        var partOf: [[UInt8]: Int] = [:]
        var groups: [(token: [UInt8], rows: [Int])] = []
        for (row, value) in values.enumerated() {
            if let group = partOf[value] {
                groups[group].rows.append(row)
            } else {
                partOf[value] = groups.count
                groups.append((value, [row]))
                if groups.count > options.maxDistinctValues { return nil }
            }
        }
        guard groups.count >= 2 else { return nil }
        let minimum = max(Double(options.minValueRequests), options.minValueShare * Double(values.count))
        let frequent = groups.filter { Double($0.rows.count) >= minimum }
        let covered = frequent.reduce(0) { $0 + $1.rows.count }
        guard frequent.count >= 2, Double(covered) >= options.minValueCoverage * Double(values.count) else { return nil }
        var parts = Self.ordered(frequent)
        let rest = groups.filter { Double($0.rows.count) < minimum }.flatMap(\.rows).sorted()
        if !rest.isEmpty { parts.append(rest) }
        return parts.count >= 2 ? parts : nil
    }

    /// Parts with most rows first, ties by their value's bytes.
    private static func ordered(_ groups: [(token: [UInt8], rows: [Int])]) -> [[Int]] {
        groups.sorted {
            $0.rows.count != $1.rows.count ? $0.rows.count > $1.rows.count : $0.token.lexicographicallyPrecedes($1.token)
        }.map(\.rows)
    }

    /// The longest common prefix that does not overlap the last `keeping` bytes of any sequence.
    static func commonPrefix(_ sequences: [[UInt8]], keeping: Int) -> [UInt8] {
        guard let first = sequences.first else { return [] }
        var length = (sequences.map(\.count).min() ?? 0) - keeping
        for sequence in sequences.dropFirst() {
            length = min(length, zip(first, sequence).prefix { $0 == $1 }.count)
        }
        return Array(first.prefix(max(0, length)))
    }

    /// The longest common suffix that does not overlap the first `keeping` bytes of any sequence.
    static func commonSuffix(_ sequences: [[UInt8]], keeping: Int) -> [UInt8] {
        guard let first = sequences.first else { return [] }
        var length = (sequences.map(\.count).min() ?? 0) - keeping
        for sequence in sequences.dropFirst() {
            let common = zip(first.reversed(), sequence.reversed()).prefix { $0 == $1 }.count
            length = min(length, common)
        }
        return Array(first.suffix(max(0, length)))
    }

    /// `pattern` with its gaps widened so that `bytes` match, when its fixed parts occur in
    /// order in `bytes` (first fixed part at the start and last at the end when the pattern is
    /// anchored there); nil otherwise. Greedy: each fixed part at its first occurrence, the
    /// last one at its last occurrence.
    static func widened(_ pattern: Pattern, toFit bytes: [UInt8]) -> Pattern? {
        var elements = pattern.elements
        var position = 0
        var pendingGap: Int?  // index of the gap element before the next fixed part
        for index in elements.indices {
            switch elements[index] {
            case .variable:
                pendingGap = index
            case .fixed(let fixed):
                let isLastFixed = !elements[(index + 1)...].contains { if case .fixed = $0 { return true } else { return false } }
                let found: Int?
                if let gapIndex = pendingGap {
                    let candidates = position...max(position, bytes.count - fixed.count)
                    let matchesAt = { (start: Int) in start + fixed.count <= bytes.count && Array(bytes[start..<(start + fixed.count)]) == fixed }
                    let anchoredEnd = isLastFixed && index == elements.count - 1
                    found = anchoredEnd ? (matchesAt(bytes.count - fixed.count) && bytes.count - fixed.count >= position ? bytes.count - fixed.count : nil)
                        : (isLastFixed ? candidates.reversed().first(where: matchesAt) : candidates.first(where: matchesAt))
                    if let start = found {
                        elements[gapIndex] = fitting(elements[gapIndex], length: start - position)
                    }
                    pendingGap = nil
                } else {
                    found = position + fixed.count <= bytes.count && Array(bytes[position..<(position + fixed.count)]) == fixed ? position : nil
                }
                guard let start = found else { return nil }
                position = start + fixed.count
            }
        }
        if let gapIndex = pendingGap {
            elements[gapIndex] = fitting(elements[gapIndex], length: bytes.count - position)
        } else if position != bytes.count {
            return nil
        }
        return Pattern(elements: elements)
    }

    private static func fitting(_ element: Pattern.Element, length: Int) -> Pattern.Element {
        guard case .variable(let low, let high) = element else { return element }
        return .variable(min: min(low, length), max: max(high, length))
    }
}
