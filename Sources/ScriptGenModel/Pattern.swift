/// The label of an edge: what a request must look like to follow it.
///
/// A raw (unsimplified) edge is one fixed element holding the exact request. The simplifier
/// produces fixed regions in order with bounded variable-length gaps between them, so requests
/// with other user names, paths or ids still match.
public struct Pattern: Hashable, Sendable {
    public enum Element: Hashable, Sendable {
        /// Bytes that must appear exactly here.
        case fixed([UInt8])
        /// Any bytes, at least `min` and at most `max` of them.
        case variable(min: Int, max: Int)
    }

    public var elements: [Element]

    public init(elements: [Element]) {
        self.elements = elements
    }

    /// The pattern that matches exactly these bytes and nothing else.
    public static func exact(_ bytes: [UInt8]) -> Pattern {
        Pattern(elements: bytes.isEmpty ? [] : [.fixed(bytes)])
    }

    /// The bytes, when the pattern is a single fixed element (a raw edge).
    public var exactBytes: [UInt8]? {
        if elements.isEmpty { return [] }
        if elements.count == 1, case .fixed(let bytes) = elements[0] { return bytes }
        return nil
    }

    /// Fewest bytes a matching request has (`Int.max` if the sum overflows).
    public var minimumLength: Int {
        elements.reduce(0) { total, element in
            switch element {
            case .fixed(let bytes): total.addingSaturating(bytes.count)
            case .variable(let min, _): total.addingSaturating(min)
            }
        }
    }

    /// Most bytes a matching request has; `Int.max` when the gaps' bounds add up past it
    /// (possible only in a hand-edited file), which reads as "unbounded".
    public var maximumLength: Int {
        elements.reduce(0) { total, element in
            switch element {
            case .fixed(let bytes): total.addingSaturating(bytes.count)
            case .variable(_, let max): total.addingSaturating(max)
            }
        }
    }

    /// Number of bytes the pattern pins down; more fixed bytes mean a more specific edge.
    public var fixedByteCount: Int {
        elements.reduce(0) { total, element in
            if case .fixed(let bytes) = element { return total.addingSaturating(bytes.count) }
            return total
        }
    }
}
