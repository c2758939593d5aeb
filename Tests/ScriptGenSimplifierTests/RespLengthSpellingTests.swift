import ScriptGenEmulation
import ScriptGenModel
@testable import ScriptGenSimplifier
import Testing
import ScriptGenTestSupport

/// Review findings: RESP patterns that do not match the training request they were built from.
@Suite struct RespLengthSpellingTests {
    /// RespArrayFrame accepts up to 9 length digits (leading zeros too), the pattern's length gap
    /// takes 1-4: a lone array whose argument length is written `$00006` misses its own edge.
    @Test func loneArrayWithFiveDigitLengthFieldMatchesItself() throws {
        let request = bytes("*2\r\n$4\r\nAUTH\r\n$00006\r\nsecret\r\n")
        let pattern = try #require(LoneArguments.pattern(for: request))
        let matchesItself = CompiledPattern(pattern).matches(request)
        #expect(matchesItself)
        try simplifyChecked(flatMachine([request], port: 6379))
    }

    /// A value of 10000 bytes or more has a 5-digit length: the 1-4 digit gap misses it.
    @Test func loneArrayWithTenThousandByteValueMatchesItself() throws {
        let value = String(repeating: "v", count: 10_000)
        let request = bytes("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$10000\r\n\(value)\r\n")
        let pattern = try #require(LoneArguments.pattern(for: request))
        let matchesItself = CompiledPattern(pattern).matches(request)
        #expect(matchesItself)
        try simplifyChecked(flatMachine([request], port: 6379))
    }

    /// An argument equal in every sample is re-rendered as `$<count>\r\n`, dropping the
    /// request's own spelling of the length (`$01`).
    @Test func clusterKeepsTheSpellingOfAFixedArgumentsLength() throws {
        let requests = [
            bytes("*3\r\n$3\r\nSET\r\n$01\r\nk\r\n$5\r\nalpha\r\n"),
            bytes("*3\r\n$3\r\nSET\r\n$01\r\nk\r\n$5\r\nbravo\r\n"),
        ]
        // Either no RESP pattern (the cluster is aligned byte-wise instead) or one both match.
        if let pattern = RespPatterns.pattern(forArrays: requests, builder: PatternBuilder(options: SimplifierOptions())) {
            let compiled = CompiledPattern(pattern)
            #expect(requests.map { compiled.matches($0) } == [true, true])
        }
    }

    /// Another spelling of the command's header (`$03` for `$3`) is in the same cluster (same
    /// leading token); the pattern must not be copied from the first request only.
    @Test func clusterStartMatchesEveryRequestsCommandHeader() throws {
        let requests = [
            bytes("*2\r\n$3\r\nGET\r\n$5\r\nalpha\r\n"),
            bytes("*2\r\n$03\r\nGET\r\n$5\r\nbravo\r\n"),
        ]
        #expect(EdgeGeneraliser.leadingToken(requests[0]) == EdgeGeneraliser.leadingToken(requests[1]))
        // Either no RESP pattern (the cluster is aligned byte-wise instead) or one both match.
        if let pattern = RespPatterns.pattern(forArrays: requests, builder: PatternBuilder(options: SimplifierOptions())) {
            let compiled = CompiledPattern(pattern)
            #expect(requests.map { compiled.matches($0) } == [true, true])
        }
    }

    /// Through the whole simplifier: many GETs, one spelled `$03`.
    @Test func simplifiedClusterRoutesEveryRequestSpelling() throws {
        var requests = (0..<8).map { bytes("*2\r\n$3\r\nGET\r\n$6\r\nkey:\($0)0\r\n") }
        requests.append(bytes("*2\r\n$03\r\nGET\r\n$6\r\nkey:99\r\n"))
        try simplifyChecked(flatMachine(requests, port: 6379))
    }
}
