import ScriptGenEmulation
import ScriptGenEvaluation
import ScriptGenFlows
import ScriptGenModel
import Testing
import ScriptGenTestSupport

@Suite struct EvaluatorTests {
    typealias F = Fixtures

    func evaluate(_ conversations: [Conversation], model: ModelFile = F.model, options: EvaluationOptions = EvaluationOptions()) throws -> EvaluationReport {
        try Evaluator.evaluate(model, on: conversations, options: options)
    }

    func metrics(_ report: EvaluationReport, port: UInt16 = 21, transport: StateMachine.Transport = .tcp) throws -> EvaluationMetrics {
        try #require(report.ports.first { $0.port == port && $0.transport == transport }).metrics
    }

    @Test func everyAnswerExact() throws {
        let report = try evaluate([F.ftpExact])
        let m = try metrics(report)
        #expect(m.conversations == 1)
        #expect(m.requests == 5)
        #expect(m.matchedRequests == 5)
        #expect(m.completedConversations == 1)
        // The banner and five answers, PWD's silence included (both silent: exact).
        #expect(m.comparedResponses == 6)
        #expect(m.exactResponses == 6)
        #expect(m.meanResponseSimilarity == 1)
        #expect(m.divergenceDepth.isEmpty)
        #expect(report.total == m)
        #expect(report.misses.isEmpty)
        #expect(report.unmodelled.isEmpty)
    }

    static let helpConversation = F.conversation(
        "S:220 hi\r\n", "C:USER anna\r\n", "S:331 pw\r\n", "C:HELP\r\n", "S:214 help\r\n", "C:PASS x\r\n", "S:230 ok\r\n")

    @Test func missAtDepthTwoStaysSilentBelowTheThreshold() throws {
        let report = try evaluate([Self.helpConversation], options: EvaluationOptions(maxMisses: 5))
        let m = try metrics(report)
        #expect(m.requests == 3)
        #expect(m.matchedRequests == 2)
        #expect(m.completedConversations == 0)
        #expect(m.divergenceDepth == [2: 1])
        #expect(m.comparedResponses == 4)
        // Silence against "214 help\r\n" is neither exact nor similar at all.
        #expect(m.exactResponses == 3)
        #expect(m.meanResponseSimilarity == 0.75)

        #expect(report.misses.count == 1)
        let miss = try #require(report.misses.first)
        #expect(miss.conversation == 1)
        #expect(miss.request == 2)
        #expect(miss.requestBytes == bytes("HELP\r\n"))
        #expect(miss.requestByteCount == 6)
        #expect(miss.state == 1)
        #expect(miss.stateReply == Reply(messages: [bytes("331 pw\r\n")]))
        #expect(miss.realResponse == bytes("214 help\r\n"))
        // "PASS <1-16>\r\n": the 2 of 7 fixed bytes found, times the length factor 6/8.
        let closest = try #require(miss.closest)
        #expect(closest.edge == 0)
        #expect(closest.followed == false)
        #expect(abs(closest.score - 2.0 / 7.0 * 0.75) < 1e-12)
        #expect(miss.closestPattern == gap("PASS ", 1, 16, "\r\n"))
    }

    @Test func closePolicyLeavesTheRestUnmatchedAndSilent() throws {
        let options = EvaluationOptions(emulation: EmulationOptions(noMatch: .close))
        let m = try metrics(evaluate([Self.helpConversation], options: options))
        #expect(m.requests == 3)
        #expect(m.matchedRequests == 1)  // PASS arrives after the close: not matched
        #expect(m.divergenceDepth == [2: 1])
        #expect(m.comparedResponses == 4)
        #expect(m.exactResponses == 2)
    }

    @Test func closestPolicyAboveTheThresholdAnswersAsTheClosestEdgeButIsNoMatch() throws {
        let options = EvaluationOptions(emulation: EmulationOptions(noMatch: .closest(threshold: 0.2)), maxMisses: 5)
        let report = try evaluate([Self.helpConversation], options: options)
        let m = try metrics(report)
        // HELP follows PASS's edge (to state 2, "230 ok"), so PASS x then misses in state 2.
        #expect(m.matchedRequests == 1)
        #expect(m.divergenceDepth == [2: 1])
        #expect(report.misses.map(\.request) == [2, 3])
        #expect(report.misses.map(\.state) == [1, 2])
        #expect(report.misses[0].closest?.followed == true)
    }

    @Test func realSilenceAgainstAnEmulatedAnswerIsNotExact() throws {
        // The real server said nothing to LIST; the model answers two messages.
        let conversation = F.conversation(
            "S:220 hi\r\n", "C:USER a\r\n", "S:331 pw\r\n", "C:PASS b\r\n", "S:230 ok\r\n", "C:LIST\r\n", "C:QUIT\r\n", "S:221 bye\r\n")
        let m = try metrics(evaluate([conversation]))
        #expect(m.matchedRequests == 4)
        #expect(m.completedConversations == 1)
        #expect(m.comparedResponses == 5)
        #expect(m.exactResponses == 4)
        #expect(m.meanResponseSimilarity == 0.8)
    }

    @Test func bannerMismatchIsComparedByAlignment() throws {
        let conversation = F.conversation("S:220 other\r\n", "C:QUIT\r\n", "S:221 bye\r\n")
        let m = try metrics(evaluate([conversation]))
        #expect(m.completedConversations == 1)
        #expect(m.comparedResponses == 2)
        #expect(m.exactResponses == 1)
        // LCS("220 hi\r\n", "220 other\r\n") = "220 h\r\n", 7 of 11 bytes.
        #expect(abs(m.responseSimilaritySum - (1 + 7.0 / 11.0)) < 1e-12)
    }

    @Test func emulatedBannerWhereTheClientSpokeFirstIsAMismatch() throws {
        let conversation = F.conversation("C:QUIT\r\n", "S:221 bye\r\n")
        let m = try metrics(evaluate([conversation]))
        #expect(m.comparedResponses == 2)
        #expect(m.exactResponses == 1)
        #expect(m.meanResponseSimilarity == 0.5)
    }

    @Test func noBannerOnEitherSideIsNotCompared() throws {
        let conversation = F.conversation(port: 7, "C:A", "S:heads")
        let m = try metrics(evaluate([conversation]), port: 7)
        #expect(m.comparedResponses == 1)
        #expect(m.exactResponses == 1)
    }

    @Test func emptyConversationIsCompleteAndComparesNothing() throws {
        let m = try metrics(evaluate([F.conversation()]))
        #expect(m.conversations == 1)
        #expect(m.requests == 0)
        #expect(m.completedConversations == 1)
        #expect(m.comparedResponses == 0)
        #expect(m.meanResponseSimilarity == nil)
    }

    @Test func pipelinedRequestsInOneMessageCountOnce() throws {
        let conversation = F.conversation("S:220 hi\r\n", "C:USER a\r\nPASS b\r\n", "S:331 pw\r\n230 ok\r\n")
        let m = try metrics(evaluate([conversation]))
        #expect(m.requests == 1)
        #expect(m.matchedRequests == 1)
        #expect(m.exactResponses == 2)
    }

    @Test func udpDatagramsAreWholeRequests() throws {
        let conversations = [
            F.conversation(over: .udp, port: 53, "C:Q1", "S:R1a", "S:R1b", "C:Q2", "S:R2"),
            F.conversation(over: .udp, port: 53, "C:Q", "S:R"),
            // A retry: two datagrams in a row; the first was not answered.
            F.conversation(over: .udp, port: 53, "C:Q1", "C:Q2", "S:R2"),
            // Over TCP eager completion would cut "Q" then "Q"; a datagram stays whole.
            F.conversation(over: .udp, port: 53, "C:QQ", "S:R"),
        ]
        let report = try evaluate(conversations, options: EvaluationOptions(maxMisses: 5))
        let m = try metrics(report, port: 53, transport: .udp)
        #expect(m.conversations == 4)
        #expect(m.requests == 6)
        #expect(m.matchedRequests == 5)
        #expect(m.completedConversations == 3)
        #expect(m.divergenceDepth == [1: 1])
        #expect(m.comparedResponses == 6)
        #expect(m.exactResponses == 4)  // the retry's first answer and the "QQ" answer differ
        #expect(report.misses.map(\.requestBytes) == [bytes("QQ")])
        #expect(report.misses.first?.state == 0)
    }

    @Test func unmodelledPortsAreCountedNotReplayed() throws {
        let conversations = [
            F.ftpExact,
            F.conversation(port: 8080, "C:GET / HTTP/1.0\r\n\r\n", "S:HTTP/1.0 200 OK\r\n\r\n"),
            F.conversation(over: .udp, port: 21, "C:x"),
            F.conversation(port: 8080),
        ]
        let report = try evaluate(conversations)
        #expect(report.ports.map(\.port) == [21])
        #expect(report.total.conversations == 1)
        #expect(report.unmodelled == [
            UnmodelledPort(transport: .tcp, port: 8080, conversations: 2),
            UnmodelledPort(transport: .udp, port: 21, conversations: 1),
        ])
        #expect(report.unmodelledConversations == 3)
    }

    @Test func missesAreKeptInOrderUpToTheLimitAndNumberedAmongAllConversations() throws {
        let conversations = [F.conversation(port: 9999), Self.helpConversation, Self.helpConversation]
        let none = try evaluate(conversations)
        #expect(none.misses.isEmpty)
        let one = try evaluate(conversations, options: EvaluationOptions(maxMisses: 1))
        #expect(one.misses.map(\.conversation) == [2])
        let all = try evaluate(conversations, options: EvaluationOptions(maxMisses: 10))
        #expect(all.misses.map(\.conversation) == [2, 3])
    }

    @Test func totalsMergePortsAndStreamingEqualsBatch() throws {
        let conversations = [F.ftpExact, Self.helpConversation, F.conversation(over: .udp, port: 53, "C:Q", "S:R"), F.conversation(port: 7, "C:A", "S:tails")]
        let report = try evaluate(conversations)
        #expect(report.ports.map { "\($0.transport.rawValue)/\($0.port)" } == ["tcp/7", "tcp/21", "udp/53"])
        #expect(report.total.conversations == 4)
        #expect(report.total.requests == 5 + 3 + 1 + 1)
        #expect(report.total.matchedRequests == 5 + 2 + 1 + 1)
        #expect(report.total.completedConversations == 3)
        #expect(report.total.divergenceDepth == [2: 1])

        var evaluator = try Evaluator(machines: F.model.machines)
        for conversation in conversations { evaluator.add(conversation) }
        #expect(evaluator.report == report)
    }

    @Test func weightedResponsesReplayWithTheSameSeed() throws {
        let conversations = (0..<20).map { _ in F.conversation(port: 7, "C:A", "S:heads", "C:A", "S:heads", "C:A", "S:heads") }
        func run(seed: UInt64) throws -> EvaluationReport {
            try evaluate(conversations, options: EvaluationOptions(emulation: EmulationOptions(responseChoice: .weightedRandom), seed: seed))
        }
        let first = try run(seed: 42)
        #expect(try run(seed: 42) == first)
        let exact = try metrics(first, port: 7).exactResponses
        // Fair coin over 60 answers: neither all heads nor none.
        #expect(exact > 0 && exact < 60)
        #expect(try (1...5).map { try metrics(run(seed: $0), port: 7).exactResponses }.contains { $0 != exact })

        // The most frequent reply (ties: first seen) ignores the seed.
        let mostFrequent = try evaluate(conversations, options: EvaluationOptions(seed: 7))
        #expect(try metrics(mostFrequent, port: 7).exactResponses == 60)
    }

    @Test func invalidMachineIsRejected() {
        let broken = StateMachine(transport: .tcp, port: 1, states: [State(edges: [Edge(pattern: .exact(bytes("x")), weight: 1, target: 9)])])
        #expect(throws: InvalidMachineError.self) { try Evaluator(machines: [broken]) }
    }
}
