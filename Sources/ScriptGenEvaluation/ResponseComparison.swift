import ScriptGenAlignment

/// How an emulated answer is compared with the real one.
///
/// - Exact: the two byte strings are identical in full (two silences are identical).
/// - Equivalent: exact, or of one length and identical outside the ranges the model wrote from
///   time, counter and random fields (`varying`; the real server varies those bytes itself).
///   Copies must be right.
/// - Similarity: 1 for exact answers; otherwise 1 − d over the first `prefixBytes` bytes of
///   each, with d the PI-style alignment distance (`AlignmentScoring.distanceDefault`:
///   d = 1 − LCS / max(|a|, |b|)). Silence against any answer is 0.
public struct ResponseComparison: Hashable, Sendable {
    public var isExact: Bool
    public var isEquivalent: Bool
    /// 0...1.
    public var similarity: Double

    /// `varying`: ranges of `emulated` written by fields the server varies by itself.
    public init(real: [UInt8], emulated: [UInt8], varying: [Range<Int>] = [], prefixBytes: Int = EvaluationOptions.defaultSimilarityPrefixBytes) {
        if real == emulated {
            isExact = true
            isEquivalent = true
            similarity = 1
            return
        }
        isExact = false
        isEquivalent = Self.equalOutside(varying, real, emulated)
        let limit = max(1, prefixBytes)
        let a = real.count > limit ? Array(real[..<limit]) : real
        let b = emulated.count > limit ? Array(emulated[..<limit]) : emulated
        similarity = 1 - PairwiseAligner(scoring: .distanceDefault).distance(a, b)
    }

    private static func equalOutside(_ ranges: [Range<Int>], _ real: [UInt8], _ emulated: [UInt8]) -> Bool {
        guard !ranges.isEmpty, real.count == emulated.count else { return false }
        var masked = [Bool](repeating: false, count: real.count)
        for range in ranges {
            for offset in range where offset < masked.count { masked[offset] = true }
        }
        return real.indices.allSatisfy { masked[$0] || real[$0] == emulated[$0] }
    }
}
