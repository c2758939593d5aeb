@testable import ScriptGenAlignment

/// Bytes of an ASCII string.

/// Text of aligned symbols, gaps as "-".
func text(_ row: [AlignedSymbol]) -> String { row.map(\.description).joined() }

/// A seeded generator (SplitMix64) so "random" test inputs are the same on every run.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Random sequences over a small alphabet (so there are many matches) of the given lengths.
func randomSequences(count: Int, lengths: ClosedRange<Int>, alphabet: [UInt8], seed: UInt64) -> [[UInt8]] {
    var generator = SeededGenerator(seed: seed)
    return (0..<count).map { _ in
        let length = Int.random(in: lengths, using: &generator)
        return (0..<length).map { _ in alphabet.randomElement(using: &generator)! }
    }
}

/// The score of an alignment recomputed column by column (global, linear gaps).
func rescore(_ alignment: PairwiseAlignment, scoring: AlignmentScoring) -> Int {
    zip(alignment.rowA, alignment.rowB).reduce(0) { total, pair in
        if pair.0.isGap || pair.1.isGap { return total + scoring.gap }
        return total + (pair.0 == pair.1 ? scoring.match : scoring.mismatch)
    }
}

/// The scalar reference score.
func referenceScore(_ a: [UInt8], _ b: [UInt8], scoring: AlignmentScoring) -> Int {
    var engine = ScoreEngine(scoring: scoring)
    return a.withUnsafeBufferPointer { a in b.withUnsafeBufferPointer { b in engine.referenceScore(a, b) } }
}
