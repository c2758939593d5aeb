/// Chooses the kernel for a scoring scheme and owns its scratch space, so that scoring one
/// query against a batch of targets allocates nothing per pair.
struct ScoreEngine {
    let scoring: AlignmentScoring
    private var vectorRow: [InterSequenceKernel.Vector] = []
    private var columns: [InterSequenceKernel.Vector] = []
    private var scalarRow: [Int] = []
    private var words: [UInt64] = []

    init(scoring: AlignmentScoring) {
        self.scoring = scoring
    }

    /// Writes the score of `query` against `targets[k]` to `output[k - targets.startIndex]`.
    mutating func scores(
        query: UnsafeBufferPointer<UInt8>, targets: ArraySlice<UnsafeBufferPointer<UInt8>>,
        into output: UnsafeMutablePointer<Int>
    ) {
        if scoring.isLCSEquivalent {
            lcsScores(query: query, targets: targets, into: output)
            return
        }
        let lanes = InterSequenceKernel.lanes
        var start = targets.startIndex
        while start < targets.endIndex {
            let end = min(start + lanes, targets.endIndex)
            let group = targets[start..<end]
            let width = group.reduce(0) { max($0, $1.count) }
            let out = output + (start - targets.startIndex)
            if InterSequenceKernel.fitsInt16(queryLength: query.count, targetLength: width, scoring: scoring) {
                vectorScores(query: query, group: Array(group), width: width, into: out)
            } else {
                for (k, target) in group.enumerated() { out[k] = scalarScore(query, target) }
            }
            start = end
        }
    }

    private mutating func lcsScores(
        query: UnsafeBufferPointer<UInt8>, targets: ArraySlice<UnsafeBufferPointer<UInt8>>,
        into output: UnsafeMutablePointer<Int>
    ) {
        let kernel = LCSKernel(query: query)
        if words.count < kernel.words { words = [UInt64](repeating: 0, count: kernel.words) }
        words.withUnsafeMutableBufferPointer { scratch in
            for (k, target) in targets.enumerated() {
                let lcs = kernel.lcs(target, scratch: scratch.baseAddress!)
                output[k] = scoring.scoreFromLCS(lcs, lengthA: query.count, lengthB: target.count)
            }
        }
    }

    private mutating func vectorScores(
        query: UnsafeBufferPointer<UInt8>, group: [UnsafeBufferPointer<UInt8>], width: Int,
        into output: UnsafeMutablePointer<Int>
    ) {
        if vectorRow.count < width + 1 {
            vectorRow = .init(repeating: .zero, count: width + 1)
            columns = .init(repeating: .zero, count: width + 1)
        }
        let lengths = group.map(\.count)
        let scoring = self.scoring
        vectorRow.withUnsafeMutableBufferPointer { row in
            columns.withUnsafeMutableBufferPointer { columns in
                InterSequenceKernel.transpose(group, width: width, into: columns.baseAddress!)
                switch scoring.mode {
                case .global:
                    lengths.withUnsafeBufferPointer { lengths in
                        InterSequenceKernel.globalScores(
                            query: query, columns: columns.baseAddress!, width: width, lengths: lengths,
                            scoring: scoring, row: row.baseAddress!, into: output)
                    }
                case .local:
                    InterSequenceKernel.localScores(
                        query: query, columns: columns.baseAddress!, width: width, count: group.count,
                        scoring: scoring, row: row.baseAddress!, into: output)
                }
            }
        }
    }

    private mutating func scalarScore(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Int {
        if scalarRow.count < b.count + 1 { scalarRow = [Int](repeating: 0, count: b.count + 1) }
        let scoring = self.scoring
        return scalarRow.withUnsafeMutableBufferPointer { row in
            ScalarScoreKernel.score(a, b, scoring: scoring, row: row.baseAddress!)
        }
    }

    /// The reference result, for tests: always the scalar kernel.
    mutating func referenceScore(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Int {
        scalarScore(a, b)
    }

    /// Forces the SIMD kernel (tests and benchmarks compare it with the others).
    mutating func vectorScoresForTesting(
        query: UnsafeBufferPointer<UInt8>, targets: [UnsafeBufferPointer<UInt8>], into output: UnsafeMutablePointer<Int>
    ) {
        var start = 0
        while start < targets.count {
            let end = min(start + InterSequenceKernel.lanes, targets.count)
            let group = Array(targets[start..<end])
            vectorScores(query: query, group: group, width: group.reduce(0) { max($0, $1.count) }, into: output + start)
            start = end
        }
    }
}
