import ScriptGenModel

/// Patterns for RESP arrays (what redis-cli and Redis clients send:
/// `*<n>\r\n` then n times `$<length>\r\n<bytes>\r\n`). Aligned byte by byte, the length
/// digits look fixed whenever the samples' values happen to have one length
/// (`"$11\r\n" <var> "\r\n$20\r\nvalue-of-" <var>`), and `cart:77` (7 bytes) then misses. The
/// lengths are fields that follow the values (docs/simplifier.md), so a cluster of arrays of one command
/// and one size is generalised argument by argument instead: an argument with the same bytes in
/// every sample stays fixed (a subcommand, `EX`), the others become `$` <digits> `\r\n` <value>
/// `\r\n` with gaps for the digits and the value.
enum RespPatterns {
    /// The pattern of `requests` (each exactly one RESP array, all with the same number of
    /// elements and the same command), or nil when they are not. Value gaps take 0 up to the
    /// longest length `PatternBuilder.gap` allows or 64, whichever is more (the length field
    /// delimits a value, so a shorter one is as well-formed); for a single request (`loneArgumentLength` set),
    /// 0 to max(that, twice the length seen).
    static func pattern(forArrays requests: [[UInt8]], builder: PatternBuilder? = nil, loneArgumentLength: Int? = nil) -> Pattern? {
        let arrays = requests.compactMap(RespArray.bulkStrings)
        guard arrays.count == requests.count, let first = arrays.first, first.count >= 2 else { return nil }
        // One header and command, spelled alike (`$3` and `$03` are two spellings).
        let start = requests[0][..<first[1].headerStart]
        guard zip(requests, arrays).allSatisfy({ $1.count == first.count && $0[..<$1[1].headerStart].elementsEqual(start) }) else { return nil }
        var elements: [Pattern.Element] = []
        var fixed = Array(start)
        for argument in 1..<first.count {
            let values = arrays.map { Array($0[argument].value) }
            // An argument equal in every request, length spelling included, stays as it is.
            if loneArgumentLength == nil && arrays.allSatisfy({ $0[argument].whole.elementsEqual(first[argument].whole) }) {
                fixed += first[argument].whole
                continue
            }
            let valueGap: Pattern.Element
            if let loneArgumentLength {
                valueGap = .variable(min: 0, max: max(loneArgumentLength, 2 * values[0].count))
            } else if let builder, case .variable(_, let longest) = builder.gap(for: values) {
                // The length field delimits the value: any shorter one is as well-formed, and
                // keys and values are as free as a lone command's argument.
                valueGap = .variable(min: 0, max: max(LoneArguments.maxArgumentLength, longest))
            } else {
                return nil
            }
            elements += [.fixed(fixed + [0x24]), .variable(min: 1, max: RespArrayFrame.maxLengthDigits), .fixed([0x0D, 0x0A]), valueGap]
            fixed = [0x0D, 0x0A]
        }
        return Pattern(elements: elements + [.fixed(fixed)])
    }
}

/// The bulk strings of a RESP array request, for the simplifier's patterns.
enum RespArray {
    struct Bulk {
        /// Offset of the `$` of its header.
        var headerStart: Int
        var value: ArraySlice<UInt8>
        /// Header, value and CR LF, as the request spells them.
        var whole: ArraySlice<UInt8>
    }

    /// Most elements of an array the simplifier generalises (a pattern has 4 elements per one).
    static let maxElements = 64

    /// Nil unless `request` is exactly one array of at most `maxElements` bulk strings.
    static func bulkStrings(_ request: [UInt8]) -> [Bulk]? {
        guard case .complete(let length, let bulks) = RespArrayFrame.parse(request), length == request.count,
              bulks.count <= maxElements else { return nil }
        return bulks.map { Bulk(headerStart: $0.headerStart, value: request[$0.value], whole: request[$0.headerStart..<($0.value.upperBound + 2)]) }
    }
}

/// The last step for RESP (`respArguments`): a command seen with some argument counts is
/// answered with another count too. Redis clients add options (`SET k v EX 600`, `HSET` with
/// two fields) that training may not show, and the reply depends mostly on the command. Each
/// state gets, per RESP command among its edges, a variadic edge `"*" <var 1-3 bytes>
/// "\r\n$3\r\nSET\r\n" <var 0-8192 bytes>` (weight 0, like a shared command) to the target of the
/// command's heaviest edge. The emulator takes a RESP array whole (its length fields say
/// where it ends), and prefers the arity-specific edges, which have more fixed bytes, for the
/// arrays training showed.
enum RespVariadicEdges {
    static let maxRestLength = 8192

    /// The machine with the variadic edges added, and how many were. A state where some edge
    /// starting with `*` does not name its command (a binary-style pattern) is left alone: the
    /// new edge could take its requests.
    static func added(to machine: StateMachine, maxFanout: Int) -> (machine: StateMachine, count: Int) {
        machine.mappingEdgeTables { edges in
            var heaviest: [[UInt8]: Edge] = [:]
            var order: [[UInt8]] = []
            for edge in edges {
                guard case .fixed(let start)? = edge.pattern.elements.first else { return (edges, 0) }
                guard start.first == 0x2A else { continue }
                guard let key = commandKey(start) else { return (edges, 0) }
                if let best = heaviest[key], best.weight >= edge.weight { continue }
                if heaviest[key] == nil { order.append(key) }
                heaviest[key] = edge
            }
            // Heaviest commands first, while the fan-out allows.
            let byWeight = order.enumerated().sorted { a, b in
                let (wa, wb) = (heaviest[a.element]?.weight ?? 0, heaviest[b.element]?.weight ?? 0)
                return wa != wb ? wa > wb : a.offset < b.offset
            }.map(\.element)
            var updated = edges
            for key in byWeight where updated.count < max(1, maxFanout) {
                let pattern = Pattern(elements: [.fixed([0x2A]), .variable(min: 1, max: 3), .fixed(key), .variable(min: 0, max: maxRestLength)])
                guard let target = heaviest[key]?.target, !updated.contains(where: { $0.pattern == pattern }) else { continue }
                updated.append(Edge(pattern: pattern, weight: 0, target: target))
            }
            return (updated, updated.count - edges.count)
        }
    }

    /// `\r\n$<len>\r\n<command>\r\n` when `start` begins with a whole RESP array header and
    /// command (`*3\r\n$3\r\nSET\r\n...`); nil otherwise.
    static func commandKey(_ start: [UInt8]) -> [UInt8]? {
        var index = 1
        while index < start.count, (0x30...0x39).contains(start[index]) { index += 1 }
        guard index > 1 else { return nil }
        let keyStart = index
        guard start.count >= index + 3, start[index] == 0x0D, start[index + 1] == 0x0A, start[index + 2] == 0x24 else { return nil }
        index += 3
        var length = 0, digits = 0
        while index < start.count, (0x30...0x39).contains(start[index]), digits < 4 {
            length = length * 10 + Int(start[index] - 0x30)
            index += 1
            digits += 1
        }
        guard digits > 0, length > 0, start.count >= index + 2 + length + 2,
              start[index] == 0x0D, start[index + 1] == 0x0A,
              start[index + 2 + length] == 0x0D, start[index + 3 + length] == 0x0A else { return nil }
        return Array(start[keyStart..<(index + 4 + length)])
    }
}
