import Foundation
import ScriptGenEmulation
import ScriptGenModel
import Testing
@testable import ScriptGenServer

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
        State(replies: [TestMachines.reply("421 go away\r\n")], visits: 2, endings: 2, serverCloses: 2),
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
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        var size: Int32 = 4096
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
        let status = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard status == 0 else {
            close(fd)
            return nil
        }
        return fd
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
}
