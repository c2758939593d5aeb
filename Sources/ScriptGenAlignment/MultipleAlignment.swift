/// Sequences aligned into rows of equal length, gaps marking where a row has no byte.
///
/// Progressive, PI style: leaves of a guide tree (UPGMA) are merged bottom-up, each merge an
/// optimal global alignment of two profiles. A profile column is scored by its weighted symbol
/// frequencies (the expected pairwise score between the rows of both sides: equal bytes
/// `match`, different bytes `mismatch`, byte against gap `gap`, gap against gap 0), so a column
/// that already varies (a user name) is not forced onto one arbitrary byte.
public struct MultipleAlignment: Hashable, Sendable {
    public struct Options: Hashable, Sendable {
        public var scoring: AlignmentScoring
        /// Largest dynamic-programming matrix (cells, one byte each plus a row of scores) one
        /// merge may use. Beyond it the two profiles are joined left-justified (the shorter one
        /// padded with gaps at its end) instead of aligned. Default 2²⁴ cells (16 MB), i.e.
        /// two profiles of about 4,000 columns each.
        public var maxCellsPerStep: Int

        public init(scoring: AlignmentScoring = .multipleAlignmentDefault, maxCellsPerStep: Int = 1 << 24) {
            self.scoring = scoring
            self.maxCellsPerStep = maxCellsPerStep
        }
    }

    /// One row per member, all `columnCount` long.
    public private(set) var rows: [[AlignedSymbol]]
    /// `rows[k]` is the input sequence `members[k]`; ascending.
    public private(set) var members: [Int]
    /// Weight of each row (how many requests it stands for), parallel to `rows`.
    public private(set) var weights: [Double]

    public var columnCount: Int { rows.first?.count ?? 0 }

    /// Rows given directly (for example from another aligner).
    public init(rows: [[AlignedSymbol]], members: [Int]? = nil, weights: [Double]? = nil) {
        precondition(Set(rows.map(\.count)).count <= 1, "MultipleAlignment: rows of different lengths")
        self.rows = rows
        self.members = members ?? Array(rows.indices)
        self.weights = weights ?? [Double](repeating: 1, count: rows.count)
        precondition(self.members.count == rows.count && self.weights.count == rows.count)
    }

    /// Aligns the sequences under `node` of `tree` (default: the whole tree) along the tree.
    /// `sequences` and `weights` are indexed by leaf.
    public init(
        sequences: [[UInt8]], tree: UPGMATree, node: Int? = nil, weights: [Double]? = nil,
        options: Options = Options()
    ) {
        precondition(tree.leafCount == sequences.count, "MultipleAlignment: one sequence per leaf")
        guard let top = node ?? tree.root else {
            self.init(rows: [])
            return
        }
        let weights = weights ?? [Double](repeating: 1, count: sequences.count)
        // The internal nodes under `top`, children first (ids grow towards the root).
        var internalNodes: [Int] = []
        var stack = [top]
        while let current = stack.popLast() {
            if let (left, right) = tree.children(of: current) {
                internalNodes.append(current)
                stack.append(left)
                stack.append(right)
            }
        }
        internalNodes.sort()
        func leafProfile(_ leaf: Int) -> Profile {
            Profile(rows: [sequences[leaf].map(AlignedSymbol.init)], members: [leaf], weights: [weights[leaf]])
        }
        var profiles: [Int: Profile] = [:]
        var aligner = ProfileAligner(options: options)
        for current in internalNodes {
            let (left, right) = tree.children(of: current)!
            let a = profiles.removeValue(forKey: left) ?? leafProfile(left)
            let b = profiles.removeValue(forKey: right) ?? leafProfile(right)
            profiles[current] = aligner.merge(a, b)
        }
        let result = profiles[top] ?? leafProfile(top)
        let order = result.members.indices.sorted { result.members[$0] < result.members[$1] }
        self.init(
            rows: order.map { result.rows[$0] }, members: order.map { result.members[$0] },
            weights: order.map { result.weights[$0] })
    }

    /// Aligns all `sequences`, building the guide tree first (distance matrix and UPGMA).
    public init(
        sequences: [[UInt8]], weights: [Double]? = nil, options: Options = Options(),
        distanceScoring: AlignmentScoring = .distanceDefault
    ) {
        let tree = UPGMATree(distances: DistanceMatrix(sequences: sequences, scoring: distanceScoring))
        self.init(sequences: sequences, tree: tree, weights: weights, options: options)
    }
}

/// Rows aligned so far, with the input index and weight of each.
struct Profile {
    var rows: [[AlignedSymbol]]
    var members: [Int]
    var weights: [Double]

    var columnCount: Int { rows.first?.count ?? 0 }
    var totalWeight: Double { weights.reduce(0, +) }
}

/// Aligns two profiles; keeps its scratch space between merges.
struct ProfileAligner {
    let options: MultipleAlignment.Options
    private var table: [Float] = []
    private var directions: [UInt8] = []
    private var scores: [Float] = []

    /// Symbol index 0...255 for bytes, 256 for the gap.
    static let gapIndex = 256
    static let symbolCount = 257

    init(options: MultipleAlignment.Options) {
        self.options = options
    }

    /// Weighted symbol fractions of every column, sparse: for column i the pairs
    /// `(symbols[k], fractions[k])` for k in `starts[i] ..< starts[i + 1]`.
    private static func sparseColumns(_ profile: Profile) -> (symbols: [Int], fractions: [Float], starts: [Int]) {
        let total = profile.totalWeight
        var dense = [Double](repeating: 0, count: symbolCount)
        var symbols: [Int] = [], fractions: [Float] = [], starts = [0]
        for column in 0..<profile.columnCount {
            var touched: [Int] = []
            for (row, weight) in zip(profile.rows, profile.weights) {
                let raw = row[column].rawValue
                let symbol = raw < 0 ? gapIndex : Int(raw)
                if dense[symbol] == 0 { touched.append(symbol) }
                dense[symbol] += weight
            }
            touched.sort()
            for symbol in touched {
                symbols.append(symbol)
                fractions.append(Float(dense[symbol] / total))
                dense[symbol] = 0
            }
            starts.append(symbols.count)
        }
        return (symbols, fractions, starts)
    }

    mutating func merge(_ a: Profile, _ b: Profile) -> Profile {
        let m = a.columnCount, n = b.columnCount
        if (m + 1) * (n + 1) > options.maxCellsPerStep {
            return Self.join(a, b, path: Self.leftJustifiedPath(m, n))
        }
        let scoring = options.scoring
        let match = Float(scoring.match), mismatch = Float(scoring.mismatch), gap = Float(scoring.gap)
        let columnsA = Self.sparseColumns(a)
        let columnsB = Self.sparseColumns(b)
        let symbolCount = Self.symbolCount, gapIndex = Self.gapIndex
        // table[j * 257 + v]: expected score of symbol v against column j of b.
        table = [Float](repeating: 0, count: n * symbolCount)
        var gapCostB = [Float](repeating: 0, count: n)
        for j in 0..<n {
            var gapFraction: Float = 0
            for k in columnsB.starts[j]..<columnsB.starts[j + 1] where columnsB.symbols[k] == gapIndex {
                gapFraction = columnsB.fractions[k]
            }
            let byteFraction = 1 - gapFraction
            let base = mismatch * byteFraction + gap * gapFraction
            let offset = j * symbolCount
            for v in 0..<256 { table[offset + v] = base }
            for k in columnsB.starts[j]..<columnsB.starts[j + 1] where columnsB.symbols[k] != gapIndex {
                table[offset + columnsB.symbols[k]] += (match - mismatch) * columnsB.fractions[k]
            }
            table[offset + gapIndex] = gap * byteFraction
            gapCostB[j] = gap * byteFraction
        }
        var gapCostA = [Float](repeating: 0, count: m)
        for i in 0..<m {
            var gapFraction: Float = 0
            for k in columnsA.starts[i]..<columnsA.starts[i + 1] where columnsA.symbols[k] == gapIndex {
                gapFraction = columnsA.fractions[k]
            }
            gapCostA[i] = gap * (1 - gapFraction)
        }
        // Directions: 1 diagonal, 2 up (column of a against a gap), 3 left (column of b against a gap).
        let width = n + 1
        directions = [UInt8](repeating: 0, count: (m + 1) * width)
        scores = [Float](repeating: 0, count: width)
        for j in 1..<max(width, 1) {
            scores[j] = scores[j - 1] + gapCostB[j - 1]
            directions[j] = 3
        }
        table.withUnsafeBufferPointer { table in
            directions.withUnsafeMutableBufferPointer { directions in
                scores.withUnsafeMutableBufferPointer { row in
                    for i in stride(from: 1, through: m, by: 1) {
                        var diag = row[0]
                        row[0] += gapCostA[i - 1]
                        directions[i * width] = 2
                        var left = row[0]
                        let start = columnsA.starts[i - 1], end = columnsA.starts[i]
                        let upCost = gapCostA[i - 1]
                        for j in 1..<width {
                            let offset = (j - 1) * symbolCount
                            var substitution: Float = 0
                            for k in start..<end {
                                substitution += columnsA.fractions[k] * table[offset + columnsA.symbols[k]]
                            }
                            let up = row[j]
                            var h = diag + substitution, direction: UInt8 = 1
                            let fromUp = up + upCost
                            if fromUp > h { h = fromUp; direction = 2 }
                            let fromLeft = left + gapCostB[j - 1]
                            if fromLeft > h { h = fromLeft; direction = 3 }
                            row[j] = h
                            directions[i * width + j] = direction
                            diag = up
                            left = h
                        }
                    }
                }
            }
        }
        // Walk back: a path of steps, 1 both, 2 only a, 3 only b.
        var path: [UInt8] = []
        path.reserveCapacity(m + n)
        var i = m, j = n
        while i > 0 || j > 0 {
            let direction = i == 0 ? 3 : (j == 0 ? 2 : directions[i * width + j])
            path.append(direction)
            if direction != 3 { i -= 1 }
            if direction != 2 { j -= 1 }
        }
        path.reverse()
        return Self.join(a, b, path: path)
    }

    private static func leftJustifiedPath(_ m: Int, _ n: Int) -> [UInt8] {
        [UInt8](repeating: 1, count: min(m, n)) + [UInt8](repeating: m > n ? 2 : 3, count: abs(m - n))
    }

    /// The rows of both profiles laid out along `path`.
    private static func join(_ a: Profile, _ b: Profile, path: [UInt8]) -> Profile {
        func lay(_ row: [AlignedSymbol], ownStep: UInt8) -> [AlignedSymbol] {
            var result: [AlignedSymbol] = []
            result.reserveCapacity(path.count)
            var index = 0
            for step in path {
                if step == 1 || step == ownStep {
                    result.append(row[index])
                    index += 1
                } else {
                    result.append(.gap)
                }
            }
            return result
        }
        return Profile(
            rows: a.rows.map { lay($0, ownStep: 2) } + b.rows.map { lay($0, ownStep: 3) },
            members: a.members + b.members, weights: a.weights + b.weights)
    }
}
