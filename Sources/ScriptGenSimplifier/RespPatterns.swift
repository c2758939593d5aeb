import ScriptGenModel

/// Patterns for RESP arrays (what redis-cli and Redis clients send:
/// `*<n>\r\n` then n times `$<length>\r\n<bytes>\r\n`). Aligned byte by byte, the length
/// digits look fixed whenever the samples' values happen to have one length
/// (`"$11\r\n" <var> "\r\n$20\r\nvalue-of-" <var>`), and `cart:77` (7 bytes) then misses. The
/// lengths are fields that follow the values (SPEC §4), so a cluster of arrays of one command
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
        guard arrays.count == requests.count, let first = arrays.first, first.count >= 2,
              arrays.allSatisfy({ $0.count == first.count && $0[0].value.elementsEqual(first[0].value) }) else { return nil }
        var elements: [Pattern.Element] = []
        var fixed = Array(requests[0][..<first[1].headerStart])
        for argument in 1..<first.count {
            let values = arrays.map { Array($0[argument].value) }
            if values.allSatisfy({ $0 == values[0] }) && loneArgumentLength == nil {
                fixed += Array("$\(values[0].count)\r\n".utf8) + values[0] + [0x0D, 0x0A]
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
            elements += [.fixed(fixed + [0x24]), .variable(min: 1, max: 4), .fixed([0x0D, 0x0A]), valueGap]
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
    }

    /// Most elements of an array the simplifier generalises (a pattern has 4 elements per one).
    static let maxElements = 64

    /// Nil unless `request` is exactly one array of at most `maxElements` bulk strings.
    static func bulkStrings(_ request: [UInt8]) -> [Bulk]? {
        guard case .complete(let length, let bulks) = RespArrayFrame.parse(request), length == request.count,
              bulks.count <= maxElements else { return nil }
        return bulks.map { Bulk(headerStart: $0.headerStart, value: request[$0.value]) }
    }
}
