import ScriptGenEmulation
import ScriptGenModel
@testable import ScriptGenSimplifier
import Testing
import ScriptGenTestSupport

@Suite struct RespPatternTests {
    @Test func bulkStringsOfAWellFormedArray() throws {
        let request = bytes("*3\r\n$3\r\nSET\r\n$5\r\nkey:1\r\n$0\r\n\r\n")
        let bulks = try #require(RespArray.bulkStrings(request))
        #expect(bulks.map { Array($0.value) } == [bytes("SET"), bytes("key:1"), []])
        #expect(bulks.map(\.headerStart) == [4, 13, 24])
        // A value may hold CR LF: the length says where it ends.
        #expect(RespArray.bulkStrings(bytes("*1\r\n$4\r\na\r\nb\r\n")).map { $0.map { Array($0.value) } } == [bytes("a\r\nb")])
    }

    @Test func malformedArraysAreNotArrays() {
        for text in [
            "", "*", "*1", "*1\r", "*1\r\n", "*0\r\n", "*65\r\n", "*x\r\n$1\r\na\r\n", "*1\n$1\r\na\r\n",
            "*1\r\n+1\r\na\r\n", "*1\r\n$\r\na\r\n", "*1\r\n$2\r\na\r\n", "*1\r\n$1\r\nab\r\n", "*1\r\n$1\r\na\r",
            "*1\r\n$1\r\na\r\nextra", "*2\r\n$1\r\na\r\n", "*1\r\n$1234567\r\na\r\n",
        ] {
            #expect(RespArray.bulkStrings(bytes(text)) == nil, "\(text.debugDescription)")
        }
    }

    @Test func lengthsFollowTheValuesInAGeneralisedCluster() throws {
        let requests = [
            bytes("*3\r\n$3\r\nSET\r\n$11\r\nuser:100001\r\n$20\r\nvalue-of-user:100001\r\n"),
            bytes("*3\r\n$3\r\nSET\r\n$11\r\nuser:100002\r\n$20\r\nvalue-of-user:100002\r\n"),
        ]
        let builder = PatternBuilder(options: SimplifierOptions())
        let pattern = try #require(RespPatterns.pattern(forArrays: requests, builder: builder))
        let compiled = CompiledPattern(pattern)
        for request in requests { #expect(compiled.matches(request)) }
        #expect(compiled.matches(bytes("*3\r\n$3\r\nSET\r\n$7\r\ncart:77\r\n$7\r\n3 items\r\n")))
        #expect(!compiled.matches(bytes("*3\r\n$3\r\nGET\r\n$7\r\ncart:77\r\n$7\r\n3 items\r\n")))
        // Arguments equal in every request stay fixed.
        let expiring = [bytes("*4\r\n$3\r\nSET\r\n$1\r\na\r\n$2\r\nEX\r\n$2\r\n60\r\n"), bytes("*4\r\n$3\r\nSET\r\n$2\r\nbb\r\n$2\r\nEX\r\n$2\r\n60\r\n")]
        let fixedEX = try #require(RespPatterns.pattern(forArrays: expiring, builder: builder))
        #expect(fixedParts(fixedEX).last == bytes("\r\n$2\r\nEX\r\n$2\r\n60\r\n"))
        // Another command or size: not one cluster.
        #expect(RespPatterns.pattern(forArrays: [requests[0], bytes("*3\r\n$3\r\nGET\r\n$1\r\na\r\n$1\r\nb\r\n")], builder: builder) == nil)
        #expect(RespPatterns.pattern(forArrays: [requests[0], expiring[0]], builder: builder) == nil)
    }

    @Test func otherArgumentCountsOfACommandGetAVariadicEdge() throws {
        let set3 = Pattern(elements: [.fixed(bytes("*3\r\n$3\r\nSET\r\n$")), .variable(min: 1, max: 4), .fixed(bytes("\r\n")), .variable(min: 0, max: 64), .fixed(bytes("\r\n$")), .variable(min: 1, max: 4), .fixed(bytes("\r\n")), .variable(min: 0, max: 64), .fixed(bytes("\r\n"))])
        var machine = StateMachine(transport: .tcp, port: 6379, states: [State(), State(), State()])
        machine.states[0].edges = [
            Edge(pattern: set3, weight: 5, target: 1),
            Edge(pattern: .exact(bytes("*1\r\n$4\r\nPING\r\n")), weight: 2, target: 2),
            Edge(pattern: .exact(bytes("QUIT\r\n")), weight: 1, target: 2),
        ]
        let (added, count) = RespVariadicEdges.added(to: machine, maxFanout: 10)
        #expect(count == 2)
        let compiled = try CompiledMachine(added)
        let setWithExpiry = bytes("*5\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n$2\r\nEX\r\n$3\r\n600\r\n")
        let edge = try #require(compiled.matchingEdge(for: setWithExpiry, in: 0))
        #expect(added.states[0].edges[edge].target == 1)
        #expect(added.states[0].edges[edge].weight == 0)
        // The arity seen in training keeps its own edge (more fixed bytes).
        #expect(compiled.matchingEdge(for: bytes("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n"), in: 0) == 0)
        // A pattern starting with "*" that does not name its command blocks the state.
        machine.states[0].edges.append(Edge(pattern: Pattern(elements: [.fixed(bytes("*2\r\n$3\r\n")), .variable(min: 0, max: 9)]), weight: 1, target: 2))
        #expect(RespVariadicEdges.added(to: machine, maxFanout: 10).count == 0)
        // So does the fan-out limit.
        machine.states[0].edges.removeLast()
        #expect(RespVariadicEdges.added(to: machine, maxFanout: 3).count == 0)
    }

    @Test func commandKeysNeedAWholeHeader() {
        #expect(RespVariadicEdges.commandKey(bytes("*3\r\n$3\r\nSET\r\n$")) == bytes("\r\n$3\r\nSET\r\n"))
        for start in ["*", "*3", "*3\r\n", "*3\r\n$", "*3\r\n$3\r\nSE", "*3\r\n$3\r\nSET\r", "*x\r\n$3\r\nSET\r\n", "*3\r\n$0\r\n\r\n"] {
            #expect(RespVariadicEdges.commandKey(bytes(start)) == nil, "\(start.debugDescription)")
        }
    }

    @Test func loneArrayGetsGapsForEveryArgument() throws {
        let pattern = try #require(LoneArguments.pattern(for: bytes("*2\r\n$4\r\nAUTH\r\n$6\r\nsecret\r\n")))
        #expect(pattern.elements == [
            .fixed(bytes("*2\r\n$4\r\nAUTH\r\n$")), .variable(min: 1, max: 9), .fixed(bytes("\r\n")),
            .variable(min: 0, max: 64), .fixed(bytes("\r\n")),
        ])
        #expect(CompiledPattern(pattern).matches(bytes("*2\r\n$4\r\nAUTH\r\n$13\r\nwrongpassword\r\n")))
        // No argument: exact.
        #expect(LoneArguments.pattern(for: bytes("*1\r\n$4\r\nPING\r\n")) == nil)
    }
}
