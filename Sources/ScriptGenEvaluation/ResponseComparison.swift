import ScriptGenAlignment

/// How an emulated answer is compared with the real one.
///
/// - Exact: the two byte strings are identical in full (two silences are identical).
/// - Equivalent: exact, or of one length and identical outside the ranges the model wrote from
///   time, counter and random fields (`varying`; the real server varies those bytes itself).
///   Copies must be right.
/// - Fits the template: the bytes the model wrote outside its fields (copies too) occur in the
///   real answer in order, the first at its start and the last at its end, with anything
///   (of any length) where the fields are: the model chose the reply the real answer belongs
///   to, whether or not its fields came out right.
/// - Similarity: 1 for exact answers; otherwise 1 − d over the first `prefixBytes` bytes of
///   each, with d the PI-style alignment distance (`AlignmentScoring.distanceDefault`:
///   d = 1 − LCS / max(|a|, |b|)). Silence against any answer is 0.
public struct ResponseComparison: Hashable, Sendable {
    public var isExact: Bool
    public var isEquivalent: Bool
    public var fitsTemplate: Bool
    /// 0...1.
    public var similarity: Double

    /// `varying`: ranges of `emulated` written by fields the server varies by itself.
    /// `fields`: every range of `emulated` a reply field wrote (`varying` among them).
    public init(real: [UInt8], emulated: [UInt8], varying: [Range<Int>] = [], fields: [Range<Int>] = [],
                prefixBytes: Int = EvaluationOptions.defaultSimilarityPrefixBytes) {
        if real == emulated {
            isExact = true
            isEquivalent = true
            fitsTemplate = true
            similarity = 1
            return
        }
        isExact = false
        isEquivalent = Self.equalOutside(varying, real, emulated)
        fitsTemplate = Self.fits(real, around: fields + varying, of: emulated)
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

    /// Whether `real` holds `emulated`'s bytes outside `fields` in order, anything in the
    /// fields' place: the first piece at its start, the last at its end.
    private static func fits(_ real: [UInt8], around fields: [Range<Int>], of emulated: [UInt8]) -> Bool {
        guard !fields.isEmpty else { return false }
        var pieces: [ArraySlice<UInt8>] = []
        var start = 0
        for field in fields.sorted(by: { $0.lowerBound < $1.lowerBound }) where field.lowerBound >= start {
            pieces.append(emulated[start..<min(field.lowerBound, emulated.count)])
            start = min(field.upperBound, emulated.count)
        }
        pieces.append(emulated[start...])
        guard let first = pieces.first, let last = pieces.last, real.starts(with: first),
              real.count >= first.count + last.count, real.suffix(last.count).elementsEqual(last) else { return false }
        var position = first.count
        for piece in pieces.dropFirst().dropLast() where !piece.isEmpty {
            guard let found = real[position..<(real.count - last.count)].firstRange(of: piece) else { return false }
            position = found.upperBound
        }
        return true
    }
}
