import Testing
@testable import ScriptGenAlignment
import ScriptGenTestSupport

/// Every kernel (SIMD inter-sequence, bit-parallel LCS, 64-bit scalar) must give the scalar
/// reference's scores.
@Suite struct ScoreKernelTests {
    static let schemes: [AlignmentScoring] = [
        AlignmentScoring(match: 1, mismatch: -1, gap: -1),
        AlignmentScoring(match: 2, mismatch: -1, gap: -2),
        AlignmentScoring(match: 5, mismatch: -3, gap: -4, mode: .local),
        AlignmentScoring(match: 1, mismatch: -1, gap: -1, mode: .local),
        // These three take the LCS path.
        AlignmentScoring.distanceDefault,
        AlignmentScoring(match: 2, mismatch: -4, gap: -2),
        AlignmentScoring(match: 1, mismatch: -1, gap: 0, mode: .local),
    ]

    @Test(arguments: schemes)
    func batchScoresMatchTheScalarReference(scoring: AlignmentScoring) {
        // 37 targets: two full SIMD groups and a partial one; lengths across word boundaries.
        let sequences = randomSequences(count: 38, lengths: 0...200, alphabet: bytes("abc d"), seed: 11)
        let aligner = PairwiseAligner(scoring: scoring)
        for query in sequences.prefix(6) {
            let scores = aligner.scores(query, against: Array(sequences.dropFirst()))
            for (target, score) in zip(sequences.dropFirst(), scores) {
                #expect(score == referenceScore(query, target, scoring: scoring))
            }
        }
    }

    @Test(arguments: schemes)
    func simdKernelMatchesTheScalarReference(scoring: AlignmentScoring) {
        let sequences = randomSequences(count: 21, lengths: 0...90, alphabet: bytes("xy\u{0}"), seed: 5)
        var engine = ScoreEngine(scoring: scoring)
        for query in sequences.prefix(4) {
            var output = [Int](repeating: 0, count: sequences.count)
            query.withUnsafeBufferPointer { q in
                let store = SequenceStore(sequences)
                store.withBuffers { buffers in
                    output.withUnsafeMutableBufferPointer { out in
                        engine.vectorScoresForTesting(
                            query: q, targets: (0..<buffers.count).map { buffers[$0] }, into: out.baseAddress!)
                    }
                }
            }
            for (target, score) in zip(sequences, output) {
                #expect(score == referenceScore(query, target, scoring: scoring))
            }
        }
    }

    @Test func lcsKernelAcrossWordBoundaries() {
        for length in [1, 63, 64, 65, 127, 128, 129, 300] {
            let sequences = randomSequences(count: 5, lengths: length...length, alphabet: bytes("ab"), seed: UInt64(length))
            for a in sequences {
                for b in sequences {
                    #expect(PairwiseAligner().score(a, b) == referenceScore(a, b, scoring: .distanceDefault))
                }
            }
        }
    }

    @Test func longSequencesFallBackToWideScores() {
        // (m + n) · 10 exceeds Int16: the batch must switch to the 64-bit kernel.
        let scoring = AlignmentScoring(match: 10, mismatch: -3, gap: -7)
        let a = randomSequences(count: 1, lengths: 4_000...4_000, alphabet: bytes("ab"), seed: 9)[0]
        var b = a
        b[100] = 0x63
        b.remove(at: 2_000)
        #expect(!InterSequenceKernel.fitsInt16(queryLength: a.count, targetLength: b.count, scoring: scoring))
        let score = PairwiseAligner(scoring: scoring).score(a, b)
        #expect(score == referenceScore(a, b, scoring: scoring))
        #expect(score == 3_998 * 10 - 3 - 7)
    }
}
