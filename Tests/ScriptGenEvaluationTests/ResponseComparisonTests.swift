import ScriptGenEvaluation
import Testing
import ScriptGenTestSupport

@Suite struct ResponseComparisonTests {
    @Test func identicalAnswersAreExact() {
        let comparison = ResponseComparison(real: bytes("220 hi\r\n"), emulated: bytes("220 hi\r\n"))
        #expect(comparison.isExact)
        #expect(comparison.similarity == 1)
    }

    @Test func bothSilentIsExact() {
        let comparison = ResponseComparison(real: [], emulated: [])
        #expect(comparison.isExact)
        #expect(comparison.similarity == 1)
    }

    @Test func silenceAgainstAnAnswerIsZeroEitherWay() {
        #expect(ResponseComparison(real: [], emulated: bytes("x")) == ResponseComparison(real: bytes("x"), emulated: []))
        #expect(ResponseComparison(real: [], emulated: bytes("x")).similarity == 0)
        #expect(!ResponseComparison(real: [], emulated: bytes("x")).isExact)
    }

    @Test func similarityIsLongestCommonSubsequenceOverTheLongerLength() {
        #expect(ResponseComparison(real: bytes("abcd"), emulated: bytes("abXd")).similarity == 0.75)
        #expect(ResponseComparison(real: bytes("abcd"), emulated: bytes("ab")).similarity == 0.5)
        #expect(ResponseComparison(real: bytes("abcd"), emulated: bytes("wxyz")).similarity == 0)
    }

    @Test func similarityLooksAtThePrefixOnlyButExactnessAtEverything() {
        let comparison = ResponseComparison(real: bytes("abcdXYZ"), emulated: bytes("abcdQ"), prefixBytes: 4)
        #expect(!comparison.isExact)
        #expect(comparison.similarity == 1)
        #expect(ResponseComparison(real: bytes("abcdXYZ"), emulated: bytes("abQQ"), prefixBytes: 4).similarity == 0.5)
    }
}
