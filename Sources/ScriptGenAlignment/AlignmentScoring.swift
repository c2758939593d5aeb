/// How two byte sequences are scored against each other: a reward for equal bytes, penalties
/// for different bytes and for gaps (a linear gap cost: every gap position costs `gap`).
///
/// `match` must be positive and `mismatch`, `gap` zero or negative, so that a sequence scores
/// best against itself: `selfScore(length:) == length * match` in both modes, which the
/// distance normalisation relies on.
public struct AlignmentScoring: Hashable, Sendable {
    public enum Mode: Hashable, Sendable {
        /// Needleman-Wunsch: both sequences aligned end to end.
        case global
        /// Smith-Waterman: the best-scoring pair of segments; scores never drop below zero.
        case local
    }

    public var match: Int
    public var mismatch: Int
    public var gap: Int
    public var mode: Mode

    public init(match: Int, mismatch: Int, gap: Int, mode: Mode = .global) {
        precondition(match > 0, "AlignmentScoring: match must be positive (got \(match))")
        precondition(mismatch <= 0, "AlignmentScoring: mismatch must be <= 0 (got \(mismatch))")
        precondition(gap <= 0, "AlignmentScoring: gap must be <= 0 (got \(gap))")
        precondition(max(match, -mismatch, -gap) <= 1_000, "AlignmentScoring: scores are limited to ±1000")
        self.match = match
        self.mismatch = mismatch
        self.gap = gap
        self.mode = mode
    }

    /// The distance default, PI style: identity scores (match 1, mismatch 0) and free gaps,
    /// global. The score is then the length of the longest common subsequence, so
    /// d(a, b) = 1 − LCS / max(|a|, |b|): robust to the length differences of protocol
    /// messages, and computed by a bit-parallel kernel (64 cells per word operation).
    public static let distanceDefault = AlignmentScoring(match: 1, mismatch: 0, gap: 0, mode: .global)

    /// The multiple-alignment default: substitutions are cheaper than two gaps, so variable
    /// fields of different contents line up column by column instead of fraying into gaps.
    public static let multipleAlignmentDefault = AlignmentScoring(match: 2, mismatch: -1, gap: -1, mode: .global)

    /// The score of a sequence of this length against itself (the best any pair can reach).
    public func selfScore(length: Int) -> Int {
        length * match
    }

    /// Largest absolute value one alignment step can add.
    var largestStep: Int { max(match, -mismatch, -gap) }

    /// True when the best global score is a function of the longest common subsequence:
    /// a substitution is never better than two gaps, so an optimal alignment uses only
    /// matches and gaps and scores `(match − 2·gap)·LCS + gap·(|a| + |b|)`.
    /// For local mode this holds when gaps are free: scores never fall, so the best segment
    /// pair is the whole of both sequences and the score is match·LCS.
    var isLCSEquivalent: Bool {
        switch mode {
        case .global: mismatch <= 2 * gap
        case .local: gap == 0
        }
    }

    /// The score from an LCS length, valid when `isLCSEquivalent`.
    func scoreFromLCS(_ lcs: Int, lengthA: Int, lengthB: Int) -> Int {
        switch mode {
        case .global: (match - 2 * gap) * lcs + gap * (lengthA + lengthB)
        case .local: match * lcs
        }
    }

    /// PI-style normalised distance from a pair score: 1 − S(a,b) / max(S(a,a), S(b,b)),
    /// clamped to 0...1. Two empty sequences are at distance 0; an empty and a non-empty one at 1.
    public func distance(score: Int, lengthA: Int, lengthB: Int) -> Double {
        let best = selfScore(length: max(lengthA, lengthB))
        if best == 0 { return lengthA == lengthB ? 0 : 1 }
        return min(1, max(0, 1 - Double(score) / Double(best)))
    }
}
