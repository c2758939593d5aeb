import ScriptGenEmulation
import ScriptGenModel
import Testing
import ScriptGenTestSupport

/// `EmulationOptions.CompletionRule.eager`: requests matching an edge that ends with fixed bytes
/// are answered without waiting for the quiet time.
@Suite struct EagerCompletionTests {
    static let quiet = EmulationOptions.defaultQuietTime

    func emulator(_ machine: StateMachine, maxRequestBytes: Int = EmulationOptions.defaultMaxRequestBytes) throws -> Emulator<SplitMix64> {
        try Emulator(machine: machine, options: EmulationOptions(noMatch: .silence, maxRequestBytes: maxRequestBytes), generator: SplitMix64(seed: 1))
    }

    func matchedRequests(_ actions: [EmulatorAction]) -> [String] {
        actions.compactMap { action in
            if case .matched(let request, _, _, _) = action { String(decoding: request, as: UTF8.self) } else { nil }
        }
    }

    @Test func eagerIsTheDefault() {
        #expect(EmulationOptions().completion == .eager)
    }

    @Test func gappedUserRequestIsAnsweredAtOnce() throws {
        var ftp = try emulator(ExampleMachines.ftp)
        _ = ftp.connect()
        #expect(ftp.receive(bytes("USER alice\r\n"), now: 1_000) == [
            .matched(request: bytes("USER alice\r\n"), edge: 0, from: 0, to: 1), .sendText("331 pw\r\n"),
        ])
        #expect(ftp.pendingByteCount == 0)
        #expect(ftp.nextDeadline == nil)
    }

    @Test func requestInPiecesIsAnsweredWithItsLastByte() throws {
        var ftp = try emulator(ExampleMachines.ftp)
        #expect(ftp.receive(bytes("USER alice\r"), now: 0) == [])
        #expect(ftp.nextDeadline == Self.quiet)
        #expect(ftp.receive(bytes("\n"), now: 5) == [.matched(request: bytes("USER alice\r\n"), edge: 0, from: 0, to: 1), .sendText("331 pw\r\n")])
    }

    @Test func twoPipelinedGappedRequestsInOnePieceGetTwoAnswers() throws {
        var ftp = try emulator(ExampleMachines.ftp)
        #expect(ftp.receive(bytes("USER alice\r\nPASS secret\r\n"), now: 0) == [
            .matched(request: bytes("USER alice\r\n"), edge: 0, from: 0, to: 1), .sendText("331 pw\r\n"),
            .matched(request: bytes("PASS secret\r\n"), edge: 0, from: 1, to: 2), .sendText("230 ok\r\n"),
        ])
        #expect(ftp.pendingByteCount == 0)
        // The same gapped edge twice: the lazy gap stops at the first "\r\n", although
        // "a\r\nHEAD b" would fit in its 1...16 bytes.
        var http = try emulator(Machines.http)
        #expect(matchedRequests(http.receive(bytes("HEAD a\r\nHEAD b\r\n"), now: 0)) == ["HEAD a\r\n", "HEAD b\r\n"])
    }

    @Test func respArrayIsOneRequestWhateverTheSplit() throws {
        // "*2\r\n$3\r\nGET\r\n$10\r\n" already matches the loose edge; the array is longer.
        let array = bytes("*2\r\n$3\r\nGET\r\n$10\r\norder:9001\r\n")
        for pieceSize in [1, 2, 5, 13, array.count] {
            var redis = try emulator(Machines.redis)
            var actions: [EmulatorAction] = []
            for start in stride(from: 0, to: array.count, by: pieceSize) {
                actions += redis.receive(Array(array[start..<min(array.count, start + pieceSize)]), now: Int64(start))
            }
            #expect(actions == [.matched(request: array, edge: 1, from: 0, to: 2), .sendText("$5\r\nvalue\r\n")], "pieces of \(pieceSize)")
        }
        // Two arrays in one read: two requests; an unfinished one waits.
        var redis = try emulator(Machines.redis)
        #expect(matchedRequests(redis.receive(array + array + Array(array.prefix(9)), now: 0)).count == 2)
        #expect(redis.pendingByteCount == 9)
    }

    @Test func aDrippedHugeArrayIsCutAtTheRequestLimit() throws {
        // A hostile client announces 2^20 elements and sends empty ones a byte per read: the
        // framing resumes where it stopped (parsing the pending bytes from the start on every
        // read took 350 s in a debug build), and the limit still ends the request.
        var redis = try emulator(Machines.redis, maxRequestBytes: 65_536)
        let element = Array("$0\r\n\r\n".utf8)
        var input = Array("*1048576\r\n".utf8)
        while input.count < 65_600 { input += element }
        var limits = 0
        for (index, byte) in input.enumerated() {
            for action in redis.receive([byte], now: Int64(index)) {
                if case .limitHit = action { limits += 1 }
            }
        }
        #expect(limits == 1)
    }

    @Test func httpRequestEndsAtTheBlankLineNotAtAHeaderLine() throws {
        var http = try emulator(Machines.http)
        #expect(http.receive(bytes("GET /a HTTP/1.1\r\nHost: h\r\nAccept: */*\r\n"), now: 0) == [], "header lines end in \\r\\n, the request does not")
        #expect(http.receive(bytes("\r\n"), now: 1) == [
            .matched(request: bytes("GET /a HTTP/1.1\r\nHost: h\r\nAccept: */*\r\n\r\n"), edge: 2, from: 0, to: 3),
            .sendText("HTTP/1.1 200 OK\r\n\r\n"),
        ])
        var pipelined = try emulator(Machines.http)
        let actions = pipelined.receive(bytes("GET /a HTTP/1.1\r\nHost: h\r\n\r\nGET /b HTTP/1.1\r\nHost: h\r\n\r\nHEAD /c\r\n"), now: 0)
        #expect(matchedRequests(actions) == ["GET /a HTTP/1.1\r\nHost: h\r\n\r\n", "GET /b HTTP/1.1\r\nHost: h\r\n\r\n", "HEAD /c\r\n"])
        #expect(pipelined.pendingByteCount == 0)
    }

    @Test func rawPrefixOfALongerRawEdgeWaitsWhileTheLongerOneIsConsistent() throws {
        // "GET / HTTP/1.0\r\n" could be the start of the raw "GET / HTTP/1.0\r\n\r\n".
        var short = try emulator(Machines.http)
        #expect(short.receive(bytes("GET / HTTP/1.0\r\n"), now: 0) == [])
        #expect(short.receive(bytes("\r"), now: 1) == [], "still consistent with the longer raw edge")
        // At the quiet time the longest match is the request; "\r" is left over, unmatched.
        let actions = short.quietTimeElapsed(now: 1 + Self.quiet)
        #expect(Array(actions.prefix(2)) == [.matched(request: bytes("GET / HTTP/1.0\r\n"), edge: 0, from: 0, to: 1), .sendText("short")])
        guard actions.count == 3, case .noMatch(let rest, 1, _) = actions[2] else {
            Issue.record("expected the left-over byte as a no-match, got \(actions)")
            return
        }
        #expect(rest == bytes("\r"))
        // The longer raw edge fully received: it is the request, at once (it beats the gapped
        // edge that matches it too: more fixed bytes).
        var long = try emulator(Machines.http)
        #expect(long.receive(bytes("GET / HTTP/1.0\r\n\r\n"), now: 0) == [
            .matched(request: bytes("GET / HTTP/1.0\r\n\r\n"), edge: 1, from: 0, to: 2), .sendText("long"),
        ])
        // A byte that contradicts the longer raw edge settles the shorter one at once.
        var contradicted = try emulator(Machines.http)
        #expect(contradicted.receive(bytes("GET / HTTP/1.0\r\nHEAD /x\r\n"), now: 0) == [
            .matched(request: bytes("GET / HTTP/1.0\r\n"), edge: 0, from: 0, to: 1), .sendText("short"),
            .matched(request: bytes("HEAD /x\r\n"), edge: 3, from: 1, to: 4), .sendText("HTTP/1.1 204 No Content\r\n\r\n"),
        ])
        // Same for the raw "AB" / "ABCD" pair.
        var raw = try emulator(Machines.raw)
        #expect(raw.receive(bytes("AB"), now: 0) == [])
        #expect(raw.receive(bytes("X\n"), now: 1) == [
            .matched(request: bytes("AB"), edge: 0, from: 0, to: 1), .sendText("one"),
            .matched(request: bytes("X\n"), edge: 0, from: 1, to: 3), .sendText("three"),
        ])
    }

    @Test func rawEdgeIsAnsweredAtOnceAlthoughAGappedEdgeCouldMatchLonger() throws {
        // "LIST\r\n" is raw; "LIST <1-32>\r\n" is gapped, so it does not hold the request back.
        let machine = StateMachine(transport: .tcp, port: 1, states: [
            State(edges: [
                Edge(pattern: .exact(bytes("LIST\r\n")), weight: 1, target: 1),
                Edge(pattern: gap("LIST ", 1, 32, "\r\n"), weight: 9, target: 2),
            ]),
            State(replies: [reply("raw")]),
            State(replies: [reply("gapped")]),
        ])
        var emulator = try emulator(machine)
        #expect(emulator.receive(bytes("LIST\r\n"), now: 0) == [.matched(request: bytes("LIST\r\n"), edge: 0, from: 0, to: 1), .sendText("raw")])
        #expect(emulator.receive(bytes("LIST /tmp\r\n"), now: 0) == [], "state 1 has no edges: unmatched, waits for the quiet time")
        var gapped = try self.emulator(machine)
        #expect(gapped.receive(bytes("LIST /tmp\r\n"), now: 0) == [.matched(request: bytes("LIST /tmp\r\n"), edge: 1, from: 0, to: 2), .sendText("gapped")])
    }

    @Test func preferenceAmongEdgesMatchingTheShortestRequest() throws {
        let machine = StateMachine(transport: .tcp, port: 1, states: [
            State(edges: [
                Edge(pattern: gap("USER ", 1, 16, "\r\n"), weight: 9, target: 1),
                Edge(pattern: gap("USER a", 0, 16, "\r\n"), weight: 1, target: 2),
                // Ends with a gap: it takes part in the choice only at the same length.
                Edge(pattern: Pattern(elements: [.fixed(bytes("USER ")), .variable(min: 0, max: 64)]), weight: 99, target: 3),
            ]),
            State(replies: [reply("one")]),
            State(replies: [reply("two")]),
            State(replies: [reply("three")]),
        ])
        var emulator = try emulator(machine)
        #expect(emulator.receive(bytes("USER ab\r\n"), now: 0) == [.matched(request: bytes("USER ab\r\n"), edge: 1, from: 0, to: 2), .sendText("two")])
        var other = try self.emulator(machine)
        #expect(other.receive(bytes("USER xy\r\n"), now: 0) == [.matched(request: bytes("USER xy\r\n"), edge: 0, from: 0, to: 1), .sendText("one")])
    }

    @Test func patternEndingInAVariableElementStillWaitsForTheQuietTime() throws {
        // Any "Q" plus 3...11 bytes: no fixed end, so a longer request could always follow.
        let machine = StateMachine(transport: .tcp, port: 1, states: [
            State(edges: [Edge(pattern: Pattern(elements: [.fixed(bytes("Q")), .variable(min: 3, max: 11)]), weight: 1, target: 1)]),
            State(replies: [reply("R")]),
        ])
        var emulator = try emulator(machine)
        #expect(emulator.receive(bytes("Qabc"), now: 100) == [])
        #expect(emulator.nextDeadline == 100 + Self.quiet)
        #expect(emulator.quietTimeElapsed(now: 100 + Self.quiet - 1) == [])
        #expect(emulator.quietTimeElapsed(now: 100 + Self.quiet) == [.matched(request: bytes("Qabc"), edge: 0, from: 0, to: 1), .sendText("R")])
        // At the pattern's maximum length nothing can grow any more: answered at once.
        var full = try self.emulator(machine)
        #expect(full.receive(bytes("Q0123456789a"), now: 0) == [.matched(request: bytes("Q0123456789a"), edge: 0, from: 0, to: 1), .sendText("R")])
    }

    @Test func unmatchedRequestStillWaitsForTheQuietTime() throws {
        var ftp = try emulator(ExampleMachines.ftp)
        #expect(ftp.receive(bytes("HELP\r\n"), now: 0) == [])
        #expect(ftp.quietTimeElapsed(now: Self.quiet).count == 1)
    }

    @Test func limitStillCutsARequestWithoutItsFixedEnd() throws {
        var ftp = try emulator(ExampleMachines.ftp, maxRequestBytes: 8)
        let actions = ftp.receive(bytes("USER aliceandbob\r\n"), now: 0)
        #expect(actions.first == .limitHit(.maxRequestBytes, state: 0, byteCount: 8))
    }
}
