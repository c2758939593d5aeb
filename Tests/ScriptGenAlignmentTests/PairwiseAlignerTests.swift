import Testing
@testable import ScriptGenAlignment
import ScriptGenTestSupport

@Suite struct PairwiseAlignerTests {
    let simple = AlignmentScoring(match: 1, mismatch: -1, gap: -1)

    @Test func globalScoreOfTheTextbookExample() {
        // GATTACA / GCATGCU with +1/−1/−1 scores 0 (Needleman-Wunsch textbook case).
        let aligner = PairwiseAligner(scoring: simple)
        #expect(aligner.score(bytes("GATTACA"), bytes("GCATGCU")) == 0)
        let alignment = aligner.align(bytes("GATTACA"), bytes("GCATGCU"))
        #expect(alignment.score == 0)
        #expect(rescore(alignment, scoring: simple) == 0)
        #expect(alignment.rowA.ungappedBytes == bytes("GATTACA"))
        #expect(alignment.rowB.ungappedBytes == bytes("GCATGCU"))
    }

    @Test func globalTracebackWithAUniqueOptimum() {
        let alignment = PairwiseAligner(scoring: simple).align(bytes("ACGT"), bytes("AGT"))
        #expect(alignment.score == 2)
        #expect(text(alignment.rowA) == "ACGT")
        #expect(text(alignment.rowB) == "A-GT")
        #expect(alignment.rangeA == 0..<4)
        #expect(alignment.rangeB == 0..<3)
        #expect(alignment.matchCount == 3)
    }

    @Test func localScoreAndTracebackOfTheTextbookExample() {
        // TGTTACGG / GGTTGACTA with +3/−3/−2 (Smith-Waterman textbook case): GTT-AC / GTTGAC, 13.
        let scoring = AlignmentScoring(match: 3, mismatch: -3, gap: -2, mode: .local)
        let aligner = PairwiseAligner(scoring: scoring)
        #expect(aligner.score(bytes("TGTTACGG"), bytes("GGTTGACTA")) == 13)
        let alignment = aligner.align(bytes("TGTTACGG"), bytes("GGTTGACTA"))
        #expect(alignment.score == 13)
        #expect(text(alignment.rowA) == "GTT-AC")
        #expect(text(alignment.rowB) == "GTTGAC")
        #expect(alignment.rangeA == 1..<6)
        #expect(alignment.rangeB == 1..<7)
    }

    @Test func defaultScoringIsTheLongestCommonSubsequence() {
        let aligner = PairwiseAligner()
        #expect(aligner.score(bytes("ABCBDAB"), bytes("BDCABA")) == 4)
        #expect(aligner.align(bytes("ABCBDAB"), bytes("BDCABA")).score == 4)
        #expect(aligner.align(bytes("ABCBDAB"), bytes("BDCABA")).matchCount == 4)
    }

    @Test func identicalSequencesScoreTheirSelfScore() {
        for scoring in [simple, .distanceDefault, .multipleAlignmentDefault, AlignmentScoring(match: 2, mismatch: -1, gap: -2, mode: .local)] {
            let aligner = PairwiseAligner(scoring: scoring)
            let request = bytes("USER alice\r\n")
            #expect(aligner.score(request, request) == scoring.selfScore(length: request.count))
            #expect(aligner.distance(request, request) == 0)
            let alignment = aligner.align(request, request)
            #expect(text(alignment.rowA) == "USER alice\\x0D\\x0A")
            #expect(alignment.rowA == alignment.rowB)
        }
    }

    @Test func emptySequences() {
        let global = PairwiseAligner(scoring: simple)
        #expect(global.score([], []) == 0)
        #expect(global.score([], bytes("abc")) == -3)
        #expect(global.score(bytes("abc"), []) == -3)
        let alignment = global.align([], bytes("ab"))
        #expect(alignment.score == -2)
        #expect(alignment.rowA == [.gap, .gap])
        #expect(alignment.rowB.ungappedBytes == bytes("ab"))
        let local = PairwiseAligner(scoring: AlignmentScoring(match: 1, mismatch: -1, gap: -1, mode: .local))
        #expect(local.score([], bytes("abc")) == 0)
        #expect(local.align(bytes("abc"), []).rowA.isEmpty)
        #expect(PairwiseAligner().distance([], []) == 0)
        #expect(PairwiseAligner().distance([], bytes("x")) == 1)
    }

    @Test func oneByteSequences() {
        let aligner = PairwiseAligner(scoring: simple)
        #expect(aligner.score([0x41], [0x41]) == 1)
        #expect(aligner.score([0x41], [0x42]) == -1)
        #expect(aligner.score([0x00], [0xFF]) == -1)
        let alignment = aligner.align([0x41], [0x42])
        #expect(alignment.rowA == [AlignedSymbol(0x41)])
        #expect(alignment.rowB == [AlignedSymbol(0x42)])
        #expect(PairwiseAligner().distance([0x41], [0x42]) == 1)
        #expect(PairwiseAligner().distance([0x41], [0x41]) == 0)
    }

    @Test func tracebackScoreMatchesScoreOnlyKernel() {
        let sequences = randomSequences(count: 12, lengths: 0...40, alphabet: bytes("ab\r\n"), seed: 7)
        for scoring in [simple, .multipleAlignmentDefault, .distanceDefault] {
            let aligner = PairwiseAligner(scoring: scoring)
            for a in sequences {
                for b in sequences {
                    let alignment = aligner.align(a, b)
                    #expect(alignment.score == aligner.score(a, b))
                    #expect(rescore(alignment, scoring: scoring) == alignment.score)
                    #expect(alignment.rowA.ungappedBytes == a)
                    #expect(alignment.rowB.ungappedBytes == b)
                }
            }
        }
    }

    @Test func scoresAreSymmetric() {
        let sequences = randomSequences(count: 10, lengths: 0...50, alphabet: bytes("abcd"), seed: 3)
        for scoring in [simple, .distanceDefault, AlignmentScoring(match: 2, mismatch: -1, gap: -2, mode: .local)] {
            let aligner = PairwiseAligner(scoring: scoring)
            for a in sequences {
                for b in sequences { #expect(aligner.score(a, b) == aligner.score(b, a)) }
            }
        }
    }

    @Test func alignedSymbolIsTheGapOrAByte() {
        #expect(AlignedSymbol.gap.isGap)
        #expect(AlignedSymbol.gap.byte == nil)
        #expect(AlignedSymbol(0).byte == 0)
        #expect(AlignedSymbol(255).byte == 255)
        #expect(!AlignedSymbol(255).isGap)
        #expect(AlignedSymbol.gap < AlignedSymbol(0))
        #expect(AlignedSymbol(0x07).description == "\\x07")
        #expect(AlignedSymbol(0x41).description == "A")
    }
}
