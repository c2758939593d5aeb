import ScriptGenEmulation
import ScriptGenModel
@testable import ScriptGenSimplifier
import Testing
import ScriptGenTestSupport

@Suite struct ThresholdAndLimitTests {
    func smbFlat() throws -> StateMachine {
        flatMachine(try FixtureMachines.requestSequences("smb-train.pcap", port: 445).flatMap { $0 }, port: 445)
    }

    @Test func macroclusterThresholdTradesEdgesForGenerality() throws {
        let raw = try smbFlat()
        var counts: [Int] = []
        for threshold in [0.2, 0.6, 0.9] {
            let (machine, _) = try simplifyChecked(raw, options: SimplifierOptions { $0.macroclusterThreshold = threshold; $0.maxFanout = 1_000 })
            counts.append(machine.states[0].edges.count)
        }
        #expect(counts[0] > counts[1])
        #expect(counts[1] > counts[2])
    }

    @Test func microclusteringThresholdsControlSplits() throws {
        let raw = try smbFlat()
        let (standard, standardReport) = try simplifyChecked(raw, options: SimplifierOptions { $0.maxFanout = 1_000 })
        // No value can be frequent: no microclustering split.
        let (unsplit, unsplitReport) = try simplifyChecked(raw, options: SimplifierOptions { $0.minValueRequests = 1_000; $0.maxFanout = 1_000 })
        #expect(standardReport.microclusterSplits > 0)
        #expect(unsplitReport.microclusterSplits == 0)
        #expect(unsplit.statistics.edges < standard.statistics.edges)
    }

    @Test func fanOutLimitIsEnforcedAndReported() throws {
        let raw = try smbFlat()
        let (machine, report) = try simplifyChecked(raw, options: SimplifierOptions { $0.maxFanout = 4; $0.fanoutThresholdStep = 0.2 })
        #expect(machine.states[0].edges.count <= 4)
        let action = try #require(report.fanoutActions.first)
        #expect(action.state == 0)
        #expect(action.edgesBefore > 4)
        #expect(action.edgesAfter == machine.states[0].edges.count)
        #expect(machine.states[0].edges.reduce(0) { $0 + $1.weight } == raw.states[0].edges.reduce(0) { $0 + $1.weight })

        // Text: one edge per command cannot be merged by a threshold; the last resort merges.
        let ftp = try FixtureMachines.machine("ftp-train.pcap", port: 21)
        let (ftpMachine, ftpReport) = try simplifyChecked(ftp, options: SimplifierOptions { $0.maxFanout = 1 })
        #expect(ftpMachine.states.allSatisfy { $0.edges.count <= 1 })
        #expect(!ftpReport.fanoutActions.isEmpty)
    }

    @Test func stateLimitCutsBreadthFirstAndCounts() throws {
        let raw = try FixtureMachines.machine("ftp-train.pcap", port: 21)
        // The tree's breadth-first cut (context merging off: it adds states and shared edges).
        let (full, _) = try simplifyChecked(raw, options: SimplifierOptions { $0.mergeContexts = false })
        let (machine, report) = try simplifyChecked(raw, options: SimplifierOptions { $0.maxStates = 5; $0.mergeContexts = false })
        #expect(machine.states.count == 5)
        #expect(report.edgesCutByStateLimit > 0)
        #expect(machine.statistics.cutRequests == raw.statistics.cutRequests + report.requestsCutByStateLimit)
        // Breadth-first: the root keeps all its edges.
        #expect(machine.states[0].edges.count == full.states[0].edges.count)
    }

    @Test func singleDistinctRequestStaysExact() throws {
        let raw = flatMachine([bytes("USER alice\r\n"), bytes("USER alice\r\n"), bytes("QUIT\r\n")])
        let (machine, report) = try simplifyChecked(raw, options: SimplifierOptions { $0.generaliseLoneArguments = false })
        #expect(machine.states[0].edges.map(\.pattern) == [.exact(bytes("USER alice\r\n")), .exact(bytes("QUIT\r\n"))])
        #expect(machine.states[0].edges.map(\.weight) == [2, 1])
        #expect(report.generalisedEdges == 0)
        // By default a one-line command seen once gets a gap for its argument, at the end.
        let (lone, loneReport) = try simplifyChecked(raw)
        #expect(lone.states[0].edges.map(\.pattern) == [
            Pattern(elements: [.fixed(bytes("USER ")), .variable(min: 1, max: 64), .fixed(bytes("\r\n"))]), .exact(bytes("QUIT\r\n"))])
        // Counted per edge: context merging shares the command with every state.
        #expect(loneReport.loneArgumentsGeneralised == lone.states.flatMap(\.edges).filter { $0.pattern.exactBytes == nil }.count)
    }

    @Test func conflictingPatternsRouteToTheMostSpecificEdge() throws {
        // Short commands next to a generalised one: each training request must still follow
        // its own edge under the emulator's preference.
        var requests: [[UInt8]] = []
        for name in ["alice", "bob", "carol", "dave", "erin", "frank"] { requests.append(bytes("USER \(name)\r\n")) }
        requests += [bytes("USER\r\n"), bytes("USERS\r\n"), bytes("USER  x\r\n")]
        try simplifyChecked(flatMachine(requests))
    }

    @Test func emptyAndTinyMachines() throws {
        let empty = StateMachine(transport: .udp, port: 53)
        let (machine, report) = Simplifier.simplify(empty)
        #expect(machine == empty)
        #expect(report.states == 1 && report.edges == 0)
        // An empty request (a bare UDP datagram) is an edge like any other.
        try simplifyChecked(flatMachine([[], [], bytes("x")]))
    }
}
