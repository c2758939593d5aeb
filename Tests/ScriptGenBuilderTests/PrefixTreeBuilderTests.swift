import ScriptGenBuilder
import ScriptGenCapture
import ScriptGenFlows
import ScriptGenModel
import Testing
import ScriptGenTestSupport

private func edge(_ text: String, weight: Int, to target: StateID) -> Edge {
    Edge(pattern: .exact(bytes(text)), weight: weight, target: target)
}

@Suite struct PrefixTreeBuilderTests {
    @Test func ftpLoginsGiveTheBannerAtTheRootAndUserThenPass() {
        let built = PrefixTreeBuilder.build(ftpConversations)
        #expect(built.count == 1)
        let expected = StateMachine(transport: .tcp, port: 21, states: [
            State(replies: [reply("220 FTP ready\r\n", count: 3)],
                  edges: [edge("USER anonymous\r\n", weight: 2, to: 1), edge("USER root\r\n", weight: 1, to: 5)], visits: 3),
            State(replies: [reply("331 Password\r\n", count: 2)],
                  edges: [edge("PASS a@b\r\n", weight: 1, to: 2), edge("PASS x\r\n", weight: 1, to: 4)], visits: 2),
            State(replies: [reply("230 OK\r\n", count: 1)], edges: [edge("QUIT\r\n", weight: 1, to: 3)], visits: 1),
            State(replies: [reply("221 Bye\r\n", count: 1)], visits: 1, endings: 1),
            State(replies: [reply("530 Denied\r\n", count: 1)], visits: 1, endings: 1),
            State(replies: [reply("331 Password\r\n", count: 1)], visits: 1, endings: 1),
        ], conversations: 3)
        #expect(built[0].machine == expected)
        let report = built[0].report
        #expect(report == BuildReport(transport: .tcp, port: 21, conversationsUsed: 3, states: 6, edges: 5, depth: 3, largestFanout: 2))
    }

    @Test func heavierEdgesComeFirstAndStatesAreNumberedDepthFirst() {
        let conversations = [
            conversation([c("GET /a"), s("A")]),
            conversation([c("GET /b"), s("B")]),
            conversation([c("GET /b"), s("B")]),
        ]
        let machine = PrefixTreeBuilder.build(conversations)[0].machine
        #expect(machine.states[0].edges.map(\.pattern) == [.exact(bytes("GET /b")), .exact(bytes("GET /a"))])
        #expect(machine.states[0].edges.map(\.target) == [1, 2])
        #expect(machine.states[0].replies == [ObservedReply(reply: .silence, count: 3)])
    }

    @Test func repliesAreCountedMostFrequentFirstTiesByFirstSeen() {
        let conversations = [
            conversation([c("HELO"), s("250 a")]),
            conversation([c("HELO"), s("250 b")]),
            conversation([c("HELO"), s("250 b")]),
            conversation([c("HELO"), s("250 c")]),
            conversation([c("HELO"), s("250 d")]),
        ]
        let state = PrefixTreeBuilder.build(conversations)[0].machine.states[1]
        #expect(state.replies == [reply("250 b", count: 2), reply("250 a", count: 1), reply("250 c", count: 1), reply("250 d", count: 1)])
        #expect(state.defaultReply == Reply(messages: [bytes("250 b")]))
        #expect(state.visits == 5 && state.endings == 5)
    }

    @Test func twoClientMessagesInARowPassThroughASilentState() {
        let built = PrefixTreeBuilder.build([conversation([c("A"), c("B"), s("X")])])[0]
        let states = built.machine.states
        #expect(states.count == 3)
        #expect(states[0].replies == [ObservedReply(reply: .silence, count: 1)])
        #expect(states[0].edges == [edge("A", weight: 1, to: 1)])
        #expect(states[1].replies == [ObservedReply(reply: .silence, count: 1)])
        #expect(states[1].edges == [edge("B", weight: 1, to: 2)])
        #expect(states[2].replies == [reply("X", count: 1)])
        #expect(built.report.consecutiveClientMessages == 1)
    }

    @Test func udpDatagramsInARowFormOneReplyAndUdpHasItsOwnMachine() {
        let built = PrefixTreeBuilder.build([
            conversation(.udp, port: 53, [c("query"), s("answer 1"), s("answer 2"), c("retry"), c("again")]),
            conversation(.tcp, port: 53, [c("query"), s("tcp answer")]),
        ])
        #expect(built.map { "\($0.machine.transport)/\($0.machine.port)" } == ["tcp/53", "udp/53"])
        let udp = built[1]
        #expect(udp.machine.states[1].replies == [reply("answer 1", "answer 2", count: 1)])
        #expect(udp.machine.states[2].replies == [ObservedReply(reply: .silence, count: 1)])
        #expect(udp.machine.states[3].endings == 1)
        #expect(udp.report.consecutiveClientMessages == 1)
    }

    @Test func emptyConversationsVisitAndEndAtTheRootWithoutAReply() {
        let built = PrefixTreeBuilder.build([conversation([]), conversation([s("220 hi")]), conversation([])])[0]
        let root = built.machine.states[0]
        #expect(root.visits == 3 && root.endings == 3)
        #expect(root.replies == [reply("220 hi", count: 1)])
        #expect(built.report.emptyConversations == 2)
        #expect(built.machine.conversations == 3)
    }

    @Test func aGapInARequestKeepsTheExchangesBeforeIt() {
        let built = PrefixTreeBuilder.build([
            conversation([s("220"), c("USER a"), s("331"), c("PASS ?", gap: 10), s("230"), c("QUIT")]),
        ])[0]
        let states = built.machine.states
        #expect(states.count == 2)
        #expect(states[1].replies == [reply("331", count: 1)])
        // Not an ending: the conversation went on, only the capture lost it.
        #expect(states[1].endings == 0 && states[1].visits == 1)
        #expect(built.report.conversationsWithGaps == 1)
        #expect(built.report.messagesDroppedAtGaps == 3)
    }

    @Test func aGapInAReplyDropsThatWholeExchange() {
        let built = PrefixTreeBuilder.build([
            conversation([s("220"), c("USER a"), s("331"), c("RETR x"), s("150"), s("data", gap: 100), c("QUIT")]),
        ])[0]
        #expect(built.machine.states.count == 2)
        #expect(built.machine.states[1].edges.isEmpty)
        #expect(built.report.messagesDroppedAtGaps == 4)
    }

    @Test func aGapInTheBannerUsesNothingButTheRootVisit() {
        let built = PrefixTreeBuilder.build([conversation([s("22", gap: 5), c("USER a"), s("331")])])[0]
        #expect(built.machine.states == [State(visits: 1)])
        #expect(built.report.messagesDroppedAtGaps == 3)
        #expect(built.report.conversationsWithGaps == 1)
    }

    @Test func pastMaxFanoutNewRequestsAreCountedNotAddedAndTheConversationStops() {
        let options = BuilderOptions { $0.maxFanout = 2; $0.maxStates = 100 }
        let built = PrefixTreeBuilder.build([
            conversation([c("A"), s("a")]),
            conversation([c("B"), s("b")]),
            conversation([c("C"), s("c"), c("D"), s("d")]),
            conversation([c("A"), s("a"), c("E"), s("e")]),
        ], options: options)[0]
        let root = built.machine.states[0]
        #expect(root.edges.count == 2)
        #expect(root.cutRequests == 1)
        #expect(root.visits == 4 && root.endings == 0)
        #expect(built.report.requestsCutByFanout == 1)
        #expect(built.report.pathsCutByStateLimit == 0)
        #expect(built.report.messagesDroppedByLimits == 4)
        // Known requests still follow their edge after the limit is reached.
        #expect(root.edges[0] == edge("A", weight: 2, to: 1))
        #expect(built.machine.states[1].edges == [edge("E", weight: 1, to: 2)])
    }

    @Test func pastMaxStatesNewPathsAreCountedNotAdded() {
        let options = BuilderOptions { $0.maxFanout = 64; $0.maxStates = 3 }
        let built = PrefixTreeBuilder.build([
            conversation([c("A"), s("a"), c("B"), s("b"), c("C"), s("c")]),
            conversation([c("A"), s("a"), c("X"), s("x")]),
        ], options: options)[0]
        #expect(built.machine.states.count == 3)
        #expect(built.machine.states[2].cutRequests == 1)
        #expect(built.machine.states[1].cutRequests == 1)
        #expect(built.report.pathsCutByStateLimit == 2)
        #expect(built.report.requestsCutByFanout == 0)
        #expect(built.report.messagesDroppedByLimits == 4)
        #expect(built.machine.statistics.cutRequests == 2)
    }

    @Test func limitsBelowOneCountAsOne() {
        let built = PrefixTreeBuilder.build([conversation([c("A")]), conversation([c("B")])], options: BuilderOptions { $0.maxFanout = 0; $0.maxStates = 0 })[0]
        #expect(built.machine.states.count == 1)
        #expect(built.report.pathsCutByStateLimit == 2)
    }

    @Test func everyVisitIsAnEndingAnEdgeOrACut() {
        let options = BuilderOptions { $0.maxFanout = 2; $0.maxStates = 6 }
        let built = PrefixTreeBuilder.build(ftpConversations + [
            conversation(clientPort: 9, [s("220 FTP ready\r\n"), c("HELP\r\n"), s("214\r\n")]),
            conversation(clientPort: 10, [s("220 FTP ready\r\n"), c("USER anonymous\r\n"), s("331 Password\r\n"), c("PASS z\r\n")]),
            conversation(clientPort: 11, []),
        ], options: options)[0].machine
        #expect(built.statistics.cutRequests > 0)
        for state in built.states {
            let leaving = state.endings + state.edges.reduce(0) { $0 + $1.weight } + state.cutRequests
            #expect(state.visits == leaving)
        }
        for state in built.states {
            for edge in state.edges { #expect(built.states[edge.target].visits == edge.weight) }
        }
    }

    @Test func theSameInputGivesTheSameMachines() {
        let first = PrefixTreeBuilder.build(ftpConversations)
        let second = PrefixTreeBuilder.build(ftpConversations)
        #expect(first == second)
    }

    @Test func interleavingOfPortsDoesNotMatter() {
        let http = [
            conversation(port: 80, [c("GET / HTTP/1.0\r\n\r\n"), s("HTTP/1.0 200 OK\r\n\r\n")]),
            conversation(port: 80, [c("HEAD / HTTP/1.0\r\n\r\n"), s("HTTP/1.0 200 OK\r\n\r\n")]),
        ]
        let udp = [conversation(.udp, port: 137, [c("name?"), s("name!")])]
        let apart = PrefixTreeBuilder.build(ftpConversations + http + udp)
        let interleaved = PrefixTreeBuilder.build([http[0], ftpConversations[0], udp[0], ftpConversations[1], http[1], ftpConversations[2]])
        #expect(apart == interleaved)
        #expect(apart.map { "\($0.machine.transport)/\($0.machine.port)" } == ["tcp/21", "tcp/80", "udp/137"])
    }

    @Test func addingOneByOneEqualsBuildingAtOnce() {
        var builder = PrefixTreeBuilder()
        for conversation in ftpConversations { builder.add(conversation) }
        #expect(builder.conversationCount == 3)
        #expect(builder.machines() == PrefixTreeBuilder.build(ftpConversations).map(\.machine))
        #expect(builder.reports() == PrefixTreeBuilder.build(ftpConversations).map(\.report))
    }

    @Test func optionsRoundTripThroughModelParameters() {
        let options = BuilderOptions { $0.maxFanout = 7; $0.maxStates = 99; $0.minBannerShare = 0.5 }
        #expect(options.parameters.integer("builder.maxFanout") == 7)
        #expect(options.parameters.number("builder.minBannerShare") == 0.5)
        #expect(BuilderOptions(parameters: options.parameters) == options)
        #expect(BuilderOptions(parameters: LearningParameters()) == BuilderOptions())
    }

    @Test func documentationListsEveryBuilderOptionWithItsDefault() throws {
        let problems = try optionTableDisagreements(BuilderOptions.table, defaults: BuilderOptions(),
                                                    file: "docs/model-format.md", header: "Name", fullNames: true)
        #expect(problems.isEmpty, "\(problems)")
    }

    @Test func aBuiltModelEncodesByteIdenticallyAndDecodesEqual() throws {
        let built = PrefixTreeBuilder.build(ftpConversations)
        let model = ModelFile(toolVersion: "test", parameters: BuilderOptions().parameters,
                              machines: built.map(\.machine), buildReports: built.map(\.report))
        let again = PrefixTreeBuilder.build(ftpConversations)
        let model2 = ModelFile(toolVersion: "test", parameters: BuilderOptions().parameters,
                               machines: again.map(\.machine), buildReports: again.map(\.report))
        #expect(model.encode() == model2.encode())
        #expect(try ModelFile.decode(from: model.encode()) == model)
    }
}

/// Who observed each reply: the client addresses the simplifier reads to find replies that
/// name their client.
@Suite struct ReplyObserverTests {
    @Test func eachReplyKeepsTheAddressesOfItsClients() throws {
        var second = ftpConversations[1]
        second.client = Endpoint(address: .v4(0x0A00_0009), port: 2)
        let built = try #require(PrefixTreeBuilder.build([ftpConversations[0], second, ftpConversations[2]]).first)
        #expect(built.observers.count == built.machine.states.count)
        // The banner was seen by both addresses, each once, in the order they came.
        #expect(built.observers[StateMachine.root][Reply(messages: [Array("220 FTP ready\r\n".utf8)])] == [Array("10.0.0.2".utf8), Array("10.0.0.9".utf8)])
        // The refusal only by the second.
        let refusal = try #require(built.machine.states.firstIndex { $0.replies.contains { $0.reply.messages == [Array("530 Denied\r\n".utf8)] } })
        #expect(built.observers[refusal][Reply(messages: [Array("530 Denied\r\n".utf8)])] == [Array("10.0.0.9".utf8)])
    }
}
