/// What one column of a multiple alignment holds across its rows.
public struct AlignedColumn: Hashable, Sendable {
    public struct ValueCount: Hashable, Sendable {
        public var byte: UInt8
        /// Rows holding this byte.
        public var rows: Int
        /// Their total weight (requests they stand for).
        public var weight: Double
    }

    /// The distinct bytes, ascending.
    public var values: [ValueCount]
    public var gapRows: Int
    public var gapWeight: Double
    public var totalWeight: Double

    public init(symbols: [AlignedSymbol], weights: [Double]) {
        var byByte: [UInt8: ValueCount] = [:]
        var gapRows = 0, gapWeight = 0.0, totalWeight = 0.0
        for (symbol, weight) in zip(symbols, weights) {
            totalWeight += weight
            if let byte = symbol.byte {
                byByte[byte, default: ValueCount(byte: byte, rows: 0, weight: 0)].rows += 1
                byByte[byte]!.weight += weight
            } else {
                gapRows += 1
                gapWeight += weight
            }
        }
        values = byByte.values.sorted { $0.byte < $1.byte }
        self.gapRows = gapRows
        self.gapWeight = gapWeight
        self.totalWeight = totalWeight
    }

    /// One byte in every row.
    public var isFixed: Bool { values.count == 1 && gapRows == 0 }

    /// Share (by weight) of the rows with a gap here.
    public var gapRate: Double { totalWeight > 0 ? gapWeight / totalWeight : 0 }

    /// Share (by weight) of the rows holding a byte that differ from the most frequent byte:
    /// 0 when every byte present is the same, approaching 1 when all differ. Gaps are not
    /// counted here (see `gapRate`).
    public var mutationRate: Double {
        let present = totalWeight - gapWeight
        guard present > 0 else { return 0 }
        let top = values.reduce(0.0) { max($0, $1.weight) }
        return 1 - top / present
    }

    public var dataClass: DataClass { DataClass(bytes: values.map(\.byte)) }
}
