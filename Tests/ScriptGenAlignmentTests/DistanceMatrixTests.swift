import Testing
@testable import ScriptGenAlignment
import ScriptGenTestSupport

@Suite struct DistanceMatrixTests {
    @Test func distancesAreSymmetricZeroOnTheDiagonalAndWithinZeroToOne() {
        let sequences = [bytes("USER alice\r\n"), bytes("USER bob\r\n"), bytes("PASS x\r\n"), [], [0, 0, 1]]
        for scoring in [AlignmentScoring.distanceDefault, AlignmentScoring(match: 2, mismatch: -1, gap: -1), AlignmentScoring(match: 2, mismatch: -1, gap: -2, mode: .local)] {
            let matrix = DistanceMatrix(sequences: sequences, scoring: scoring)
            #expect(matrix.count == 5)
            for i in 0..<5 {
                #expect(matrix[i, i] == 0)
                for j in 0..<5 {
                    #expect(matrix[i, j] == matrix[j, i])
                    #expect(matrix[i, j] >= 0 && matrix[i, j] <= 1)
                }
            }
        }
    }

    @Test func distanceIsOneMinusLCSOverTheLongerLength() {
        let matrix = DistanceMatrix(sequences: [bytes("USER alice\r\n"), bytes("USER bob\r\n")])
        // LCS = "USER " + "\r\n" = 7 of 12 bytes.
        #expect(abs(matrix[0, 1] - (1 - 7.0 / 12)) < 1e-6)
    }

    @Test func identicalAndEmptySequences() {
        let matrix = DistanceMatrix(sequences: [bytes("abc"), bytes("abc"), [], []])
        #expect(matrix[0, 1] == 0)
        #expect(matrix[2, 3] == 0)
        #expect(matrix[0, 2] == 1)
    }

    @Test func entriesMatchPairwiseDistancesAndAreDeterministic() {
        let sequences = randomSequences(count: 70, lengths: 0...120, alphabet: bytes("GET /a"), seed: 21)
        let scoring = AlignmentScoring(match: 2, mismatch: -1, gap: -1)
        let matrix = DistanceMatrix(sequences: sequences, scoring: scoring)
        let again = DistanceMatrix(sequences: sequences, scoring: scoring)
        #expect(matrix.condensed == again.condensed)
        let aligner = PairwiseAligner(scoring: scoring)
        for i in stride(from: 0, to: 70, by: 7) {
            for j in stride(from: 1, to: 70, by: 5) where i != j {
                #expect(abs(matrix[i, j] - aligner.distance(sequences[i], sequences[j])) < 1e-6)
            }
        }
    }

    @Test func handMadeMatrix() {
        let matrix = DistanceMatrix(count: 3) { i, j in Double(i + j) / 10 }
        #expect(matrix[0, 1] == Double(Float(0.1)))
        #expect(matrix[2, 1] == Double(Float(0.3)))
        #expect(DistanceMatrix(count: 0) { _, _ in 0 }.count == 0)
        #expect(DistanceMatrix(sequences: []).count == 0)
        #expect(DistanceMatrix(sequences: [bytes("x")]).count == 1)
    }
}
