import ScriptGenEvaluation
import Testing

@Suite struct ResponseComparisonTests {
    @Test func identicalAnswersAreExact() {
        let comparison = ResponseComparison(real: b("220 hi\r\n"), emulated: b("220 hi\r\n"))
        #expect(comparison.isExact)
        #expect(comparison.similarity == 1)
    }

    @Test func bothSilentIsExact() {
        let comparison = ResponseComparison(real: [], emulated: [])
        #expect(comparison.isExact)
        #expect(comparison.similarity == 1)
    }

    @Test func silenceAgainstAnAnswerIsZeroEitherWay() {
        #expect(ResponseComparison(real: [], emulated: b("x")) == ResponseComparison(real: b("x"), emulated: []))
        #expect(ResponseComparison(real: [], emulated: b("x")).similarity == 0)
        #expect(!ResponseComparison(real: [], emulated: b("x")).isExact)
    }

    @Test func similarityIsLongestCommonSubsequenceOverTheLongerLength() {
        #expect(ResponseComparison(real: b("abcd"), emulated: b("abXd")).similarity == 0.75)
        #expect(ResponseComparison(real: b("abcd"), emulated: b("ab")).similarity == 0.5)
        #expect(ResponseComparison(real: b("abcd"), emulated: b("wxyz")).similarity == 0)
    }

    @Test func similarityLooksAtThePrefixOnlyButExactnessAtEverything() {
        let comparison = ResponseComparison(real: b("abcdXYZ"), emulated: b("abcdQ"), prefixBytes: 4)
        #expect(!comparison.isExact)
        #expect(comparison.similarity == 1)
        #expect(ResponseComparison(real: b("abcdXYZ"), emulated: b("abQQ"), prefixBytes: 4).similarity == 0.5)
    }
}
