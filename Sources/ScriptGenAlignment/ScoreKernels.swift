// The score-only kernels behind `PairwiseAligner.score` and `DistanceMatrix`. All work in
// linear memory on unsafe buffers; callers own the scratch space so the hot loops never
// allocate.

/// Scalar dynamic programming for any scoring scheme and any length (64-bit scores).
enum ScalarScoreKernel {
    static func score(
        _ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>,
        scoring: AlignmentScoring, row: UnsafeMutablePointer<Int>
    ) -> Int {
        let m = a.count, n = b.count
        let match = scoring.match, mismatch = scoring.mismatch, gap = scoring.gap
        switch scoring.mode {
        case .global:
            row[0] = 0
            if n > 0 { for j in 1...n { row[j] = row[j - 1] + gap } }
            for i in 0..<m {
                let x = a[i]
                var diag = row[0]
                row[0] = diag + gap
                var left = row[0]
                for j in 0..<n {
                    let up = row[j + 1]
                    let h = max(diag + (x == b[j] ? match : mismatch), max(up, left) + gap)
                    row[j + 1] = h
                    diag = up
                    left = h
                }
            }
            return row[n]
        case .local:
            for j in 0...n { row[j] = 0 }
            var best = 0
            for i in 0..<m {
                let x = a[i]
                var diag = 0
                var left = 0
                for j in 0..<n {
                    let up = row[j + 1]
                    let h = max(0, diag + (x == b[j] ? match : mismatch), max(up, left) + gap)
                    row[j + 1] = h
                    best = max(best, h)
                    diag = up
                    left = h
                }
            }
            return best
        }
    }
}

/// Inter-sequence SIMD: one query against `lanes` targets at once, one target per lane, in
/// 16-bit saturating-free arithmetic (callers check `fitsInt16` first). The targets are
/// transposed so that `columns[j]` holds byte `j` of every target; lanes past a target's end
/// hold `padding`, which equals no byte. Padding never changes a lane's own result: global
/// scores are read at the lane's own last column, and in local mode padded cells only derive
/// from real cells through non-positive steps.
enum InterSequenceKernel {
    typealias Vector = SIMD16<Int16>
    static let lanes = Vector.scalarCount
    static let padding: Int16 = -1

    /// Lane-wise maximum. The standard library's `pointwiseMax` is not inlined here (a call per
    /// cell); a compare-and-select is, and compiles to `pmaxsw`.
    @inline(__always)
    static func maximum(_ a: Vector, _ b: Vector) -> Vector {
        a.replacing(with: b, where: a .< b)
    }

    /// True when no score of a query of length `m` against targets up to `n` can leave Int16.
    static func fitsInt16(queryLength m: Int, targetLength n: Int, scoring: AlignmentScoring) -> Bool {
        (m + n + 2) * scoring.largestStep < Int(Int16.max) - 2_000
    }

    /// Transposes up to `lanes` targets into `columns` (at least `width` vectors).
    static func transpose(
        _ targets: [UnsafeBufferPointer<UInt8>], width: Int, into columns: UnsafeMutablePointer<Vector>
    ) {
        for j in 0..<width { columns[j] = Vector(repeating: padding) }
        for (lane, target) in targets.enumerated() {
            for j in 0..<target.count { columns[j][lane] = Int16(target[j]) }
        }
    }

    /// Global (Needleman-Wunsch) scores; `row` needs `width + 1` vectors. Lane k of the result
    /// is valid for a target of length `lengths[k]`.
    static func globalScores(
        query: UnsafeBufferPointer<UInt8>, columns: UnsafePointer<Vector>, width n: Int,
        lengths: UnsafeBufferPointer<Int>, scoring: AlignmentScoring,
        row: UnsafeMutablePointer<Vector>, into output: UnsafeMutablePointer<Int>
    ) {
        let gapV = Vector(repeating: Int16(scoring.gap))
        let matchV = Vector(repeating: Int16(scoring.match))
        let mismatchV = Vector(repeating: Int16(scoring.mismatch))
        row[0] = .zero
        if n > 0 { for j in 1...n { row[j] = row[j - 1] &+ gapV } }
        var edge = Vector.zero
        for i in 0..<query.count {
            let q = Vector(repeating: Int16(query[i]))
            var diag = row[0]
            edge = edge &+ gapV
            row[0] = edge
            var left = edge
            var j = 0
            while j < n {
                let up = row[j + 1]
                let substitution = diag &+ mismatchV.replacing(with: matchV, where: columns[j] .== q)
                let h = maximum(substitution, maximum(up, left) &+ gapV)
                row[j + 1] = h
                diag = up
                left = h
                j += 1
            }
        }
        for lane in 0..<lengths.count { output[lane] = Int(row[lengths[lane]][lane]) }
    }

    /// Local (Smith-Waterman) scores; `row` needs `width + 1` vectors.
    static func localScores(
        query: UnsafeBufferPointer<UInt8>, columns: UnsafePointer<Vector>, width n: Int,
        count: Int, scoring: AlignmentScoring,
        row: UnsafeMutablePointer<Vector>, into output: UnsafeMutablePointer<Int>
    ) {
        let gapV = Vector(repeating: Int16(scoring.gap))
        let matchV = Vector(repeating: Int16(scoring.match))
        let mismatchV = Vector(repeating: Int16(scoring.mismatch))
        for j in 0...n { row[j] = .zero }
        var best = Vector.zero
        for i in 0..<query.count {
            let q = Vector(repeating: Int16(query[i]))
            var diag = Vector.zero
            var left = Vector.zero
            var j = 0
            while j < n {
                let up = row[j + 1]
                let substitution = diag &+ mismatchV.replacing(with: matchV, where: columns[j] .== q)
                let h = maximum(.zero, maximum(substitution, maximum(up, left) &+ gapV))
                best = maximum(best, h)
                row[j + 1] = h
                diag = up
                left = h
                j += 1
            }
        }
        for lane in 0..<count { output[lane] = Int(best[lane]) }
    }
}

/// Bit-parallel longest common subsequence (Allison-Dix / Hyyrö): one machine word carries 64
/// cells of a DP column, so a pair costs ⌈|query|/64⌉·|target| word steps instead of
/// |query|·|target| cells.
struct LCSKernel {
    let words: Int
    let queryLength: Int
    /// `masks[byte * words + w]`: bit k set when query[64w + k] == byte.
    private(set) var masks: [UInt64]

    init(query: UnsafeBufferPointer<UInt8>) {
        queryLength = query.count
        words = max(1, (query.count + 63) / 64)
        var masks = [UInt64](repeating: 0, count: 256 * words)
        for (k, byte) in query.enumerated() {
            masks[Int(byte) * words + k / 64] |= 1 << UInt64(k % 64)
        }
        self.masks = masks
    }

    /// LCS length of the query and `target`; `scratch` needs `words` elements.
    func lcs(_ target: UnsafeBufferPointer<UInt8>, scratch v: UnsafeMutablePointer<UInt64>) -> Int {
        if queryLength == 0 || target.isEmpty { return 0 }
        return masks.withUnsafeBufferPointer { masks in
            let base = masks.baseAddress!
            if words == 1 {
                var v0 = UInt64.max
                for byte in target {
                    let m = base[Int(byte)]
                    let u = v0 & m
                    v0 = (v0 &+ u) | (v0 & ~m)
                }
                return (~v0 & lowMask).nonzeroBitCount
            }
            let words = self.words
            for w in 0..<words { v[w] = .max }
            for byte in target {
                let m = base + Int(byte) * words
                var carry: UInt64 = 0
                for w in 0..<words {
                    let vw = v[w], mw = m[w]
                    let u = vw & mw
                    let (sum, overflow1) = vw.addingReportingOverflow(u)
                    let (sumWithCarry, overflow2) = sum.addingReportingOverflow(carry)
                    carry = (overflow1 || overflow2) ? 1 : 0
                    v[w] = sumWithCarry | (vw & ~mw)
                }
            }
            var zeros = 0
            for w in 0..<(words - 1) { zeros += (~v[w]).nonzeroBitCount }
            zeros += (~v[words - 1] & lowMask).nonzeroBitCount
            return zeros
        }
    }

    /// The bits of the last word that belong to the query.
    private var lowMask: UInt64 {
        let used = queryLength - (words - 1) * 64
        return used == 64 ? .max : (1 << UInt64(used)) - 1
    }
}
