import ScriptGenBuilder
import ScriptGenFlows
import ScriptGenModel
import Testing
import ScriptGenTestSupport

/// SSH-like conversations: both sides send their version line on connect, so in some
/// conversations the client's line is captured first (docs/model-format.md, "Banners sent at
/// the same time as the client's first message").
@Suite struct SimultaneousBannerTests {
    static let banner = "SSH-2.0-Server\r\n"
    static let serverFirst = conversation(port: 22, [s(banner), c("SSH-2.0-Client\r\n"), s("KEX-S"), c("KEX-C"), s("DH")])
    static let clientFirst = conversation(port: 22, [c("SSH-2.0-Client\r\n"), s(banner), c("KEX-C"), s("KEX-S DH")])

    private func replies(_ state: State) -> [String: Int] {
        Dictionary(uniqueKeysWithValues: state.replies.map { observed in
            (observed.reply.messages.map { String(decoding: $0, as: UTF8.self) }.joined(separator: "|"), observed.count)
        })
    }

    @Test func aBannerCapturedAfterTheClientsFirstMessageMovesToTheRoot() {
        // Client first in 3 of 4 conversations: silence would win the root 3 to 1 without the rule.
        let machine = PrefixTreeBuilder.build([Self.clientFirst, Self.serverFirst, Self.clientFirst, Self.clientFirst])[0].machine
        #expect(machine.states[0].replies == [ObservedReply(reply: Reply(messages: [bytes(Self.banner)]), count: 4)])
        #expect(machine.states[0].defaultReply == Reply(messages: [bytes(Self.banner)]))
        let afterVersion = machine.states[machine.states[0].edges[0].target]
        // The banner is no longer the answer to the client's version line.
        #expect(replies(afterVersion) == ["": 3, "KEX-S": 1])
        #expect(afterVersion.visits == 4)
    }

    @Test func aBannerWrittenTogetherWithMoreBytesIsCutFromTheAnswer() {
        let merged = conversation(port: 22, [c("SSH-2.0-Client\r\n"), s(Self.banner + "KEX-S")])
        let machine = PrefixTreeBuilder.build([Self.serverFirst, merged, merged])[0].machine
        #expect(replies(machine.states[0]) == [Self.banner: 3])
        #expect(replies(machine.states[1]) == ["KEX-S": 3])
    }

    @Test func aRareBannerBelowTheShareMovesNothing() {
        // 1 of 5 conversations (20%) opened with the banner: below the default 25%.
        let conversations = [Self.serverFirst] + Array(repeating: Self.clientFirst, count: 4)
        let machine = PrefixTreeBuilder.build(conversations)[0].machine
        #expect(replies(machine.states[0]) == ["": 4, Self.banner: 1])
        #expect(machine.states[0].defaultReply == .silence)
        #expect(replies(machine.states[1]) == [Self.banner: 4, "KEX-S": 1])
        // At a share of 0.2 it moves.
        let lowered = PrefixTreeBuilder.build(conversations, options: BuilderOptions { $0.minBannerShare = 0.2 })[0].machine
        #expect(replies(lowered.states[0]) == [Self.banner: 5])
    }

    @Test func aShareAboveOneTurnsTheRuleOff() {
        let conversations = [Self.serverFirst, Self.clientFirst, Self.clientFirst]
        let machine = PrefixTreeBuilder.build(conversations, options: BuilderOptions { $0.minBannerShare = 2 })[0].machine
        #expect(replies(machine.states[0]) == ["": 2, Self.banner: 1])
    }

    @Test func answersThatDoNotRepeatTheBannerStayAnswers() {
        // A server that greets, and a client whose first request got a real answer.
        let conversations = [
            conversation(port: 22, [s(Self.banner), c("HELLO"), s("OK")]),
            conversation(port: 22, [c("HELLO"), s("SSH-2.0-Other\r\n")]),
            conversation(port: 22, [c("HELLO"), s("OK")]),
        ]
        let machine = PrefixTreeBuilder.build(conversations)[0].machine
        #expect(replies(machine.states[0]) == ["": 2, Self.banner: 1])
        #expect(replies(machine.states[1]) == ["OK": 2, "SSH-2.0-Other\r\n": 1])
    }

    @Test func serversThatNeverGreetAndServersThatAlwaysGreetAreUnchanged() {
        let http = [
            conversation(port: 80, [c("GET / HTTP/1.0\r\n\r\n"), s("HTTP/1.0 200 OK\r\n\r\n")]),
            conversation(port: 80, [c("GET / HTTP/1.0\r\n\r\n"), s("HTTP/1.0 200 OK\r\n\r\n")]),
        ]
        let httpMachine = PrefixTreeBuilder.build(http)[0].machine
        #expect(replies(httpMachine.states[0]) == ["": 2])
        #expect(replies(httpMachine.states[1]) == ["HTTP/1.0 200 OK\r\n\r\n": 2])
        #expect(PrefixTreeBuilder.build(ftpConversations)[0].machine.states[0].replies.count == 1)
    }
}
