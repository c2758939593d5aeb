/// Pairwise alignment of byte sequences: scores (linear memory, fast kernels) and full
/// alignments with traceback (quadratic memory: one byte per cell).
public struct PairwiseAligner: Sendable {
    public var scoring: AlignmentScoring

    public init(scoring: AlignmentScoring = .distanceDefault) {
        self.scoring = scoring
    }

    /// The best alignment score of `a` and `b` under `scoring`.
    public func score(_ a: [UInt8], _ b: [UInt8]) -> Int {
        scores(a, against: [b])[0]
    }

    /// Scores of `query` against each target, in order; the batch runs the SIMD kernel over
    /// several targets at once (or the bit-parallel one when the scoring allows it).
    public func scores(_ query: [UInt8], against targets: [[UInt8]]) -> [Int] {
        let store = SequenceStore(targets)
        var results = [Int](repeating: 0, count: targets.count)
        var engine = ScoreEngine(scoring: scoring)
        query.withUnsafeBufferPointer { query in
            store.withBuffers { buffers in
                let targetBuffers = (0..<buffers.count).map { buffers[$0] }
                results.withUnsafeMutableBufferPointer { output in
                    engine.scores(query: query, targets: targetBuffers[...], into: output.baseAddress!)
                }
            }
        }
        return results
    }

    /// The distance `scoring.distance(score:...)` between `a` and `b`.
    public func distance(_ a: [UInt8], _ b: [UInt8]) -> Double {
        scoring.distance(score: score(a, b), lengthA: a.count, lengthB: b.count)
    }

    /// An optimal alignment with its traceback. Ties prefer, walking back from the end: a
    /// diagonal step, then a gap in `b`, then a gap in `a`; a local alignment ends at the
    /// first best cell in row-major order.
    public func align(_ a: [UInt8], _ b: [UInt8]) -> PairwiseAlignment {
        let m = a.count, n = b.count
        let width = n + 1
        let match = scoring.match, mismatch = scoring.mismatch, gap = scoring.gap
        let isLocal = scoring.mode == .local
        // Direction per cell: 0 stop (local start), 1 diagonal, 2 up (gap in b), 3 left (gap in a).
        var directions = [UInt8](repeating: 0, count: (m + 1) * width)
        var row = [Int](repeating: 0, count: width)
        var best = 0, bestI = 0, bestJ = 0
        if !isLocal {
            for j in 0..<width { row[j] = j * gap; directions[j] = j == 0 ? 0 : 3 }
        }
        for i in stride(from: 1, through: m, by: 1) {
            var diag = row[0]
            row[0] = isLocal ? 0 : i * gap
            directions[i * width] = isLocal ? 0 : 2
            let x = a[i - 1]
            for j in 1..<width {
                let up = row[j]
                let fromDiag = diag + (x == b[j - 1] ? match : mismatch)
                let fromUp = up + gap
                let fromLeft = row[j - 1] + gap
                var h = fromDiag, direction: UInt8 = 1
                if fromUp > h { h = fromUp; direction = 2 }
                if fromLeft > h { h = fromLeft; direction = 3 }
                if isLocal && h <= 0 { h = 0; direction = 0 }
                row[j] = h
                directions[i * width + j] = direction
                if isLocal && h > best { best = h; bestI = i; bestJ = j }
                diag = up
            }
        }
        var i = isLocal ? bestI : m
        var j = isLocal ? bestJ : n
        let endA = i, endB = j
        var rowA: [AlignedSymbol] = [], rowB: [AlignedSymbol] = []
        rowA.reserveCapacity(m + n)
        rowB.reserveCapacity(m + n)
        while i > 0 || j > 0 {
            let direction = directions[i * width + j]
            if direction == 0 { break }
            switch direction {
            case 1:
                rowA.append(AlignedSymbol(a[i - 1])); rowB.append(AlignedSymbol(b[j - 1])); i -= 1; j -= 1
            case 2:
                rowA.append(AlignedSymbol(a[i - 1])); rowB.append(.gap); i -= 1
            default:
                rowA.append(.gap); rowB.append(AlignedSymbol(b[j - 1])); j -= 1
            }
        }
        let score = isLocal ? best : row[n]
        return PairwiseAlignment(
            score: score,
            rowA: rowA.reversed(), rowB: rowB.reversed(), rangeA: i..<endA, rangeB: j..<endB)
    }
}

