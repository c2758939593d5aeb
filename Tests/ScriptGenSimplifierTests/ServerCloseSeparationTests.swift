import ScriptGenEmulation
import ScriptGenModel
@testable import ScriptGenSimplifier
import Testing
import ScriptGenTestSupport

/// `separateServerCloses`, and `serverCloses` summed wherever states are pooled or merged.
@Suite struct ServerCloseSeparationTests {
    static let keptAlive = [
        "GET /a.html HTTP/1.1\r\nHost: x\r\n\r\n", "GET /b.html HTTP/1.1\r\nHost: x\r\n\r\n",
        "GET /c/ HTTP/1.1\r\nHost: x\r\n\r\n", "GET /dd.txt HTTP/1.1\r\nHost: x\r\n\r\n",
        "GET /e.png HTTP/1.1\r\nHost: x\r\n\r\n", "GET /f.css HTTP/1.1\r\nHost: x\r\n\r\n",
    ]
    static let closed = ["GET / HTTP/1.0\r\n\r\n", "GET / HTTP/1.0\r\nUser-Agent: y\r\n\r\n"]

    /// One conversation per request (the closed ones each seen `closedTimes` times); the server
    /// closed after every `closed` request.
    static func machine(closedTimes: Int = 1, closed: [String] = closed) -> StateMachine {
        var requests = keptAlive.map(bytes)
        for request in closed { requests += Array(repeating: bytes(request), count: closedTimes) }
        var machine = flatMachine(requests, port: 80)
        for edge in machine.states[0].edges where closed.map(bytes).contains(edge.pattern.exactBytes!) {
            machine.states[edge.target].serverCloses = machine.states[edge.target].endings
        }
        return machine
    }

    static func closes(_ state: State) -> Bool { state.serverCloses * 2 > state.visits }

    /// The state the emulator reaches from the root with `request`.
    static func target(of request: String, in machine: StateMachine) throws -> State {
        let compiled = try CompiledMachine(machine)
        let edge = try #require(compiled.matchingEdge(for: bytes(request), in: StateMachine.root))
        return machine.states[machine.states[0].edges[edge].target]
    }

    @Test func closingRequestsGetAnEdgeOfTheirOwn() throws {
        let (machine, report) = try simplifyChecked(Self.machine())
        #expect(report.edgesSeparatedByServerClose == 1)
        let http10 = try Self.target(of: "GET / HTTP/1.0\r\n\r\n", in: machine)
        #expect(http10.visits == 2 && http10.serverCloses == 2)
        let http11 = try Self.target(of: "GET /a.html HTTP/1.1\r\nHost: x\r\n\r\n", in: machine)
        #expect(http11.visits == 6 && http11.serverCloses == 0)
        // The general edge keeps its pattern: an unseen HTTP/1.1 request still matches it,
        // and an unseen HTTP/1.0 request with headers goes to the closing edge.
        #expect(try Self.target(of: "GET /new HTTP/1.1\r\nHost: z\r\n\r\n", in: machine) == http11)
        #expect(Self.closes(try Self.target(of: "GET / HTTP/1.0\r\nAccept: */*\r\n\r\n", in: machine)))
        #expect(report.summary.contains("1 edges for requests the server closed after (or not), apart from their cluster"))
    }

    @Test func switchedOffTheClosesArePooledWithTheRest() throws {
        let (machine, report) = try simplifyChecked(Self.machine(), options: SimplifierOptions { $0.separateServerCloses = false })
        #expect(report.edgesSeparatedByServerClose == 0)
        let state = try Self.target(of: "GET / HTTP/1.0\r\n\r\n", in: machine)
        #expect(state == (try Self.target(of: "GET /a.html HTTP/1.1\r\nHost: x\r\n\r\n", in: machine)))
        #expect(state.visits == 8 && state.serverCloses == 2)
        #expect(!report.summary.contains("closed after"))
    }

    @Test func oneObservedCloseIsNoEvidence() throws {
        // A single closing request seen once stays in its cluster.
        let single = try simplifyChecked(Self.machine(closed: ["GET / HTTP/1.0\r\n\r\n"])).0
        #expect(try Self.target(of: "GET / HTTP/1.0\r\n\r\n", in: single).visits == 7)
        // Seen twice, it gets an exact edge.
        let twice = try simplifyChecked(Self.machine(closedTimes: 2, closed: ["GET / HTTP/1.0\r\n\r\n"])).0
        let state = try Self.target(of: "GET / HTTP/1.0\r\n\r\n", in: twice)
        #expect(state.visits == 2 && state.serverCloses == 2)
        #expect(twice.states[0].edges.contains { $0.pattern == .exact(bytes("GET / HTTP/1.0\r\n\r\n")) })
    }

    @Test func theSmallerSideMovesWhenMostRequestsClose() throws {
        // Every request but one (seen twice) closes: the closing ones keep the general edge.
        var machine = Self.machine()
        for edge in machine.states[0].edges {
            let state = machine.states[edge.target]
            machine.states[edge.target].serverCloses = state.endings
        }
        let open = machine.states[0].edges[0].target
        machine.states[open].serverCloses = 0
        machine.states[open].visits = 2
        machine.states[open].endings = 2
        machine.states[0].edges[0].weight = 2
        let (simplified, report) = try simplifyChecked(machine)
        #expect(report.edgesSeparatedByServerClose == 1)
        let kept = try Self.target(of: Self.keptAlive[0], in: simplified)
        #expect(kept.visits == 2 && kept.serverCloses == 0)
        #expect(Self.closes(try Self.target(of: Self.keptAlive[1], in: simplified)))
    }

    @Test func noSeparationWhenItWouldExceedTheFanout() throws {
        let (machine, report) = try simplifyChecked(Self.machine(), options: SimplifierOptions { $0.maxFanout = 1 })
        #expect(report.edgesSeparatedByServerClose == 0)
        #expect(machine.states[0].edges.count == 1)
    }

    @Test func quitClosesInEveryContextAfterMerging() throws {
        // QUIT closed before and after login: whichever contexts merge, it closes in each.
        var raw = scriptedTree([
            ContextMergingTests.login + [("QUIT\r\n", "221 Bye\r\n")],
            ContextMergingTests.login + [("QUIT\r\n", "221 Bye\r\n")],
            [("QUIT\r\n", "221 Bye\r\n")],
            [("QUIT\r\n", "221 Bye\r\n")],
            ContextMergingTests.login + [("NOOP\r\n", "200 ok\r\n")],
        ])
        for index in raw.states.indices where raw.states[index].replies.first?.reply.messages == [bytes("221 Bye\r\n")] {
            raw.states[index].serverCloses = raw.states[index].endings
        }
        let (merged, _) = try simplifyChecked(raw)
        let compiled = try CompiledMachine(merged)
        var state = StateMachine.root
        for request in ["USER alice\r\n", "PASS pw\r\n", "QUIT\r\n"] {
            let edge = try #require(compiled.matchingEdge(for: bytes(request), in: state))
            state = merged.states[state].edges[edge].target
        }
        #expect(Self.closes(merged.states[state]))
        let atRoot = try #require(compiled.matchingEdge(for: bytes("QUIT\r\n"), in: StateMachine.root))
        #expect(Self.closes(merged.states[merged.states[0].edges[atRoot].target]))
    }

    @Test(arguments: [("ftp-train.pcap", UInt16(21)), ("smtp-train.pcap", 25), ("http-train.pcap", 80)])
    func theClosesOfTheTreeAreAllKept(capture: String, port: UInt16) throws {
        // Every close of the raw tree ends up in exactly one simplified state (shared
        // commands, which no conversation took, add none), merged or not.
        let raw = try FixtureMachines.machine(capture, port: port)
        let total = raw.states.reduce(0) { $0 + $1.serverCloses }
        #expect(total > 0)
        for options in [SimplifierOptions(), SimplifierOptions { $0.mergeContexts = false }, SimplifierOptions { $0.separateServerCloses = false }] {
            let (machine, _) = try simplifyChecked(raw, options: options)
            #expect(machine.states.reduce(0) { $0 + $1.serverCloses } == total)
            #expect(machine.states.allSatisfy { $0.serverCloses <= $0.endings })
        }
    }

    @Test func theFixturesCloseAfterQuitAndHttp10ButNotAfterKeptAliveRequests() throws {
        let http = try simplifyChecked(try FixtureMachines.machine("http-train.pcap", port: 80)).0
        #expect(Self.closes(try Self.target(of: "GET / HTTP/1.0\r\n\r\n", in: http)))
        #expect(!Self.closes(try Self.target(of: "GET /about.html HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\n\r\n", in: http)))
        let ftp = try simplifyChecked(try FixtureMachines.machine("ftp-train.pcap", port: 21)).0
        #expect(Self.closes(try Self.target(of: "QUIT\r\n", in: ftp)))
        #expect(!Self.closes(try Self.target(of: "USER anonymous\r\n", in: ftp)))
        let smtp = try simplifyChecked(try FixtureMachines.machine("smtp-train.pcap", port: 25)).0
        #expect(Self.closes(try Self.target(of: "QUIT\r\n", in: smtp)))
        #expect(!Self.closes(try Self.target(of: "EHLO example.com\r\n", in: smtp)))
    }
}
