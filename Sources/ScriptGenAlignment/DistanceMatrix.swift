/// Symmetric matrix of normalised distances between sequences (0 = identical, 1 = nothing in
/// common), stored as the condensed upper triangle in `Float` (n·(n−1)/2 values: 50 MB for
/// 5,000 sequences).
///
/// d(a, b) = 1 − S(a, b) / max(S(a, a), S(b, b)), clamped to 0...1, where S is the pairwise
/// score under `scoring` (see `AlignmentScoring.distance(score:lengthA:lengthB:)`).
/// Computed on all cores with `DispatchQueue.concurrentPerform`; every entry is computed
/// independently, so the result does not depend on scheduling.
public struct DistanceMatrix: Sendable {
    public let count: Int
    /// `condensed[index(i, j)]` for i < j.
    private(set) var condensed: [Float]

    public init(sequences: [[UInt8]], scoring: AlignmentScoring = .distanceDefault) {
        self.init(store: SequenceStore(sequences), scoring: scoring)
    }

    /// A matrix from explicit values, e.g. made by hand; `distance(i, j)` is asked for i < j.
    public init(count: Int, distance: (Int, Int) -> Double) {
        self.count = count
        condensed = []
        condensed.reserveCapacity(count * max(count - 1, 0) / 2)
        for i in 0..<count {
            for j in (i + 1)..<max(count, i + 1) { condensed.append(Float(distance(i, j))) }
        }
    }

    init(store: SequenceStore, scoring: AlignmentScoring) {
        let n = store.count
        count = n
        var condensed = [Float](repeating: 0, count: n * max(n - 1, 0) / 2)
        // Visit the sequences by length so each SIMD group holds targets of similar lengths.
        let order = (0..<n).sorted { (store.length($0), $0) < (store.length($1), $1) }
        // Task t: sorted query p against the chunk of later sorted targets starting at q0.
        let chunk = 64
        var taskList: [(query: Int, start: Int)] = []
        for p in 0..<n {
            var q0 = p + 1
            while q0 < n { taskList.append((p, q0)); q0 += chunk }
        }
        let tasks = taskList
        store.withBuffers { buffers in
            condensed.withUnsafeMutableBufferPointer { output in
                // Each pair (a, b) has its own cell: the tasks write disjoint indices.
                let output = DisjointWrites(buffer: output)
                ParallelWork.run(iterations: tasks.count) { t in
                    let (p, q0) = tasks[t]
                    let q1 = min(q0 + chunk, n)
                    let query = buffers[order[p]]
                    let targets = (q0..<q1).map { buffers[order[$0]] }
                    var engine = ScoreEngine(scoring: scoring)
                    var scores = [Int](repeating: 0, count: targets.count)
                    scores.withUnsafeMutableBufferPointer { scores in
                        engine.scores(query: query, targets: targets[...], into: scores.baseAddress!)
                    }
                    let a = order[p]
                    for (k, q) in (q0..<q1).enumerated() {
                        let b = order[q]
                        let d = scoring.distance(score: scores[k], lengthA: query.count, lengthB: targets[k].count)
                        output[DistanceMatrix.index(min(a, b), max(a, b), count: n)] = Float(d)
                    }
                }
            }
        }
        self.condensed = condensed
    }

    public subscript(i: Int, j: Int) -> Double {
        if i == j { return 0 }
        return Double(condensed[DistanceMatrix.index(min(i, j), max(i, j), count: count)])
    }

    @inline(__always)
    static func index(_ i: Int, _ j: Int, count n: Int) -> Int {
        i * n - i * (i + 1) / 2 + (j - i - 1)
    }

    /// Distances from every query to every target (rows: queries), computed in parallel.
    static func rectangular(
        queries: SequenceStore, targets: SequenceStore, scoring: AlignmentScoring
    ) -> [[Float]] {
        let rowCount = queries.count, columnCount = targets.count
        var flat = [Float](repeating: 1, count: rowCount * columnCount)
        queries.withBuffers { queryBuffers in
            targets.withBuffers { targetBuffers in
                flat.withUnsafeMutableBufferPointer { output in
                    // Row r writes only its own columns: disjoint indices.
                    let output = DisjointWrites(buffer: output)
                    ParallelWork.run(iterations: rowCount) { r in
                        let query = queryBuffers[r]
                        let targetList = (0..<columnCount).map { targetBuffers[$0] }
                        var engine = ScoreEngine(scoring: scoring)
                        var scores = [Int](repeating: 0, count: columnCount)
                        scores.withUnsafeMutableBufferPointer { scores in
                            engine.scores(query: query, targets: targetList[...], into: scores.baseAddress!)
                        }
                        for c in 0..<columnCount {
                            output[r * columnCount + c] = Float(scoring.distance(
                                score: scores[c], lengthA: query.count, lengthB: targetList[c].count))
                        }
                    }
                }
            }
        }
        return (0..<rowCount).map { r in Array(flat[(r * columnCount)..<((r + 1) * columnCount)]) }
    }
}
