import ScriptGenBuilder
import ScriptGenCapture
import ScriptGenFlows
import ScriptGenModel
import Testing
import ScriptGenTestSupport

/// `State.serverCloses`: counted with the ending, where the conversation ended, only for
/// conversations the server closed (`Conversation.serverClosedFirst`).
@Suite struct ServerCloseCountTests {
    private func closed(_ conversation: Conversation) -> Conversation {
        var conversation = conversation
        conversation.serverClosedFirst = true
        return conversation
    }

    @Test func closesAreCountedOnTheStateWhereTheConversationEnded() {
        let machine = PrefixTreeBuilder.build([
            closed(conversation(clientPort: 1, [s("220 hi\r\n"), c("QUIT\r\n"), s("221 bye\r\n")])),
            closed(conversation(clientPort: 2, [s("220 hi\r\n"), c("QUIT\r\n"), s("221 bye\r\n")])),
            conversation(clientPort: 3, [s("220 hi\r\n"), c("QUIT\r\n"), s("221 bye\r\n")]),
            conversation(clientPort: 4, [s("220 hi\r\n"), c("NOOP\r\n"), s("200 ok\r\n")]),
        ])[0].machine
        let quit = machine.states[0].edges.first { $0.pattern == .exact(bytes("QUIT\r\n")) }!.target
        let noop = machine.states[0].edges.first { $0.pattern == .exact(bytes("NOOP\r\n")) }!.target
        #expect(machine.states[quit].visits == 3 && machine.states[quit].endings == 3)
        #expect(machine.states[quit].serverCloses == 2)
        #expect(machine.states[noop].serverCloses == 0)
        #expect(machine.states[0].serverCloses == 0)
    }

    @Test func aServerClosingAfterItsBannerCountsAtTheRoot() {
        let machine = PrefixTreeBuilder.build([
            closed(conversation(clientPort: 1, [s("421 Too many connections\r\n")])),
            closed(conversation(clientPort: 2, [])),
        ])[0].machine
        #expect(machine.states[0].visits == 2 && machine.states[0].endings == 2)
        #expect(machine.states[0].serverCloses == 2)
    }

    @Test func aConversationCutAtAGapCountsNoEndingAndNoClose() {
        let machine = PrefixTreeBuilder.build([
            closed(conversation([s("220 hi\r\n"), c("USER a\r\n"), s("331 ok\r\n"), c("PASS", gap: 4), s("230 in\r\n")])),
        ])[0].machine
        #expect(machine.states.allSatisfy { $0.serverCloses == 0 && $0.endings == 0 })
    }

    @Test func aConversationCutByALimitCountsNoClose() {
        var options = BuilderOptions()
        options.maxFanout = 1
        let machine = PrefixTreeBuilder.build([
            conversation(clientPort: 1, [s("220 hi\r\n"), c("USER a\r\n"), s("331 ok\r\n")]),
            closed(conversation(clientPort: 2, [s("220 hi\r\n"), c("QUIT\r\n"), s("221 bye\r\n")])),
        ], options: options)[0].machine
        #expect(machine.states[0].cutRequests == 1)
        #expect(machine.states.allSatisfy { $0.serverCloses == 0 })
    }

    @Test func movingASimultaneousBannerKeepsTheCloses() {
        // The client's version line reached the capture before the banner; the builder moves
        // the banner to the root, and the state after the line keeps its closes.
        let banner = "SSH-2.0-OpenSSH_9.2\r\n"
        let machine = PrefixTreeBuilder.build([
            conversation(clientPort: 1, [s(banner), c("SSH-2.0-Go\r\n"), s("kex")]),
            closed(conversation(clientPort: 2, [c("SSH-2.0-Go\r\n"), s(banner + "kex")])),
        ])[0].machine
        let target = machine.states[0].edges[0].target
        #expect(machine.states[0].replies.map(\.count) == [2])
        #expect(machine.states[target].serverCloses == 1)
    }
}
