import Foundation
import ScriptGenEmulation
import ScriptGenModel
import Testing
@testable import ScriptGenServer

/// One listening socket per event loop (SO_REUSEPORT): connections are served whichever loop
/// accepts them, and a taken port is still refused as a plain bind would refuse it.
@Suite(.serialized) struct ListenerTests {
    static func server(port: Int, threads: Int, sink: CollectingSink = CollectingSink()) -> HoneypotServer {
        HoneypotServer(
            configuration: ServerConfiguration(
                listenAddress: "127.0.0.1", ports: [ServedPort(listenPort: port, machine: TestMachines.compiled(TestMachines.tcp))],
                threads: threads, seed: 1
            ),
            log: sink
        )
    }

    @Test func everyConnectionIsServedAcrossTheLoops() throws {
        let sink = CollectingSink()
        let server = Self.server(port: 0, threads: 4, sink: sink)
        let bound = try server.start()
        defer { server.shutdown() }
        #expect(bound.count == 1, "one bound port per served port, however many loops listen")
        #expect(sink.events.filter { $0.id == .serverListening }.count == 1)
        let clients = (0..<64).compactMap { _ in TestClient(port: bound[0].port) }
        #expect(clients.count == 64)
        for client in clients { #expect(client.read(until: "\r\n") == "220 ready\r\n") }
        #expect(server.sessionCounts.opened == 64)
    }

    @Test(arguments: [1, 2])
    func aTakenPortIsRefused(threads: Int) throws {
        let first = Self.server(port: 0, threads: 2)
        let port = try first.start()[0].port
        defer { first.shutdown() }
        let second = Self.server(port: port, threads: threads)
        #expect(throws: (any Error).self) { _ = try second.start() }
        second.shutdown()
        // The first server still answers.
        let client = try #require(TestClient(port: port))
        #expect(client.read(until: "\r\n") == "220 ready\r\n")
    }

    @Test func portCheckRefusesAListenerAndAcceptsAFreePort() throws {
        let server = Self.server(port: 0, threads: 1)
        let port = try server.start()[0].port
        #expect(throws: (any Error).self) { try ListeningPortCheck.ensureFree(host: "127.0.0.1", port: port) }
        server.shutdown()
        try ListeningPortCheck.ensureFree(host: "127.0.0.1", port: port)
        try ListeningPortCheck.ensureFree(host: "127.0.0.1", port: 0)
    }
}
