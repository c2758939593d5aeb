/// Region Analysis (ScriptGen): per-column statistics of a multiple alignment and the fixed and
/// mutating regions they form.
public struct RegionAnalysis: Hashable, Sendable {
    public struct Options: Hashable, Sendable {
        /// Fixed runs shorter than this are folded into the mutating regions around them (a
        /// lone byte that happens to agree inside a user name is not structure). Only applies
        /// when the alignment has at least one mutating column. Default 1 (keep every run).
        public var minFixedLength: Int

        public init(minFixedLength: Int = 1) {
            precondition(minFixedLength >= 1, "RegionAnalysis.Options: minFixedLength must be at least 1")
            self.minFixedLength = minFixedLength
        }
    }

    public let columns: [AlignedColumn]
    /// In column order, covering every column exactly once.
    public let regions: [Region]
    /// Weight of each row, parallel to the alignment's rows.
    public let weights: [Double]

    public init(alignment: MultipleAlignment, options: Options = Options()) {
        self.init(rows: alignment.rows, weights: alignment.weights, options: options)
    }

    public init(rows: [[AlignedSymbol]], weights: [Double]? = nil, options: Options = Options()) {
        let weights = weights ?? [Double](repeating: 1, count: rows.count)
        precondition(weights.count == rows.count, "RegionAnalysis: one weight per row")
        let columnCount = rows.first?.count ?? 0
        precondition(rows.allSatisfy { $0.count == columnCount }, "RegionAnalysis: rows of different lengths")
        let columns = (0..<columnCount).map { column in
            AlignedColumn(symbols: rows.map { $0[column] }, weights: weights)
        }
        // Runs of fixed / non-fixed columns.
        var runs: [(fixed: Bool, range: Range<Int>)] = []
        for (index, column) in columns.enumerated() {
            if let last = runs.last, last.fixed == column.isFixed {
                runs[runs.count - 1].range = last.range.lowerBound..<(index + 1)
            } else {
                runs.append((column.isFixed, index..<(index + 1)))
            }
        }
        if runs.contains(where: { !$0.fixed }) {
            for index in runs.indices where runs[index].fixed && runs[index].range.count < options.minFixedLength {
                runs[index].fixed = false
            }
            var merged: [(fixed: Bool, range: Range<Int>)] = []
            for run in runs {
                if let last = merged.last, !last.fixed, !run.fixed {
                    merged[merged.count - 1].range = last.range.lowerBound..<run.range.upperBound
                } else {
                    merged.append(run)
                }
            }
            runs = merged
        }
        regions = runs.map { run in
            let rowValues = rows.map { row in row[run.range].compactMap(\.byte) }
            let dataClass = run.range.reduce(DataClass.empty) { $0.joined(with: columns[$1].dataClass) }
            let kind: Region.Kind = run.fixed ? .fixed(rowValues.first ?? []) : .mutating
            return Region(kind: kind, columns: run.range, dataClass: dataClass, rowValues: rowValues)
        }
        self.columns = columns
        self.weights = weights
    }
}
