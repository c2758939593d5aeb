/// A run of consecutive alignment columns of one kind.
public struct Region: Hashable, Sendable {
    public enum Kind: Hashable, Sendable {
        /// Every row holds these bytes here, with no gap.
        case fixed([UInt8])
        /// The rows differ here (other bytes, other lengths, or gaps).
        case mutating
    }

    public var kind: Kind
    /// The alignment columns the region spans.
    public var columns: Range<Int>
    public var dataClass: DataClass
    /// For each alignment row, its bytes in this region with the gaps removed.
    public var rowValues: [[UInt8]]

    public var isFixed: Bool {
        if case .fixed = kind { return true }
        return false
    }

    /// Row `row`'s bytes in this region, gaps removed.
    public func values(row: Int) -> [UInt8] { rowValues[row] }

    /// Shortest and longest value across the rows (what a variable-length wildcard must allow).
    public var lengthRange: ClosedRange<Int> {
        let lengths = rowValues.map(\.count)
        return (lengths.min() ?? 0)...(lengths.max() ?? 0)
    }
}
