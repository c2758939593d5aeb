import Foundation
import ScriptGenEmulation
import ScriptGenModel
import Testing
@testable import ScriptGenServer
import ScriptGenTestSupport

/// The server in-process, on free loopback ports, with plain-socket clients; every test runs
/// on each TCP engine.
@Suite(.serialized) struct HoneypotServerTests {
    static func start(engine: ServerEngine, machine: StateMachine = TestMachines.tcp, limits: ServerLimits = ServerLimits(),
                      emulation: EmulationOptions = EmulationOptions()) throws -> (HoneypotServer, CollectingSink, Int) {
        let sink = CollectingSink()
        let server = HoneypotServer(
            configuration: ServerConfiguration(
                listenAddress: "127.0.0.1", ports: [ServedPort(listenPort: 0, machine: TestMachines.compiled(machine))],
                limits: limits, emulation: emulation, threads: 2, seed: 1, engine: engine
            ),
            log: sink
        )
        let bound = try server.start()
        return (server, sink, bound[0].port)
    }

    @Test(arguments: ServerEngine.available) func servesAConversationAndLogsIt(engine: ServerEngine) throws {
        let (server, sink, port) = try Self.start(engine: engine)
        defer { server.shutdown() }
        let client = try #require(TestClient(port: port))
        #expect(client.read(until: "\r\n") == "220 ready\r\n")
        client.send(bytes("HELLO\r\n"))
        #expect(client.read(until: "\r\n") == "250 hello\r\n")
        client.send(bytes("QUIT\r\n"))
        #expect(client.read(until: "\r\n") == "221 bye\r\n")
        client.shutdownWrite()
        #expect(client.waitForClose())
        #expect(sink.wait { $0.contains { $0.id == .sessionClosed } })
        let closed = try #require(sink.events.first { $0.id == .sessionClosed })
        #expect(closed.value("requests") == .int(2))
        #expect(closed.value("matched") == .int(2))
        #expect(closed.value("reason") == .string("client-closed"))
    }

    @Test(arguments: ServerEngine.available) func perSourceLimitRefusesOnlyThatSource(engine: ServerEngine) throws {
        let (server, sink, port) = try Self.start(engine: engine, limits: ServerLimits(maxConnectionsPerSource: 2))
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

    @Test(arguments: ServerEngine.available) func oversizedRequestIsCutAndServerKeepsAnswering(engine: ServerEngine) throws {
        let (server, sink, port) = try Self.start(engine: engine, emulation: EmulationOptions(maxRequestBytes: 1024))
        defer { server.shutdown() }
        let attacker = try #require(TestClient(port: port))
        _ = attacker.read(until: "\r\n")
        attacker.send([UInt8](repeating: 0x41, count: 100_000))
        let honest = try #require(TestClient(port: port))
        #expect(honest.read(until: "\r\n") == "220 ready\r\n")
        honest.send(bytes("HELLO\r\n"))
        #expect(honest.read(until: "\r\n") == "250 hello\r\n")
        #expect(sink.wait { $0.filter { $0.id == .sessionLimit && $0.value("limit") == .string("maxRequestBytes") }.count >= 10 })
    }

    @Test(arguments: ServerEngine.available) func requestLimitAndIdleTimeoutCloseTheConversation(engine: ServerEngine) throws {
        let (server, sink, port) = try Self.start(engine: engine, limits: ServerLimits(idleTimeout: 200_000_000, maxRequests: 1))
        defer { server.shutdown() }
        let chatty = try #require(TestClient(port: port))
        _ = chatty.read(until: "\r\n")
        chatty.send(bytes("HELLO\r\n"))
        #expect(chatty.waitForClose())
        let silent = try #require(TestClient(port: port))
        _ = silent.read(until: "\r\n")
        #expect(silent.waitForClose())
        #expect(sink.wait { events in
            events.contains { $0.value("limit") == .string("maxRequests") } && events.contains { $0.value("limit") == .string("idleTimeout") }
        })
    }

    @Test(arguments: ServerEngine.available) func shutdownClosesOpenConversationsAndLogsThem(engine: ServerEngine) throws {
        let (server, sink, port) = try Self.start(engine: engine)
        let clients = (0..<5).compactMap { _ in TestClient(port: port) }
        for client in clients { _ = client.read(until: "\r\n") }
        server.shutdown()
        for client in clients { #expect(client.waitForClose()) }
        let events = sink.events
        #expect(events.filter { $0.id == .sessionClosed && $0.value("reason") == .string("shutdown") }.count == 5)
        #expect(events.last?.id == .serverStopped)
    }

    /// `GET\r\n` answered with 64 KiB, again and again.
    static let bulky = StateMachine(transport: .tcp, port: 80, states: [
        State(replies: [reply("220 ready\r\n")], edges: [Edge(pattern: .exact(bytes("GET\r\n")), weight: 1, target: 1)]),
        State(replies: [ObservedReply(reply: Reply(messages: [[UInt8](repeating: 0x42, count: 65_536)]), count: 1)],
              edges: [Edge(pattern: .exact(bytes("GET\r\n")), weight: 1, target: 1)]),
    ])

    @Test(arguments: ServerEngine.available) func aClientThatDoesNotReadIsEndedAtTheBufferLimit(engine: ServerEngine) throws {
        let (server, sink, port) = try Self.start(engine: engine, machine: Self.bulky, limits: ServerLimits(maxBufferedBytes: 65_536))
        defer { server.shutdown() }
        let hoarder = try #require(TestClient(port: port))
        // 26 MB of answers asked for, none read: more than any loopback socket buffer holds.
        for _ in 0..<400 { hoarder.send(bytes("GET\r\n")) }
        #expect(sink.wait { $0.contains { $0.id == .sessionLimit && $0.value("limit") == .string("maxBufferedBytes") } })
        #expect(sink.wait { $0.contains { $0.id == .sessionClosed && $0.value("reason") == .string("limit") } })
        // The others are still served.
        let honest = try #require(TestClient(port: port))
        #expect(honest.read(until: "\r\n") == "220 ready\r\n")
    }

    @Test(arguments: ServerEngine.available) func pendingInputIsARequestAfterTheQuietTime(engine: ServerEngine) throws {
        let (server, sink, port) = try Self.start(engine: engine, emulation: EmulationOptions(quietTime: 50_000_000))
        defer { server.shutdown() }
        let client = try #require(TestClient(port: port))
        _ = client.read(until: "\r\n")
        client.send(bytes("HEL"))
        // No line end ever comes: the quiet time makes `HEL` a (non-matching) request.
        #expect(sink.wait { $0.contains { $0.id == .sessionRequest && $0.value("length") == .int(3) && $0.value("match") == .string("none") } })
        client.send(bytes("HELLO\r\n"))
        #expect(client.read(until: "250 hello\r\n").hasSuffix("250 hello\r\n"))
    }

    @Test(arguments: ServerEngine.available) func aResetIsTheClientsClose(engine: ServerEngine) throws {
        let (server, sink, port) = try Self.start(engine: engine)
        defer { server.shutdown() }
        let client = try #require(TestClient(port: port))
        _ = client.read(until: "\r\n")
        client.send(bytes("HELLO\r\n"))
        _ = client.read(until: "\r\n")
        client.reset()
        #expect(sink.wait { $0.contains { $0.id == .sessionClosed } })
        let closed = try #require(sink.events.first { $0.id == .sessionClosed })
        #expect(closed.value("reason") == .string("client-closed"))
        #expect(closed.value("requests") == .int(1))
    }

    /// No banner: `PING\r\n` -> `+PONG\r\n`, again and again.
    static let clientFirst = StateMachine(transport: .tcp, port: 6379, states: [
        State(edges: [Edge(pattern: .exact(bytes("PING\r\n")), weight: 1, target: 1)]),
        State(replies: [reply("+PONG\r\n")], edges: [Edge(pattern: .exact(bytes("PING\r\n")), weight: 1, target: 1)]),
    ])

    @Test(arguments: ServerEngine.available) func aClientThatSpeaksFirstIsAnsweredHoweverEarlyItSpoke(engine: ServerEngine) throws {
        let (server, sink, port) = try Self.start(engine: engine, machine: Self.clientFirst)
        defer { server.shutdown() }
        // At once (the request is usually queued before the server accepts), and later.
        let early = try #require(TestClient(port: port))
        early.send(bytes("PING\r\n"))
        #expect(early.read(until: "\r\n") == "+PONG\r\n")
        let late = try #require(TestClient(port: port))
        usleep(50_000)
        late.send(bytes("PING\r\n"))
        #expect(late.read(until: "\r\n") == "+PONG\r\n")
        late.send(bytes("PING\r\n"))
        #expect(late.read(until: "\r\n") == "+PONG\r\n")
        // A scanner that connects and leaves at once: opened and closed, no request.
        let scanner = try #require(TestClient(port: port))
        scanner.shutdownWrite()
        #expect(scanner.waitForClose())
        #expect(sink.wait { $0.filter { $0.id == .sessionClosed }.count >= 1 })
        #expect(sink.events.contains { $0.id == .sessionClosed && $0.value("requests") == .int(0) && $0.value("reason") == .string("client-closed") })
    }

    /// `GET\r\n` answered with 4 MiB, after which the real server always closed.
    static let bigThenClose = StateMachine(transport: .tcp, port: 80, states: [
        State(edges: [Edge(pattern: .exact(bytes("GET\r\n")), weight: 1, target: 1)], visits: 2),
        State(replies: [ObservedReply(reply: Reply(messages: [[UInt8](repeating: 0x43, count: 4 << 20)]), count: 2)],
              visits: 2, endings: 2, serverCloses: 2),
    ])

    @Test(arguments: ServerEngine.available) func anAnswerLargerThanTheSocketBufferIsWholeBeforeTheModelCloses(engine: ServerEngine) throws {
        let (server, sink, port) = try Self.start(engine: engine, machine: Self.bigThenClose, limits: ServerLimits(maxBufferedBytes: 8 << 20))
        defer { server.shutdown() }
        let client = try #require(TestClient(port: port))
        client.send(bytes("GET\r\n"))
        // Read late, so the answer cannot have gone into the kernel's buffers at once.
        usleep(200_000)
        let answer = client.read(maxBytes: 8 << 20)
        #expect(answer.utf8.count == 4 << 20)
        #expect(sink.wait { $0.contains { $0.id == .sessionClosed } })
        let closed = try #require(sink.events.first { $0.id == .sessionClosed })
        #expect(closed.value("reason") == .string("model-closed"))
        #expect(closed.value("bytesOut") == .int(4 << 20))
    }
}
