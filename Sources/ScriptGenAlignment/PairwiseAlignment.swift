/// Two sequences aligned: rows of equal length where a gap stands for a byte of the other row.
public struct PairwiseAlignment: Hashable, Sendable {
    public var score: Int
    /// The aligned part of the first sequence (all of it for a global alignment).
    public var rowA: [AlignedSymbol]
    public var rowB: [AlignedSymbol]
    /// Which bytes of each input the rows cover (a local alignment covers a segment).
    public var rangeA: Range<Int>
    public var rangeB: Range<Int>

    public init(score: Int, rowA: [AlignedSymbol], rowB: [AlignedSymbol], rangeA: Range<Int>, rangeB: Range<Int>) {
        precondition(rowA.count == rowB.count, "PairwiseAlignment: rows of different lengths")
        self.score = score
        self.rowA = rowA
        self.rowB = rowB
        self.rangeA = rangeA
        self.rangeB = rangeB
    }

    /// Columns where both rows hold the same byte.
    public var matchCount: Int {
        zip(rowA, rowB).reduce(0) { $0 + (!$1.0.isGap && $1.0 == $1.1 ? 1 : 0) }
    }
}
