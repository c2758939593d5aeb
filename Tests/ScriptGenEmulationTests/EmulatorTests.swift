import ScriptGenEmulation
import ScriptGenModel
import Testing
import ScriptGenTestSupport

@Suite struct EmulatorTests {
    static let quiet = EmulationOptions.defaultQuietTime

    func emulator(_ machine: StateMachine, _ options: EmulationOptions = EmulationOptions(noMatch: .silence), seed: UInt64 = 1) throws -> Emulator<SplitMix64> {
        try Emulator(machine: machine, options: options, generator: SplitMix64(seed: seed))
    }

    @Test func bannerOnConnectOnlyOnce() throws {
        var ftp = try emulator(ExampleMachines.ftp)
        #expect(ftp.connect() == [.sendText("220 hi\r\n")])
        #expect(ftp.connect() == [])
        var raw = try emulator(Machines.raw)
        #expect(raw.connect() == [], "no banner observed")
    }

    @Test func exactEdgeIsAnsweredAtOnce() throws {
        var ftp = try emulator(ExampleMachines.ftp)
        _ = ftp.connect()
        #expect(ftp.receive(bytes("QUIT\r\n"), now: 0) == [
            .matched(request: bytes("QUIT\r\n"), edge: 1, from: 0, to: 5), .sendText("221 bye\r\n"),
        ])
        #expect(ftp.state == 5)
        #expect(ftp.nextDeadline == nil)
    }

    static let longest = EmulationOptions(noMatch: .silence, completion: .longest)

    @Test func gappedEdgeWaitsForQuietTimeUnderTheLongestRule() throws {
        var ftp = try emulator(ExampleMachines.ftp, Self.longest)
        // The gap could still take "\r\n" and more, so the request is not complete yet.
        #expect(ftp.receive(bytes("USER alice\r\n"), now: 1_000) == [])
        #expect(ftp.pendingByteCount == 12)
        #expect(ftp.nextDeadline == 1_000 + Self.quiet)
        #expect(ftp.quietTimeElapsed(now: 1_000 + Self.quiet - 1) == [])
        #expect(ftp.quietTimeElapsed(now: 1_000 + Self.quiet) == [
            .matched(request: bytes("USER alice\r\n"), edge: 0, from: 0, to: 1), .sendText("331 pw\r\n"),
        ])
        #expect(ftp.nextDeadline == nil)
    }

    @Test func laterBytesPushTheDeadline() throws {
        var ftp = try emulator(ExampleMachines.ftp, Self.longest)
        _ = ftp.receive(bytes("USER al"), now: 0)
        _ = ftp.receive(bytes("ice\r\n"), now: 200)
        #expect(ftp.quietTimeElapsed(now: Self.quiet) == [])
        #expect(ftp.quietTimeElapsed(now: 200 + Self.quiet).count == 2)
    }

    @Test func severalMessagesAndSilentStates() throws {
        var ftp = try emulator(ExampleMachines.ftp, Self.longest)
        _ = ftp.receive(bytes("USER a\r\n"), now: 0)
        _ = ftp.flush()
        _ = ftp.receive(bytes("PASS b\r\n"), now: 0)
        #expect(ftp.flush() == [.matched(request: bytes("PASS b\r\n"), edge: 0, from: 1, to: 2), .sendText("230 ok\r\n")])
        // "LIST\r\n" is exact and "LIST <arg>\r\n" cannot match it any more: answered at once.
        #expect(ftp.receive(bytes("LIST\r\n"), now: 0) == [
            .matched(request: bytes("LIST\r\n"), edge: 0, from: 2, to: 3), .sendText("150 here\r\n"), .sendText("226 done\r\n"),
        ])
        var silent = try emulator(ExampleMachines.ftp, Self.longest)
        _ = silent.receive(bytes("USER a\r\n"), now: 0)
        _ = silent.flush()
        _ = silent.receive(bytes("PASS b\r\n"), now: 0)
        _ = silent.flush()
        #expect(silent.receive(bytes("PWD\r\n"), now: 0) == [.matched(request: bytes("PWD\r\n"), edge: 1, from: 2, to: 4)])
    }

    @Test func pipelinedRequestsInOneSegment() throws {
        var raw = try emulator(Machines.raw)
        #expect(raw.receive(bytes("X\nAB"), now: 0) == [
            .matched(request: bytes("X\n"), edge: 2, from: 0, to: 3), .sendText("three"),
            .matched(request: bytes("AB"), edge: 0, from: 3, to: 1), .sendText("one"),
        ])
    }

    @Test func quietTimeCompletesAPrefixOfALongerPattern() throws {
        var raw = try emulator(Machines.raw)
        #expect(raw.receive(bytes("AB"), now: 0) == [], "ABCD can still match")
        #expect(raw.receive(bytes("C"), now: 10) == [])
        #expect(raw.quietTimeElapsed(now: 10 + Self.quiet) == [
            // The longest matching prefix is the request; "C" is left for the next state.
            .matched(request: bytes("AB"), edge: 0, from: 0, to: 1), .sendText("one"),
            .noMatch(request: bytes("C"), state: 1, closest: ClosestEdge(edge: 0, target: 3, score: 0, followed: false)),
        ])
        var longer = try emulator(Machines.raw)
        #expect(longer.receive(bytes("ABCD"), now: 0) == [.matched(request: bytes("ABCD"), edge: 1, from: 0, to: 2), .sendText("two")])
    }

    @Test func deadInputFallsBackToTheLongestMatchAtOnce() throws {
        var raw = try emulator(Machines.raw)
        // "ABX" cannot grow into anything: "AB" is the request, "X" starts the next one.
        #expect(raw.receive(bytes("ABX"), now: 0) == [.matched(request: bytes("AB"), edge: 0, from: 0, to: 1), .sendText("one")])
        #expect(raw.pendingByteCount == 1)
        #expect(raw.receive(bytes("\n"), now: 0) == [.matched(request: bytes("X\n"), edge: 0, from: 1, to: 3), .sendText("three")])
    }

    @Test func unmatchableInputIsOneRequestAtQuietTime() throws {
        var ftp = try emulator(ExampleMachines.ftp)
        #expect(ftp.receive(bytes("HEL"), now: 0) == [])
        #expect(ftp.receive(bytes("P\r\n"), now: 5) == [])
        let actions = ftp.quietTimeElapsed(now: 5 + Self.quiet)
        #expect(actions.count == 1)
        guard case .noMatch(let request, let state, let closest) = actions.first else {
            Issue.record("expected a no-match event, got \(actions)")
            return
        }
        #expect(request == bytes("HELP\r\n"))
        #expect(state == 0)
        #expect(closest?.followed == false)
    }

    @Test func closestPolicyAboveThresholdAnswersAsTheClosestEdge() throws {
        let machine = StateMachine(transport: .tcp, port: 1, states: [
            State(edges: [Edge(pattern: .exact(bytes("PASS secret2\r\n")), weight: 1, target: 1)]),
            State(replies: [reply("230 ok\r\n")]),
        ])
        var emulator = try emulator(machine, EmulationOptions(noMatch: .closest(threshold: 0.9)))
        _ = emulator.receive(bytes("PASS secret1\r\n"), now: 0)
        #expect(emulator.flush() == [
            .noMatch(request: bytes("PASS secret1\r\n"), state: 0, closest: ClosestEdge(edge: 0, target: 1, score: 13.0 / 14.0, followed: true)),
            .sendText("230 ok\r\n"),
        ])
        #expect(emulator.state == 1)
    }

    @Test func closestPolicyBelowThresholdStaysSilent() throws {
        var ftp = try emulator(ExampleMachines.ftp, EmulationOptions(noMatch: .closest(threshold: 0.9)))
        _ = ftp.receive(bytes("QUIX\r\n"), now: 0)
        let actions = ftp.flush()
        guard case .noMatch(_, 0, let closest?) = actions.first else {
            Issue.record("expected a no-match event with a closest edge, got \(actions)")
            return
        }
        #expect(closest.edge == 1)
        #expect(closest.score < 0.9)
        #expect(!closest.followed)
        #expect(actions.count == 1)
        #expect(ftp.state == 0)
    }

    @Test func silencePolicy() throws {
        var ftp = try emulator(ExampleMachines.ftp, EmulationOptions(noMatch: .silence))
        _ = ftp.receive(bytes("QUIX\r\n"), now: 0)
        let actions = ftp.flush()
        #expect(actions.count == 1)
        #expect(actions.allSatisfy { $0.isEvent })
        #expect(ftp.state == 0)
        #expect(!ftp.isClosed)
    }

    @Test func closePolicy() throws {
        var ftp = try emulator(ExampleMachines.ftp, EmulationOptions(noMatch: .close))
        _ = ftp.receive(bytes("QUIX\r\n"), now: 0)
        let actions = ftp.flush()
        #expect(actions.count == 2)
        #expect(actions.last == .close)
        #expect(ftp.isClosed)
        #expect(ftp.receive(bytes("QUIT\r\n"), now: 0) == [])
        #expect(ftp.receiveDatagram(bytes("QUIT\r\n")) == [])
        #expect(ftp.nextDeadline == nil)
    }

    @Test func leafStateKeepsAcceptingThroughTheNoMatchPolicy() throws {
        var ftp = try emulator(ExampleMachines.ftp, EmulationOptions(noMatch: .closest(threshold: 0)))
        _ = ftp.receive(bytes("QUIT\r\n"), now: 0)
        #expect(ftp.state == 5)
        #expect(ftp.receive(bytes("NOOP\r\n"), now: 0) == [], "unmatchable input waits for the quiet time")
        #expect(ftp.flush() == [.noMatch(request: bytes("NOOP\r\n"), state: 5, closest: nil)])
        #expect(!ftp.isClosed)
    }

    @Test func mostFrequentReplyByDefault() throws {
        for seed in 0..<20 {
            var ftp = try emulator(ExampleMachines.ftp, seed: UInt64(seed))
            #expect(login(&ftp) == [bytes("230 ok\r\n")])
        }
    }

    @Test func weightedRandomIsReproducibleAndUsesEveryReply() throws {
        let options = EmulationOptions(noMatch: .silence, responseChoice: .weightedRandom)
        func run(seed: UInt64) throws -> [[UInt8]] {
            var generator = SplitMix64(seed: seed)
            var answers: [[UInt8]] = []
            for _ in 0..<200 {
                var ftp = try Emulator(machine: ExampleMachines.ftp, options: options, generator: generator)
                answers += login(&ftp)
                generator = ftp.generator
            }
            return answers
        }
        let first = try run(seed: 42)
        let again = try run(seed: 42)
        let other = try run(seed: 43)
        #expect(again == first)
        #expect(other != first)
        let bad = first.filter { $0 == bytes("530 bad\r\n") }.count
        #expect(bad > 0 && bad < 100, "weights 3:1 give about 50 of 200, got \(bad)")
    }

    @Test func maxRequestBytesCutsAGrowingRequest() throws {
        let machine = StateMachine(transport: .tcp, port: 1, states: [
            State(edges: [Edge(pattern: Pattern(elements: [.variable(min: 1, max: 100), .fixed(bytes("\r\n"))]), weight: 1, target: 1)]),
            State(replies: [reply("ok")]),
        ])
        var emulator = try emulator(machine, EmulationOptions(noMatch: .silence, maxRequestBytes: 8))
        #expect(emulator.receive(bytes("0123456789"), now: 0) == [
            .limitHit(.maxRequestBytes, state: 0, byteCount: 8),
            .noMatch(request: bytes("01234567"), state: 0, closest: ClosestEdge(edge: 0, target: 1, score: 0, followed: false)),
        ])
        #expect(emulator.pendingByteCount == 2)
        // Exactly at the limit and matching: under the longest rule the request could still
        // grow, so it is cut and the cut request is a match; under the eager rule it is complete.
        var exact = try self.emulator(machine, EmulationOptions(noMatch: .silence, maxRequestBytes: 8, completion: .longest))
        #expect(exact.receive(bytes("012345\r\n"), now: 0) == [
            .limitHit(.maxRequestBytes, state: 0, byteCount: 8),
            .matched(request: bytes("012345\r\n"), edge: 0, from: 0, to: 1), .sendText("ok"),
        ])
        var eager = try self.emulator(machine, EmulationOptions(noMatch: .silence, maxRequestBytes: 8, completion: .eager))
        #expect(eager.receive(bytes("012345\r\n"), now: 0) == [.matched(request: bytes("012345\r\n"), edge: 0, from: 0, to: 1), .sendText("ok")])
    }

    @Test func maxRequestBytesCutsUnmatchableInput() throws {
        var raw = try emulator(Machines.raw, EmulationOptions(noMatch: .silence, maxRequestBytes: 8))
        let actions = raw.receive([UInt8](repeating: UInt8(ascii: "z"), count: 20), now: 0)
        #expect(actions.filter { $0 == .limitHit(.maxRequestBytes, state: 0, byteCount: 8) }.count == 2)
        #expect(actions.count == 4)
        #expect(raw.pendingByteCount == 4)
        #expect(raw.flush().count == 1)
    }

    @Test func datagramsAreCompleteRequests() throws {
        var dns = try emulator(Machines.udp, EmulationOptions(noMatch: .silence, maxRequestBytes: 16))
        #expect(dns.connect() == [])
        #expect(dns.receiveDatagram(bytes("Qabc")) == [.matched(request: bytes("Qabc"), edge: 0, from: 0, to: 1), .sendText("R1"), .sendText("R2")])
        // Too short for the pattern, although a longer datagram could match: no waiting for UDP.
        let short = dns.receiveDatagram(bytes("Qa"))
        #expect(short.count == 1)
        #expect(short.allSatisfy { $0.isEvent })
        let long = dns.receiveDatagram([UInt8](repeating: UInt8(ascii: "Q"), count: 20))
        #expect(long.first == .limitHit(.maxRequestBytes, state: 1, byteCount: 16))
    }

    @Test func edgePreferenceAmongMatches() throws {
        let machine = try CompiledMachine(StateMachine(transport: .tcp, port: 1, states: [
            State(edges: [
                Edge(pattern: Pattern(elements: [.variable(min: 1, max: 9)]), weight: 9, target: 0),
                Edge(pattern: gap("G", 0, 9, "T"), weight: 1, target: 0),
                Edge(pattern: gap("GE", 0, 9, "T"), weight: 1, target: 0),
                Edge(pattern: gap("G", 0, 9, "ET"), weight: 2, target: 0),
                Edge(pattern: gap("GE", 0, 9, "T"), weight: 2, target: 0),
            ]),
        ]))
        #expect(machine.matchingEdge(for: bytes("GET"), in: 0) == 3, "three fixed bytes, then the heavier, then the first")
        #expect(machine.matchingEdge(for: bytes("GxT"), in: 0) == 1)
        #expect(machine.matchingEdge(for: bytes("xyz"), in: 0) == 0)
        #expect(machine.matchingEdge(for: bytes(""), in: 0) == nil)
    }

    @Test func invalidMachinesAreRejected() {
        let empty = #expect(throws: InvalidMachineError.self) {
            try CompiledMachine(StateMachine(transport: .tcp, port: 1, states: []))
        }
        #expect(empty?.reason == .noRootState)
        let dangling = #expect(throws: InvalidMachineError.self) {
            try CompiledMachine(StateMachine(transport: .tcp, port: 1, states: [State(edges: [Edge(pattern: .exact(bytes("x")), weight: 1, target: 7)])]))
        }
        #expect(dangling?.reason == .edgeTargetOutOfRange(7))
        #expect(dangling?.state == 0)
        #expect(dangling?.edge == 0)
    }

    /// Logs in and returns what the server sent after PASS (at once, or at the flush).
    func login(_ ftp: inout Emulator<SplitMix64>) -> [[UInt8]] {
        _ = ftp.receive(bytes("USER a\r\n"), now: 0)
        _ = ftp.flush()
        let actions = ftp.receive(bytes("PASS b\r\n"), now: 0) + ftp.flush()
        return actions.compactMap { if case .send(let bytes) = $0 { bytes } else { nil } }
    }
}
