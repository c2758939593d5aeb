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
}
