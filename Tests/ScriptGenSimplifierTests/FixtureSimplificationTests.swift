import Foundation
import ScriptGenEmulation
import ScriptGenModel
@testable import ScriptGenSimplifier
import Testing
import ScriptGenTestSupport

/// The simplifier on the real fixture captures (Fixtures/captures/*-train.pcap).
@Suite struct FixtureSimplificationTests {
    @Test func ftpUserNamesAndPasswordsCollapseIntoOneEdgeEach() throws {
        let raw = try FixtureMachines.machine("ftp-train.pcap", port: 21)
        let rawUserEdges = raw.states[0].edges.filter { $0.pattern.exactBytes?.starts(with: bytes("USER ")) == true }
        #expect(rawUserEdges.count >= 4)

        let (machine, report) = try simplifyChecked(raw)
        let userEdges = machine.states[0].edges.filter { startsWithFixed($0.pattern, "USER ") }
        try #require(userEdges.count == 1)
        let user = userEdges[0]
        #expect(user.pattern.exactBytes == nil)
        #expect(endsWithFixed(user.pattern, "\r\n"))
        // Weights count the root's context: the root's own USER traffic and that of the tree
        // states merged into it.
        #expect(user.weight >= rawUserEdges.reduce(0) { $0 + $1.weight })

        let passEdges = machine.states[user.target].edges.filter { startsWithFixed($0.pattern, "PASS ") }
        try #require(passEdges.count == 1)
        #expect(passEdges[0].pattern.exactBytes == nil)
        #expect(endsWithFixed(passEdges[0].pattern, "\r\n"))

        // Unseen names and passwords follow the generalised edges.
        #expect(CompiledPattern(user.pattern).matches(bytes("USER zelda\r\n")))
        #expect(CompiledPattern(passEdges[0].pattern).matches(bytes("PASS hunter2\r\n")))
        let compiled = try CompiledMachine(machine)
        let edge = try #require(compiled.matchingEdge(for: bytes("USER zelda\r\n"), in: StateMachine.root))
        #expect(machine.states[0].edges[edge] == user)
        #expect(compiled.matchingEdge(for: bytes("PASS zelda\r\n"), in: StateMachine.root) == nil)
        #expect(report.states < report.rawStates)
        #expect(report.generalisedEdges >= 2)
    }

    @Test func httpGetRequestsShareOneEdgeAndMethodsSplit() throws {
        let raw = try FixtureMachines.machine("http-train.pcap", port: 80)
        let (machine, report) = try simplifyChecked(raw)
        let root = machine.states[0]
        let get = try #require(root.edges.first { startsWithFixed($0.pattern, "GET /") && $0.pattern.exactBytes == nil })
        #expect(get == root.edges[0])  // the heaviest
        #expect(endsWithFixed(get.pattern, "\r\n\r\n"))
        #expect(root.edges.contains { startsWithFixed($0.pattern, "HEAD /") && $0.pattern.exactBytes == nil })
        #expect(root.edges.contains { startsWithFixed($0.pattern, "POST /") })
        // The GET edge took requests for many paths and user agents.
        let getRequests = raw.states[0].edges.compactMap(\.pattern.exactBytes).filter { CompiledPattern(get.pattern).matches($0) }
        let paths = Set(getRequests.map { String(decoding: $0.split(separator: 0x20)[1], as: UTF8.self) })
        let agents = Set(getRequests.compactMap { request -> String? in
            let text = String(decoding: request, as: UTF8.self)
            return text.split(separator: "\r\n").first { $0.hasPrefix("User-Agent: ") }.map(String.init)
        })
        #expect(paths.count >= 8)
        #expect(agents.count >= 3)
        #expect(get.weight >= 30)
        // An unseen path and agent still match; other methods do not.
        let compiled = CompiledPattern(get.pattern)
        #expect(compiled.matches(bytes("GET /new/page.html HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: Lynx/2.9\r\n\r\n")))
        #expect(!compiled.matches(bytes("HEAD /about.html HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\n\r\n")))
        #expect(report.states < report.rawStates)
    }

    @Test func smbRequestsSplitByCommandWithTheHeaderKept() throws {
        // Every SMB request of the capture leaving one state: the clusters must follow the
        // command codes, and the header signature must stay fixed.
        let requests = try FixtureMachines.requestSequences("smb-train.pcap", port: 445).flatMap { $0 }
        let raw = flatMachine(requests, port: 445)
        let (machine, _) = try simplifyChecked(raw, options: SimplifierOptions { $0.maxFanout = 1_000 })
        let edges = machine.states[0].edges
        for edge in edges {
            let fixed = fixedParts(edge.pattern).flatMap { $0 }
            #expect(fixed.count >= 8, "an edge without header: \(ModelRendering.preview(edge.pattern))")
        }
        // Generalised SMB2 edges whose first fixed part covers the command (offset 16).
        var commands: [UInt8: Int] = [:]
        for edge in edges where edge.pattern.exactBytes == nil {
            guard case .fixed(let head)? = edge.pattern.elements.first, head.count > 17,
                  head[4...7].elementsEqual([0xFE, 0x53, 0x4D, 0x42]) else { continue }
            commands[head[16], default: 0] += 1
        }
        #expect(commands.count >= 5, "SMB2 commands with their own generalised edges: \(commands)")
        // Each such edge only takes requests of its command.
        for edge in edges {
            guard case .fixed(let head)? = edge.pattern.elements.first, head.count > 17, head[4] == 0xFE else { continue }
            let compiled = CompiledPattern(edge.pattern)
            for request in Set(requests) where request.count > 17 && request[4] == 0xFE && compiled.matches(request) {
                #expect(request[16] == head[16])
            }
        }
        // The real machine: the root's negotiate edges keep their signatures.
        let (realMachine, _) = try simplifyChecked(try FixtureMachines.machine("smb-train.pcap", port: 445))
        let signatures = realMachine.states[0].edges.compactMap { edge -> [UInt8]? in
            fixedParts(edge.pattern).flatMap { $0 }.firstRange(of: [0x53, 0x4D, 0x42]).map { _ in [0x53, 0x4D, 0x42] }
        }
        #expect(signatures.count == realMachine.states[0].edges.count)
    }

    @Test(arguments: [("ftp-train.pcap", UInt16(21)), ("http-train.pcap", 80), ("smb-train.pcap", 445), ("smtp-train.pcap", 25)])
    func everyTrainingRequestFollowsItsOwnEdge(capture: String, port: UInt16) throws {
        let raw = try FixtureMachines.machine(capture, port: port)
        let (machine, report) = try simplifyChecked(raw)
        #expect(machine.states.count < raw.states.count)
        #expect(machine.conversations == raw.conversations)
        // Pooling keeps the counts: every conversation still visits the root, and endings and
        // cut requests add up to the raw ones.
        #expect(machine.states[0].visits == raw.states[0].visits)
        #expect(machine.statistics.endings == raw.statistics.endings)
        #expect(machine.statistics.cutRequests == raw.statistics.cutRequests)
        for state in machine.states {
            let replies = state.replies.map(\.count)
            #expect(replies == replies.sorted(by: >))
            let weights = state.edges.map(\.weight)
            #expect(weights == weights.sorted(by: >))
        }
        #expect(report.states == machine.states.count)
        #expect(report.rawStates == raw.states.count)
    }

    @Test(arguments: [("ftp-train.pcap", UInt16(21)), ("http-train.pcap", 80), ("smb-train.pcap", 445)])
    func sameInputSameMachine(capture: String, port: UInt16) throws {
        let raw = try FixtureMachines.machine(capture, port: port)
        let first = Simplifier.simplify(raw)
        let second = Simplifier.simplify(raw)
        #expect(first.0 == second.0)
        #expect(first.1 == second.1)
    }

    @Test func sampleBoundStillRoutesEveryRequest() throws {
        // Align only 8 requests per state: the rest are assigned to the patterns that match
        // them (or widened ones, or exact edges), never lost.
        let raw = try FixtureMachines.machine("http-train.pcap", port: 80)
        let (_, report) = try simplifyChecked(raw, options: SimplifierOptions { $0.maxAlignedSamples = 8 })
        #expect(report.assignedRequests > 0)
        let requests = try FixtureMachines.requestSequences("smb-train.pcap", port: 445).flatMap { $0 }
        let (_, smbReport) = try simplifyChecked(flatMachine(requests), options: SimplifierOptions { $0.maxAlignedSamples = 20; $0.maxFanout = 1_000 })
        #expect(smbReport.assignedRequests > 0)
    }
}

/// Simplification time of the fixture machines, not a pass/fail timing: run with
/// `SCRIPTGEN_BENCHMARK=1 swift test -c release --filter simplifierFixtureTiming` and read
/// the BENCH lines.
@Test(.enabled(if: ProcessInfo.processInfo.environment["SCRIPTGEN_BENCHMARK"] == "1"))
func simplifierFixtureTiming() throws {
    let clock = ContinuousClock()
    for (capture, port) in [("ftp-train.pcap", UInt16(21)), ("http-train.pcap", 80), ("smb-train.pcap", 445), ("smtp-train.pcap", 25)] {
        let raw = try FixtureMachines.machine(capture, port: port)
        var times: [Duration] = []
        var result: (StateMachine, SimplificationReport)?
        for _ in 0..<5 { times.append(clock.measure { result = Simplifier.simplify(raw) }) }
        let report = result!.1
        print("BENCH \(capture): \(report.rawStates) states/\(report.rawEdges) edges -> \(report.states)/\(report.edges), best of 5: \(times.min()!)")
    }
}

/// The quality/complexity trade-off's size half: states and edges per threshold setting.
/// `SCRIPTGEN_BENCHMARK=1 swift test -c release --filter simplifierThresholdSweep`.
@Test(.enabled(if: ProcessInfo.processInfo.environment["SCRIPTGEN_BENCHMARK"] == "1"))
func simplifierThresholdSweep() throws {
    let settings: [(String, SimplifierOptions)] = [
        ("raw", SimplifierOptions()),
        ("t=0.3", SimplifierOptions { $0.macroclusterThreshold = 0.3 }),
        ("t=0.6 (default)", SimplifierOptions()),
        ("t=0.9", SimplifierOptions { $0.macroclusterThreshold = 0.9 }),
        ("no microclustering", SimplifierOptions { $0.minValueRequests = 1_000_000 }),
        ("maxDistinctValues=3", SimplifierOptions { $0.maxDistinctValues = 3 }),
        ("minFixedLength=1", SimplifierOptions { $0.minFixedLength = 1 }),
    ]
    for (capture, port) in [("ftp-train.pcap", UInt16(21)), ("http-train.pcap", 80), ("smb-train.pcap", 445), ("smtp-train.pcap", 25)] {
        let raw = try FixtureMachines.machine(capture, port: port)
        var cells: [String] = []
        for (name, options) in settings {
            let machine = name == "raw" ? raw : Simplifier.simplify(raw, options: options).0
            let statistics = machine.statistics
            cells.append("\(name): \(statistics.states)/\(statistics.edges)")
        }
        print("SWEEP \(capture) states/edges | " + cells.joined(separator: " | "))
    }
}
