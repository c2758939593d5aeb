import ScriptGenTestSupport
import ScriptGenEmulation
import ScriptGenEvaluation
import ScriptGenFlows
import ScriptGenModel
import Testing

/// A model that closes where the real server closed: a conversation that ends there loses
/// nothing; one the model closes early is not completed.
@Suite struct ServerCloseEvaluationTests {
    typealias F = Fixtures

    /// The fixture model where the server closed after `state` in all of its `visits`.
    static func model(closing state: StateID, visits: Int = 2) -> ModelFile {
        var ftp = ExampleMachines.ftp
        ftp.states[state].visits = visits
        ftp.states[state].endings = visits
        ftp.states[state].serverCloses = visits
        return ModelFile(toolVersion: "test", machines: [ftp])
    }

    func metrics(_ conversations: [Conversation], model: ModelFile, options: EvaluationOptions = EvaluationOptions()) throws -> EvaluationMetrics {
        let report = try Evaluator.evaluate(model, on: conversations, options: options)
        return try #require(report.ports.first { $0.port == 21 }).metrics
    }

    @Test func closingAfterTheLastReplyLosesNothing() throws {
        // The FTP fixture conversation ends with QUIT / 221: the model closes there too.
        let closing = try metrics([F.ftpExact], model: Self.model(closing: 5))
        let open = try metrics([F.ftpExact], model: ModelFile(toolVersion: "test", machines: [ExampleMachines.ftp]))
        #expect(closing == open)
        #expect(closing.completedConversations == 1)
        #expect(closing.matchedRequests == 5)
        #expect(closing.exactResponses == 6)
    }

    @Test func closingEarlyLeavesTheRestUnmatchedAndTheConversationIncomplete() throws {
        // The model closes after PASS (state 2); the real server went on to LIST, PWD, QUIT.
        let m = try metrics([F.ftpExact], model: Self.model(closing: 2))
        #expect(m.requests == 5)
        #expect(m.matchedRequests == 2)
        #expect(m.completedConversations == 0)
        #expect(m.divergenceDepth == [3: 1])
        // Banner, USER, PASS exact; LIST's two messages against nothing; PWD silent on both
        // sides (exact); QUIT's 221 against nothing.
        #expect(m.comparedResponses == 6)
        #expect(m.exactResponses == 4)
    }

    @Test func closingAfterTheBannerLeavesEveryRequestUnmatched() throws {
        let m = try metrics([F.ftpExact], model: Self.model(closing: StateMachine.root))
        #expect(m.matchedRequests == 0)
        #expect(m.completedConversations == 0)
        #expect(m.divergenceDepth == [1: 1])
        #expect(m.exactResponses == 2)   // the banner, and PWD's silence
    }

    @Test func aRequestPipelinedBehindTheCloseMakesItsMessageUnmatched() throws {
        // PASS and LIST in one client message: the model closes after PASS, LIST is dropped.
        let pipelined = F.conversation(
            "S:220 hi\r\n", "C:USER anna\r\n", "S:331 pw\r\n", "C:PASS secret\r\nLIST\r\n", "S:230 ok\r\n150 here\r\n226 done\r\n")
        let m = try metrics([pipelined], model: Self.model(closing: 2))
        #expect(m.requests == 2)
        #expect(m.matchedRequests == 1)
        #expect(m.completedConversations == 0)
        #expect(m.divergenceDepth == [2: 1])
        // Without the close the same message matches (two requests, both on edges).
        let open = try metrics([pipelined], model: ModelFile(toolVersion: "test", machines: [ExampleMachines.ftp]))
        #expect(open.matchedRequests == 2)
        #expect(open.completedConversations == 1)
    }

    @Test func switchedOffTheModelNeverCloses() throws {
        var emulation = EmulationOptions()
        emulation.serverCloseShare = nil
        let m = try metrics([F.ftpExact], model: Self.model(closing: 2), options: EvaluationOptions(emulation: emulation))
        #expect(m.completedConversations == 1)
        #expect(m.matchedRequests == 5)
    }
}
