import Foundation
import ScriptGenEmulation
import ScriptGenModel
import Testing
import ScriptGenTestSupport
@testable import ScriptGenServer

/// One listening socket per event loop (SO_REUSEPORT): connections are served whichever loop
/// accepts them, and a taken port is still refused as a plain bind would refuse it.
@Suite(.serialized) struct ListenerTests {
    static func server(port: Int, threads: Int, sink: CollectingSink = CollectingSink(), address: String = "127.0.0.1",
                       engine: ServerEngine = .default) -> HoneypotServer {
        HoneypotServer(
            configuration: ServerConfiguration(
                listenAddress: address, ports: [ServedPort(listenPort: port, machine: TestMachines.compiled(TestMachines.tcp))],
                threads: threads, seed: 1, engine: engine
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

    /// On a wildcard address each connection's own destination is logged; IPv6 peers in their
    /// text form.
    @Test(arguments: ServerEngine.available) func addressesAreLoggedForWildcardAndIPv6Listeners(engine: ServerEngine) throws {
        let sink = CollectingSink()
        let server = Self.server(port: 0, threads: 2, sink: sink, address: "0.0.0.0", engine: engine)
        let port = try server.start()[0].port
        defer { server.shutdown() }
        let client = try #require(TestClient(port: port))
        #expect(client.read(until: "\r\n") == "220 ready\r\n")
        #expect(sink.wait { $0.contains { $0.id == .sessionOpened } })
        let opened = try #require(sink.events.first { $0.id == .sessionOpened })
        #expect(opened.value("dst") == .string("127.0.0.1"))
        #expect(opened.value("dport") == .int(port))

        let sink6 = CollectingSink()
        let server6 = Self.server(port: 0, threads: 1, sink: sink6, address: "::1", engine: engine)
        // A machine without IPv6 loopback cannot bind ::1: nothing to check there.
        guard let port6 = try? server6.start()[0].port else { return }
        defer { server6.shutdown() }
        let fd = try #require(connectLoopback(port: port6, ipv6: true))
        defer { close(fd) }
        #expect(sink6.wait { $0.contains { $0.id == .sessionOpened } })
        let opened6 = try #require(sink6.events.first { $0.id == .sessionOpened })
        #expect(opened6.value("src") == .string("::1"))
        #expect(opened6.value("dst") == .string("::1"))
        #expect(opened6.value("dport") == .int(port6))
    }
}
