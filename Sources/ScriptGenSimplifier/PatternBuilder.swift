import ScriptGenAlignment
import ScriptGenModel

/// Turns the regions of one final cluster's alignment into an edge pattern: fixed regions in
/// order, variable gaps with learned length bounds between them. Every aligned row matches the
/// result by construction: each row is the concatenation of its values in the segments, the
/// fixed segments hold exactly those bytes and the gaps' bounds include every row's length.
struct PatternBuilder {
    let options: SimplifierOptions

    /// One piece of the pattern while it is built: fixed bytes, or each row's bytes in a gap.
    enum Segment {
        case fixed([UInt8])
        case variable(rowValues: [[UInt8]])
    }

    /// The pattern, or nil when it would have no fixed byte and the cluster is too small for a
    /// pure wildcard (`minRequestsForWildcard`): the caller keeps exact edges then.
    func pattern(prefix: [UInt8] = [], regions: [Region], suffix: [UInt8] = [], rowCount: Int) -> Pattern? {
        var segments: [Segment] = [.fixed(prefix)]
        for region in regions {
            if case .fixed(let bytes) = region.kind {
                segments.append(.fixed(bytes))
            } else if let first = region.rowValues.first, region.rowValues.allSatisfy({ $0 == first }) {
                // Same bytes in every row, only the gaps differ: as fixed as a fixed region.
                if !first.isEmpty { segments.append(.fixed(first)) }
            } else {
                segments.append(.variable(rowValues: region.rowValues))
            }
        }
        segments.append(.fixed(suffix))
        segments = Self.merged(segments)
        if options.trimPartialTokens { segments = Self.trimmingPartialTokens(segments) }
        // Short fixed runs: kept when anchored at either end of the request, or when binary
        // with enough rows that a coincidence is unlikely; otherwise folded into the gap.
        for index in segments.indices {
            guard case .fixed(let bytes) = segments[index], bytes.count < options.minFixedLength else { continue }
            let anchored = index == 0 || index == segments.count - 1
            let binary = DataClass(bytes: bytes) != .text
            if anchored || (binary && rowCount >= options.minRowsForShortBinaryFixed) { continue }
            segments[index] = .variable(rowValues: [[UInt8]](repeating: bytes, count: rowCount))
        }
        segments = Self.merged(segments)
        let hasFixed = segments.contains { if case .fixed = $0 { return true } else { return false } }
        if !hasFixed && rowCount < options.minRequestsForWildcard { return nil }
        // Several lines: a gap right before a line end may take more lines (HTTP headers,
        // which each client orders and picks differently).
        let lineEnds = segments.reduce(0) { count, segment in
            if case .fixed(let bytes) = segment { count + bytes.count { $0 == 0x0A } } else { count }
        }
        return Pattern(elements: segments.indices.map { index in
            switch segments[index] {
            case .fixed(let bytes): return .fixed(bytes)
            case .variable(let values):
                var beforeLineEnd = false
                if lineEnds >= 2, index + 1 < segments.count, case .fixed(let next) = segments[index + 1] {
                    beforeLineEnd = next.first == 0x0A || next.starts(with: [0x0D, 0x0A])
                }
                return gap(for: values, beforeLineEnd: beforeLineEnd)
            }
        })
    }

    /// The bounds of a gap from the lengths seen: short binary fields seen with one length keep
    /// it (fixed-width fields: ids, lengths, counters); otherwise the range widened by the
    /// slack. A longer binary region of one length is content that happened to agree in length
    /// (DNS names split by the microclusterer), not a field.
    func gap(for rowValues: [[UInt8]], beforeLineEnd: Bool = false) -> Pattern.Element {
        let lengths = rowValues.map(\.count)
        let shortest = lengths.min() ?? 0, longest = lengths.max() ?? 0
        if shortest == longest && DataClass(bytes: rowValues.joined()) != .text && shortest > 0
            && shortest <= Self.maxFixedWidthFieldLength {
            return .variable(min: shortest, max: longest)
        }
        let slack = max(options.minimumLengthSlack, Int((Double(longest) * options.relativeLengthSlack).rounded(.up)))
        // A text gap that spans a line end, or ends where a line ends in a request of several
        // lines, may hold whole lines of an open list (HTTP headers, which each client orders
        // and picks differently): its length says little.
        let spansLines = (beforeLineEnd || rowValues.contains { $0.contains(0x0A) }) && DataClass(bytes: rowValues.joined()) == .text
        return .variable(min: max(0, shortest - slack), max: spansLines ? max(longest + slack, Self.minLinesGapLength) : longest + slack)
    }

    /// Text fixed runs end at word boundaries. A fixed run whose edge is the start or end of a
    /// word that continues into the neighbouring gap in some row (`CWD p` + `ub`/`rojects`,
    /// `rcpt@example.co` + `m>`) fixed part of a value only because the few rows seen happened to
    /// share it; that part of the word goes to the gap (`CWD ` + `pub`/`projects`). A run made
    /// only of word bytes is left alone: nothing would be left to anchor the pattern.
    static func trimmingPartialTokens(_ segments: [Segment]) -> [Segment] {
        var segments = segments
        for index in segments.indices {
            guard case .fixed(var bytes) = segments[index], DataClass(bytes: bytes) == .text,
                  bytes.contains(where: { !isWordByte($0) }) else { continue }
            if index + 1 < segments.count, case .variable(let values) = segments[index + 1],
               values.allSatisfy({ DataClass(bytes: $0) != .binary }),
               values.contains(where: { $0.first.map(isWordByte) ?? false }) {
                let wordTail = bytes.reversed().prefix(while: isWordByte).count
                if wordTail > 0 {
                    let moved = Array(bytes.suffix(wordTail))
                    bytes.removeLast(wordTail)
                    segments[index + 1] = .variable(rowValues: values.map { moved + $0 })
                }
            }
            if index > 0, case .variable(let values) = segments[index - 1],
               values.allSatisfy({ DataClass(bytes: $0) != .binary }),
               values.contains(where: { $0.last.map(isWordByte) ?? false }) {
                let wordHead = bytes.prefix(while: isWordByte).count
                if wordHead > 0 {
                    let moved = Array(bytes.prefix(wordHead))
                    bytes.removeFirst(wordHead)
                    segments[index - 1] = .variable(rowValues: values.map { $0 + moved })
                }
            }
            segments[index] = .fixed(bytes)
        }
        // A run inside one whitespace-delimited word with varying bytes on both sides
        // (`alice@example.com`, `bob@example.org`: `example.`) is part of a varying word.
        for index in segments.indices.dropFirst().dropLast() {
            guard case .fixed(let bytes) = segments[index], DataClass(bytes: bytes) == .text,
                  !bytes.contains(where: isWhitespace),
                  case .variable(let before) = segments[index - 1], case .variable(let after) = segments[index + 1],
                  (before + after).allSatisfy({ DataClass(bytes: $0) != .binary }),
                  !before.contains(where: { $0.last.map(isWhitespace) ?? false }),
                  !after.contains(where: { $0.first.map(isWhitespace) ?? false }) else { continue }
            segments[index] = .variable(rowValues: [[UInt8]](repeating: bytes, count: before.count))
        }
        return merged(segments)
    }

    static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0A
    }

    /// Letters and digits: the bytes a word of a text protocol is made of.
    static func isWordByte(_ byte: UInt8) -> Bool {
        (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
    }

    /// Least upper bound of a text gap that spans a line end.
    static let minLinesGapLength = 1024

    /// Longest binary gap kept at its one observed length (an IPv6 address, a 64-bit id).
    static let maxFixedWidthFieldLength = 8

    /// Adjacent fixed segments joined, adjacent gaps joined row by row, empty ones dropped.
    static func merged(_ segments: [Segment]) -> [Segment] {
        var result: [Segment] = []
        for segment in segments {
            switch (result.last, segment) {
            case (.fixed(let previous)?, .fixed(let bytes)):
                result[result.count - 1] = .fixed(previous + bytes)
            case (.variable(let previous)?, .variable(let values)):
                result[result.count - 1] = .variable(rowValues: zip(previous, values).map { $0 + $1 })
            case (_, .fixed(let bytes)) where bytes.isEmpty:
                break
            default:
                result.append(segment)
            }
        }
        return result
    }
}
