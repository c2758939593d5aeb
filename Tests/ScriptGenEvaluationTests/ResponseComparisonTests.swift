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

    @Test func theServersOwnVariationIsMaskedAndTheReplyChosenIsTold() {
        // `220 vm <date>\r\n`: the date (bytes 7..<38) is a time field.
        let real = bytes("220 vm Fri, 27 Nov 2026 00:07:06 +0000\r\n")
        let emulated = bytes("220 vm Tue, 08 Dec 2026 00:03:23 +0000\r\n")
        let dated = ResponseComparison(real: real, emulated: emulated, varying: [7..<38], fields: [7..<38])
        #expect(!dated.isExact && dated.isEquivalent && dated.fitsTemplate)
        // Without the mask it is another answer; one byte off outside it too.
        #expect(!ResponseComparison(real: real, emulated: emulated).isEquivalent)
        let other = bytes("221 vm Tue, 08 Dec 2026 00:03:23 +0000\r\n")
        let wrong = ResponseComparison(real: real, emulated: other, varying: [7..<38], fields: [7..<38])
        #expect(!wrong.isEquivalent && !wrong.fitsTemplate)
        // An echo (a copy, not masked) of another length: the reply fits, its field is wrong.
        let echoReal = bytes("250 Hello probe.example.org [127.0.0.1]\r\n")
        let echoEmulated = bytes("250 Hello x [127.0.0.1]\r\n")
        let echo = ResponseComparison(real: echoReal, emulated: echoEmulated, fields: [10..<11])
        #expect(echo.fitsTemplate && !echo.isEquivalent)
        // A piece missing around the field: another reply.
        #expect(!ResponseComparison(real: bytes("250 Hello probe"), emulated: echoEmulated, fields: [10..<11]).fitsTemplate)
    }
}
