import ScriptGenEmulation
import ScriptGenModel
@testable import ScriptGenSimplifier
import Testing
import ScriptGenTestSupport

/// Redis (RESP arrays: the command is the first bulk string, not the first word) and SSH
/// (simultaneous banners) on crafted requests and on the fixture captures.
@Suite struct RespAndBannerTests {
    private func token(_ text: String) -> String {
        String(decoding: EdgeGeneraliser.leadingToken(bytes(text)), as: UTF8.self)
    }

    @Test func aRespArraysLeadingTokenIsItsCommandWithItsArity() {
        #expect(token("*2\r\n$4\r\nPING\r\n$5\r\nhello\r\n") == "PING *2")
        #expect(token("*1\r\n$6\r\nDBSIZE\r\n") == "DBSIZE *1")
        // Case is kept: a pattern's fixed bytes match one spelling.
        #expect(token("*12\r\n$3\r\nSeT\r\n") == "SeT *12")
        #expect(token("*2\r\n$4\r\nping\r\n$5\r\nhello\r\n") == "ping *2")
        // A pipeline of arrays is a group of its own.
        #expect(token("*1\r\n$4\r\nPING\r\n*1\r\n$4\r\nPING\r\n") == "PING *1 +")
        // Binary values are still one RESP command.
        #expect(token("*2\r\n$3\r\nGET\r\n$2\r\n\u{1}\u{2}\r\n") == "GET *2")
        // The command may still be arriving: up to the end.
        #expect(token("*1\r\n$4\r\nINFO") == "INFO *1")
        #expect(token("*1\r\n$4\r\n") == " *1")
    }

    @Test func malformedArrayHeadersFallBackToTheFirstWord() {
        #expect(token("") == "")
        #expect(token("*") == "*")
        #expect(token("*\r\n$4\r\nPING\r\n") == "*")  // no arity digits
        #expect(token("*2\r") == "*2")
        #expect(token("*2\r\n") == "*2")
        #expect(token("*2\r\n$") == "*2")
        #expect(token("*2\r\n$4") == "*2")  // length line not terminated
        #expect(token("*2\r\n$4\r") == "*2")
        #expect(token("*2\n$4\r\nPING\r\n") == "*2")  // LF without CR
        #expect(token("*2\r\n+4\r\nPING\r\n") == "*2")  // not a bulk string
        #expect(token("*x2\r\n$4\r\nPING\r\n") == "*x2")
        #expect(token("PING\r\n") == "PING")
        #expect(token("ping hello\r\n") == "ping")  // inline commands keep their case
    }

    @Test func respCommandsOfOneArityAreSeparateEdges() throws {
        let requests = ["*1\r\n$4\r\nPING\r\n", "*1\r\n$4\r\nINFO\r\n", "*1\r\n$6\r\nDBSIZE\r\n"]
            .flatMap { Array(repeating: bytes($0), count: 3) }
            + ["*2\r\n$3\r\nGET\r\n$1\r\na\r\n", "*2\r\n$3\r\nGET\r\n$2\r\nbb\r\n", "*2\r\n$3\r\nGET\r\n$3\r\nccc\r\n"].map(bytes)
        let (machine, _) = try simplifyChecked(flatMachine(requests, port: 6379))
        let compiled = try CompiledMachine(machine)
        let ping = compiled.matchingEdge(for: bytes("*1\r\n$4\r\nPING\r\n"), in: 0)
        let info = compiled.matchingEdge(for: bytes("*1\r\n$4\r\nINFO\r\n"), in: 0)
        let dbsize = compiled.matchingEdge(for: bytes("*1\r\n$6\r\nDBSIZE\r\n"), in: 0)
        let get = compiled.matchingEdge(for: bytes("*2\r\n$3\r\nGET\r\n$4\r\ndddd\r\n"), in: 0)
        #expect(ping != nil && info != nil && dbsize != nil && get != nil)
        #expect(Set([ping, info, dbsize, get]).count == 4)
    }

    @Test func redisFixturePingInfoAndDbsizeAreSeparateEdges() throws {
        let raw = try FixtureMachines.machine("redis-train.pcap", port: 6379)
        let (machine, _) = try simplifyChecked(raw)
        let compiled = try CompiledMachine(machine)
        let commands = ["*1\r\n$4\r\nPING\r\n", "*1\r\n$6\r\nDBSIZE\r\n", "*2\r\n$4\r\nINFO\r\n$6\r\nserver\r\n"]
        let edges = try commands.map { try #require(compiled.matchingEdge(for: bytes($0), in: StateMachine.root)) }
        #expect(Set(edges).count == commands.count)
        // No edge of the root both takes a PING and an INFO: their replies differ.
        let replies = edges.map { machine.states[machine.states[0].edges[$0].target].defaultReply }
        #expect(replies[0] == Reply(messages: [bytes("+PONG\r\n")]))
        #expect(replies[2].messages.first?.starts(with: bytes("$")) == true)
    }

    @Test func sshFixtureRootAnswersWithTheServerBanner() throws {
        let raw = try FixtureMachines.machine("ssh-train.pcap", port: 22)
        let banner = try #require(raw.states[0].defaultReply.messages.first)
        #expect(banner.starts(with: bytes("SSH-2.0-OpenSSH")))
        #expect(raw.states[0].replies.count == 1)
        let (machine, _) = try simplifyChecked(raw)
        #expect(machine.states[0].defaultReply == raw.states[0].defaultReply)
    }
}
