import ScriptGenAlignment

/// How an emulated answer is compared with the real one.
///
/// - Exact: the two byte strings are identical in full (two silences are identical).
/// - Similarity: 1 for exact answers; otherwise 1 − d over the first `prefixBytes` bytes of
///   each, with d the PI-style alignment distance (`AlignmentScoring.distanceDefault`:
///   d = 1 − LCS / max(|a|, |b|)). Silence against any answer is 0.
public struct ResponseComparison: Hashable, Sendable {
    public var isExact: Bool
    /// 0...1.
    public var similarity: Double

    public init(real: [UInt8], emulated: [UInt8], prefixBytes: Int = EvaluationOptions.defaultSimilarityPrefixBytes) {
        if real == emulated {
            isExact = true
            similarity = 1
            return
        }
        isExact = false
        let limit = max(1, prefixBytes)
        let a = real.count > limit ? Array(real[..<limit]) : real
        let b = emulated.count > limit ? Array(emulated[..<limit]) : emulated
        similarity = 1 - PairwiseAligner(scoring: .distanceDefault).distance(a, b)
    }
}
