import Foundation
import ScriptGenEmulation
import ScriptGenModel
import Testing
@testable import ScriptGenServer
import ScriptGenTestSupport

/// Every admitted conversation logs exactly one `session.closed` and frees its registry slot,
/// however it ends: the model's close (at once or after a long answer), the client's close,
/// reset or half-close, a limit, or shutdown. On each TCP engine.
@Suite(.serialized) struct ConnectionLifecycleTests {
    static func start(engine: ServerEngine, machine: StateMachine, limits: ServerLimits = ServerLimits(),
                      threads: Int = 2) throws -> (HoneypotServer, CollectingSink, Int) {
        let sink = CollectingSink()
        let server = HoneypotServer(
            configuration: ServerConfiguration(
                listenAddress: "127.0.0.1", ports: [ServedPort(listenPort: 0, machine: TestMachines.compiled(machine))],
                limits: limits, threads: threads, seed: 1, engine: engine
            ),
            log: sink
        )
        let bound = try server.start()
        return (server, sink, bound[0].port)
    }

    /// True when every opened session logged one close and the registry holds none.
    static func everySessionClosedOnce(_ server: HoneypotServer, _ sink: CollectingSink, seconds: Double = 10) -> Bool {
        sink.wait(seconds: seconds) { events in
            let opened = events.filter { $0.id == .sessionOpened }.count
            let closed = events.filter { $0.id == .sessionClosed }.count
            return opened == closed && server.sessionCounts.open == 0 && server.sessionCounts.opened == opened
        }
    }

    static func counts(_ sink: CollectingSink) -> String {
        let events = sink.events
        return "opened \(events.filter { $0.id == .sessionOpened }.count), closed \(events.filter { $0.id == .sessionClosed }.count)"
    }

    /// A banner after which the real server always closed (a service that refuses everyone).
    static let closingBanner = StateMachine(transport: .tcp, port: 21, states: [
        State(replies: [reply("421 go away\r\n")], visits: 2, endings: 2, serverCloses: 2),
    ])

    @Test(arguments: ServerEngine.available) func aModelThatClosesAfterItsBannerLogsEveryClose(engine: ServerEngine) throws {
        let (server, sink, port) = try Self.start(engine: engine, machine: Self.closingBanner)
        defer { server.shutdown() }
        for _ in 0..<10 {
            let client = try #require(TestClient(port: port))
            #expect(client.read(until: "\r\n") == "421 go away\r\n")
            #expect(client.waitForClose())
        }
        #expect(Self.everySessionClosedOnce(server, sink), "\(Self.counts(sink))")
        #expect(sink.events.filter { $0.id == .sessionClosed && $0.value("reason") == .string("model-closed") }.count == 10)
    }

    /// A loopback client whose receive window stays small (no autotuning): a long answer
    /// waits in the server.
    static func connectWithSmallReceiveBuffer(port: Int) -> Int32? {
        connectLoopback(port: port) { fd in
            var size: Int32 = 4096
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
    }

    /// An 8 MiB banner, after which the real server always closed.
    static let hugeClosingBanner = StateMachine(transport: .tcp, port: 80, states: [
        State(replies: [ObservedReply(reply: Reply(messages: [[UInt8](repeating: 0x44, count: 8 << 20)]), count: 2)],
              visits: 2, endings: 2, serverCloses: 2),
    ])

    /// The banner is still queued when the model closes: the client that reads nothing is
    /// ended at the idle time, not held until shutdown.
    @Test(arguments: ServerEngine.available) func aDrainFromTheBannerEndsAtTheIdleTime(engine: ServerEngine) throws {
        let (server, sink, port) = try Self.start(engine: engine, machine: Self.hugeClosingBanner,
                                                  limits: ServerLimits(maxBufferedBytes: 32 << 20, idleTimeout: 200_000_000))
        defer { server.shutdown() }
        let fd = try #require(Self.connectWithSmallReceiveBuffer(port: port))
        defer { close(fd) }
        #expect(sink.wait { $0.contains { $0.id == .sessionOpened } })
        // Computed apart: a failed #expect would describe the server and its huge model.
        let allClosed = Self.everySessionClosedOnce(server, sink)
        #expect(allClosed, "\(Self.counts(sink))")
        #expect(sink.events.contains { $0.id == .sessionClosed && $0.value("reason") == .string("model-closed") },
                "\(sink.events.filter { $0.id == .sessionClosed || $0.id == .sessionLimit }.map { "\($0)" })")
    }

    @Test(arguments: ServerEngine.available) func aDrainingConversationWhoseClientResetsEndsOnce(engine: ServerEngine) throws {
        // The idle time is a minute: only the reset can end the drain within the wait.
        let (server, sink, port) = try Self.start(engine: engine, machine: Self.hugeClosingBanner, limits: ServerLimits(maxBufferedBytes: 32 << 20))
        defer { server.shutdown() }
        let fd = try #require(Self.connectWithSmallReceiveBuffer(port: port))
        #expect(sink.wait { $0.contains { $0.id == .sessionOpened } })
        var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
        close(fd)
        let allClosed = Self.everySessionClosedOnce(server, sink)
        #expect(allClosed, "\(Self.counts(sink))")
    }

    @Test(arguments: ServerEngine.available) func aDrainingConversationOpenAtShutdownIsClosedOnce(engine: ServerEngine) throws {
        let (server, sink, port) = try Self.start(engine: engine, machine: Self.hugeClosingBanner, limits: ServerLimits(maxBufferedBytes: 32 << 20))
        let fd = try #require(Self.connectWithSmallReceiveBuffer(port: port))
        defer { close(fd) }
        let other = try #require(TestClient(port: port))
        #expect(sink.wait { $0.filter { $0.id == .sessionOpened }.count == 2 })
        server.shutdown()
        let events = sink.events
        #expect(events.filter { $0.id == .sessionClosed }.count == 2)
        #expect(server.sessionCounts.open == 0)
        #expect(events.last?.id == .serverStopped)
        _ = other
    }

    /// A client that reads the queued answer a little at a time makes progress for ever: the
    /// duration limit still ends the conversation.
    @Test(arguments: ServerEngine.available) func aSlowReaderOfADrainIsEndedByTheDurationLimit(engine: ServerEngine) throws {
        let (server, sink, port) = try Self.start(engine: engine, machine: Self.hugeClosingBanner,
                                                  limits: ServerLimits(maxBufferedBytes: 32 << 20, maxDuration: 500_000_000))
        defer { server.shutdown() }
        let fd = try #require(Self.connectWithSmallReceiveBuffer(port: port))
        defer { close(fd) }
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        // About 8 KiB every 20 ms: the 8 MiB banner would take 20 s; watch for 10 s at most.
        var buffer = [UInt8](repeating: 0, count: 8192)
        var received = 0
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline, !sink.events.contains(where: { $0.id == .sessionClosed }) {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress!, $0.count, 0) }
            if count <= 0 { break }
            received += count
            usleep(20_000)
        }
        let allClosed = Self.everySessionClosedOnce(server, sink, seconds: 1)
        #expect(allClosed, "\(Self.counts(sink)) after \(received) bytes read")
        #expect(received < 8 << 20)
    }

    /// A client that keeps reading a drained answer, a little at a time, makes progress: on
    /// every engine the drain lasts until the duration limit, not the idle time after the drain
    /// began (the engines measured the drain differently: from its start, from its last write).
    @Test(arguments: ServerEngine.available) func aSlowReaderOfADrainEndsAtTheSameTimeOnEveryEngine(engine: ServerEngine) throws {
        // The idle time outlasts the gaps between the server's writes (the kernel's send
        // buffer drains in bursts); the duration limit comes before the answer is all read.
        let idle: Int64 = 800_000_000, duration: Int64 = 1_600_000_000
        let (server, sink, port) = try Self.start(engine: engine, machine: Self.hugeClosingBanner,
                                                  limits: ServerLimits(maxBufferedBytes: 32 << 20, idleTimeout: idle, maxDuration: duration))
        defer { server.shutdown() }
        let fd = try #require(Self.connectWithSmallReceiveBuffer(port: port))
        defer { close(fd) }
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        // A few MB/s through a 4 KiB window (the 8 MiB banner would take seconds), never pausing.
        var buffer = [UInt8](repeating: 0, count: 4096)
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline, !sink.events.contains(where: { $0.id == .sessionClosed }) {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress!, $0.count, 0) }
            if count <= 0 { break }
            usleep(1000)
        }
        #expect(Self.everySessionClosedOnce(server, sink, seconds: 2), "\(Self.counts(sink))")
        let closed = try #require(sink.events.first { $0.id == .sessionClosed })
        guard case .double(let lasted) = closed.value("duration") else { Issue.record("no duration"); return }
        // Ended by the duration limit (within the sweep's tick), on either engine.
        #expect(lasted >= Double(duration) / 1e9 - 0.1 && lasted < Double(duration) / 1e9 + 1, "\(engine): lasted \(lasted) s")
    }

    /// Banner; `HELLO` -> hello; `QUIT` -> bye and the model closes; `BIG` -> 64 KiB;
    /// `DUMP` -> 1 MiB and the model closes.
    static let mixed: StateMachine = {
        let edges = [
            Edge(pattern: .exact(bytes("HELLO\r\n")), weight: 1, target: 1), Edge(pattern: .exact(bytes("QUIT\r\n")), weight: 1, target: 2),
            Edge(pattern: .exact(bytes("BIG\r\n")), weight: 1, target: 3), Edge(pattern: .exact(bytes("DUMP\r\n")), weight: 1, target: 4),
        ]
        func filler(_ count: Int) -> ObservedReply { ObservedReply(reply: Reply(messages: [[UInt8](repeating: 0x45, count: count)]), count: 1) }
        return StateMachine(transport: .tcp, port: 21, states: [
            State(replies: [reply("220 ready\r\n")], edges: edges),
            State(replies: [reply("250 hello\r\n")], edges: edges),
            State(replies: [reply("221 bye\r\n")], visits: 1, endings: 1, serverCloses: 1),
            State(replies: [filler(65_536)], edges: edges),
            State(replies: [filler(1 << 20)], visits: 1, endings: 1, serverCloses: 1),
        ])
    }()

    /// One client of kind `kind % 8`; clients left open for the server to end are added to `held`.
    static func client(kind: Int, port: Int, held: inout [TestClient]) {
        guard let client = TestClient(port: port, timeoutSeconds: 2) else { return }
        switch kind % 8 {
        case 0:
            _ = client.read(until: "\r\n")
            client.send(bytes("HELLO\r\n"))
            _ = client.read(until: "250 hello\r\n")
            client.send(bytes("QUIT\r\n"))
            _ = client.waitForClose()
        case 1:
            client.reset()
        case 2:
            client.send(bytes("HELLO\r\n"))
            client.shutdownWrite()
            _ = client.waitForClose()
        case 3:
            // Asks for 2.5 MiB, reads nothing, and leaves with unread bytes (a reset).
            for _ in 0..<40 { client.send(bytes("BIG\r\n")) }
        case 4:
            break
        case 5:
            client.send(bytes("HEL"))
            held.append(client)
        case 6:
            client.send(Array(repeating: bytes("HELLO\r\n"), count: 30).flatMap { $0 })
            _ = client.waitForClose()
        default:
            client.send(bytes("DUMP\r\n"))
            held.append(client)
        }
    }

    static let stressLimits = ServerLimits(idleTimeout: 300_000_000, maxRequests: 20)

    @Test(arguments: ServerEngine.available) func manyShortConnectionsOfEveryKindEachLogOneClose(engine: ServerEngine) throws {
        let (server, sink, port) = try Self.start(engine: engine, machine: Self.mixed, limits: Self.stressLimits, threads: 4)
        defer { server.shutdown() }
        let held = HeldClients()
        DispatchQueue.concurrentPerform(iterations: 4) { worker in
            var mine: [TestClient] = []
            for index in 0..<80 { Self.client(kind: index + worker, port: port, held: &mine) }
            held.add(mine)
        }
        let allClosed = Self.everySessionClosedOnce(server, sink, seconds: 20)
        #expect(allClosed, "\(Self.counts(sink))")
        #expect(server.sessionCounts.opened >= 100)
        held.closeAll()
    }

    @Test(arguments: ServerEngine.available) func shutdownInTheMiddleOfManyConnectionsClosesEachOnce(engine: ServerEngine) throws {
        let (server, sink, port) = try Self.start(engine: engine, machine: Self.mixed, limits: Self.stressLimits, threads: 4)
        let held = HeldClients()
        let clients = DispatchGroup()
        for worker in 0..<4 {
            DispatchQueue.global().async(group: clients) {
                var mine: [TestClient] = []
                for index in 0..<80 { Self.client(kind: index + worker, port: port, held: &mine) }
                held.add(mine)
            }
        }
        #expect(sink.wait { $0.filter { $0.id == .sessionOpened }.count >= 40 })
        server.shutdown()
        server.shutdown()
        let events = sink.events
        let opened = events.filter { $0.id == .sessionOpened }.count
        let closed = events.filter { $0.id == .sessionClosed }.count
        #expect(opened == closed)
        #expect(server.sessionCounts.open == 0)
        #expect(events.last?.id == .serverStopped)
        #expect(events.filter { $0.id == .serverStopped }.count == 1)
        #expect(clients.wait(timeout: .now() + 60) == .success)
        // Nothing is logged after the server stopped.
        #expect(sink.events.count == events.count)
        held.closeAll()
    }
}

/// Clients kept open by several threads until the test closes them.
final class HeldClients: @unchecked Sendable {
    private let lock = NSLock()
    private var clients: [TestClient] = []

    func add(_ more: [TestClient]) {
        lock.lock()
        clients += more
        lock.unlock()
    }

    func closeAll() {
        lock.lock()
        clients = []
        lock.unlock()
    }
}
