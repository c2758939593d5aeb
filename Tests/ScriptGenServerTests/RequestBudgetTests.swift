import Foundation
import ScriptGenEmulation
import ScriptGenModel
import Testing
@testable import ScriptGenServer
import ScriptGenTestSupport

/// One read full of short requests (`A` loops back to a state with a long reply) ends at
/// `maxRequests` with bounded output, in the responder and in the NIO server.
@Suite(.serialized) struct RequestBudgetTests {
    static let replyBytes = 1000
    static let banner = "220 hi\r\n"
    static let loop = StateMachine(transport: .tcp, port: 21, states: [
        State(replies: [reply(banner)], edges: [Edge(pattern: .exact(bytes("A")), weight: 1, target: 1)]),
        State(replies: [ObservedReply(reply: Reply(messages: [[UInt8](repeating: 0x52, count: replyBytes)]), count: 1)],
              edges: [Edge(pattern: .exact(bytes("A")), weight: 1, target: 1)]),
    ])
    static let flood = [UInt8](repeating: UInt8(ascii: "A"), count: 65_536)

    @Test func responderEndsOneFloodingReadAtMaxRequests() {
        let (script, client) = ResponderTests.socketPair(Int32(SOCK_STREAM.rawValue))
        let run = ResponderTests.Run(machine: Self.loop, fd: script, options: .init(transport: .tcp, maxRequests: 100))
        _ = Self.flood.withUnsafeBytes { send(client, $0.baseAddress!, $0.count, Int32(MSG_NOSIGNAL)) }
        let output = ResponderTests.readAll(client)
        #expect(run.wait() == .limit)
        close(client)
        #expect(output.utf8.count == Self.banner.utf8.count + 100 * Self.replyBytes)
        #expect(run.sink.ids().filter { $0 == .sessionRequest }.count == 100)
        let limit = run.sink.events.first { $0.id == .sessionLimit }
        #expect(limit?.value("limit") == .string("maxRequests"))
    }

    @Test func serverEndsOneFloodingReadAtMaxRequestsAndServesOthers() throws {
        let sink = CollectingSink()
        let server = HoneypotServer(
            configuration: ServerConfiguration(
                listenAddress: "127.0.0.1", ports: [ServedPort(listenPort: 0, machine: TestMachines.compiled(Self.loop))],
                limits: ServerLimits(maxRequests: 100), emulation: EmulationOptions(), threads: 1, seed: 1
            ),
            log: sink
        )
        let port = try server.start()[0].port
        defer { server.shutdown() }
        let attacker = try #require(TestClient(port: port))
        #expect(attacker.read(until: "\r\n") == Self.banner)
        attacker.send(Self.flood)
        // One event loop: the flood must not hold it for long enough to starve this client.
        let honest = try #require(TestClient(port: port))
        #expect(honest.read(until: "\r\n") == Self.banner)
        honest.send(bytes("A"))
        #expect(honest.read(maxBytes: Self.replyBytes).utf8.count == Self.replyBytes)
        // The server closes with unread input, so the kernel may reset the connection and drop
        // answers in flight: the log says what was sent.
        #expect(attacker.waitForClose())
        #expect(sink.wait { $0.contains { $0.id == .sessionLimit && $0.value("limit") == .string("maxRequests") } })
        #expect(sink.wait { $0.contains { $0.id == .sessionClosed && $0.value("requests") == .int(100) } })
        let closed = sink.events.first { $0.id == .sessionClosed && $0.value("requests") == .int(100) }
        #expect(closed?.value("bytesOut") == .int(Self.banner.utf8.count + 100 * Self.replyBytes))
        #expect(closed?.value("reason") == .string("limit"))
    }
}
