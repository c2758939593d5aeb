import Foundation
import ScriptGenEmulation
import ScriptGenModel
import Testing
@testable import ScriptGenServer

/// The NIO server in-process, on free loopback ports, with plain-socket clients.
@Suite(.serialized) struct HoneypotServerTests {
    static func start(limits: ServerLimits = ServerLimits(), emulation: EmulationOptions = EmulationOptions()) throws -> (HoneypotServer, CollectingSink, Int) {
        let sink = CollectingSink()
        let server = HoneypotServer(
            configuration: ServerConfiguration(
                listenAddress: "127.0.0.1", ports: [ServedPort(listenPort: 0, machine: TestMachines.compiled(TestMachines.tcp))],
                limits: limits, emulation: emulation, threads: 2, seed: 1
            ),
            log: sink
        )
        let bound = try server.start()
        return (server, sink, bound[0].port)
    }

    @Test func servesAConversationAndLogsIt() throws {
        let (server, sink, port) = try Self.start()
        defer { server.shutdown() }
        let client = try #require(TestClient(port: port))
        #expect(client.read(until: "\r\n") == "220 ready\r\n")
        client.send(b("HELLO\r\n"))
        #expect(client.read(until: "\r\n") == "250 hello\r\n")
        client.send(b("QUIT\r\n"))
        #expect(client.read(until: "\r\n") == "221 bye\r\n")
        client.shutdownWrite()
        #expect(client.waitForClose())
        #expect(sink.wait { $0.contains { $0.id == .sessionClosed } })
        let closed = try #require(sink.events.first { $0.id == .sessionClosed })
        #expect(closed.value("requests") == .int(2))
        #expect(closed.value("matched") == .int(2))
        #expect(closed.value("reason") == .string("client-closed"))
    }

    @Test func perSourceLimitRefusesOnlyThatSource() throws {
        let (server, sink, port) = try Self.start(limits: ServerLimits(maxConnectionsPerSource: 2))
        defer { server.shutdown() }
        let first = try #require(TestClient(port: port, from: "127.0.0.2"))
        let second = try #require(TestClient(port: port, from: "127.0.0.2"))
        #expect(first.read(until: "\r\n") == "220 ready\r\n")
        #expect(second.read(until: "\r\n") == "220 ready\r\n")
        let third = try #require(TestClient(port: port, from: "127.0.0.2"))
        #expect(third.waitForClose())
        let other = try #require(TestClient(port: port, from: "127.0.0.3"))
        #expect(other.read(until: "\r\n") == "220 ready\r\n")
        #expect(sink.wait { $0.contains { $0.id == .connectionRefused && $0.value("limit") == .string("maxConnectionsPerSource") } })
    }

    @Test func oversizedRequestIsCutAndServerKeepsAnswering() throws {
        let (server, sink, port) = try Self.start(emulation: EmulationOptions(maxRequestBytes: 1024))
        defer { server.shutdown() }
        let attacker = try #require(TestClient(port: port))
        _ = attacker.read(until: "\r\n")
        attacker.send([UInt8](repeating: 0x41, count: 100_000))
        let honest = try #require(TestClient(port: port))
        #expect(honest.read(until: "\r\n") == "220 ready\r\n")
        honest.send(b("HELLO\r\n"))
        #expect(honest.read(until: "\r\n") == "250 hello\r\n")
        #expect(sink.wait { $0.filter { $0.id == .sessionLimit && $0.value("limit") == .string("maxRequestBytes") }.count >= 10 })
    }

    @Test func requestLimitAndIdleTimeoutCloseTheConversation() throws {
        let (server, sink, port) = try Self.start(limits: ServerLimits(idleTimeout: 200_000_000, maxRequests: 1))
        defer { server.shutdown() }
        let chatty = try #require(TestClient(port: port))
        _ = chatty.read(until: "\r\n")
        chatty.send(b("HELLO\r\n"))
        #expect(chatty.waitForClose())
        let silent = try #require(TestClient(port: port))
        _ = silent.read(until: "\r\n")
        #expect(silent.waitForClose())
        #expect(sink.wait { events in
            events.contains { $0.value("limit") == .string("maxRequests") } && events.contains { $0.value("limit") == .string("idleTimeout") }
        })
    }

    @Test func shutdownClosesOpenConversationsAndLogsThem() throws {
        let (server, sink, port) = try Self.start()
        let clients = (0..<5).compactMap { _ in TestClient(port: port) }
        for client in clients { _ = client.read(until: "\r\n") }
        server.shutdown()
        for client in clients { #expect(client.waitForClose()) }
        let events = sink.events
        #expect(events.filter { $0.id == .sessionClosed && $0.value("reason") == .string("shutdown") }.count == 5)
        #expect(events.last?.id == .serverStopped)
    }
}
