import Foundation
import ScriptGenEmulation
import ScriptGenModel
import Testing
@testable import ScriptGenServer
import ScriptGenTestSupport

/// The responder on a socketpair, as honeyd gives a script one socket as stdin and stdout.
@Suite struct ResponderTests {
    static func socketPair(_ type: Int32) -> (script: Int32, client: Int32) {
        var fds: [Int32] = [0, 0]
        socketpair(AF_UNIX, type, 0, &fds)
        return (fds[0], fds[1])
    }

    /// Runs a responder on its own thread; returns when it finished.
    final class Run: @unchecked Sendable {
        private let done = DispatchSemaphore(value: 0)
        private(set) var reason: CloseReason?
        let sink = CollectingSink()

        init(machine: StateMachine, fd: Int32, options: Responder.Options, emulation: EmulationOptions = EmulationOptions()) {
            let endpoints = SessionEndpoints(transport: machine.transport, sourceAddress: "192.0.2.1", sourcePort: 1234, destinationAddress: "192.0.2.2", destinationPort: Int(machine.port), modelPort: Int(machine.port))
            let responder = Responder(
                emulator: Emulator(machine: TestMachines.compiled(machine), options: emulation, seed: 7),
                record: SessionRecord(session: "t", endpoints: endpoints, openedAt: MonotonicClock.now()),
                options: options, input: fd, output: fd, log: sink
            )
            Thread.detachNewThread { [self] in
                var running = responder
                reason = running.run()
                close(fd)
                done.signal()
            }
        }

        func wait() -> CloseReason? {
            _ = done.wait(timeout: .now() + 20)
            return reason
        }
    }

    static func readSome(_ fd: Int32) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: 65_536)
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress!, $0.count, 0) }
        return count > 0 ? Array(buffer[0..<count]) : []
    }

    static func readAll(_ fd: Int32) -> String {
        var all: [UInt8] = []
        while true {
            let some = readSome(fd)
            if some.isEmpty { break }
            all += some
        }
        return String(decoding: all, as: UTF8.self)
    }

    @Test func tcpAnswersUntilEOFAndFlushesPending() {
        let (script, client) = Self.socketPair(Int32(SOCK_STREAM.rawValue))
        let run = Run(machine: TestMachines.tcp, fd: script, options: .init(transport: .tcp), emulation: EmulationOptions(noMatch: .closest(threshold: 0)))
        #expect(String(decoding: Self.readSome(client), as: UTF8.self) == "220 ready\r\n")
        _ = bytes("HEL").withUnsafeBytes { write(client, $0.baseAddress!, $0.count) }
        _ = bytes("LO\r\nQUI").withUnsafeBytes { write(client, $0.baseAddress!, $0.count) }
        shutdown(client, Int32(SHUT_WR))
        // "QUI" is pending at EOF: answered as the closest edge (QUIT) before the exit.
        #expect(Self.readAll(client) == "250 hello\r\n221 bye\r\n")
        #expect(run.wait() == .clientClosed)
        close(client)
        let ids = run.sink.ids()
        #expect(ids.first == .sessionOpened)
        #expect(ids.last == .sessionClosed)
        #expect(ids.filter { $0 == .sessionRequest }.count == 2)
    }

    @Test func quietTimeAnswersWithoutEOF() {
        let (script, client) = Self.socketPair(Int32(SOCK_STREAM.rawValue))
        let run = Run(machine: TestMachines.tcp, fd: script, options: .init(transport: .tcp),
                      emulation: EmulationOptions(noMatch: .closest(threshold: 0), quietTime: 50_000_000))
        _ = Self.readSome(client)
        _ = bytes("HELL").withUnsafeBytes { write(client, $0.baseAddress!, $0.count) }
        // Only the quiet time can end this request; the answer comes while the socket is open.
        #expect(String(decoding: Self.readSome(client), as: UTF8.self) == "250 hello\r\n")
        shutdown(client, Int32(SHUT_WR))
        #expect(run.wait() == .clientClosed)
        close(client)
    }

    @Test func modelCloseEndsTheRun() {
        let (script, client) = Self.socketPair(Int32(SOCK_STREAM.rawValue))
        let run = Run(machine: TestMachines.tcp, fd: script, options: .init(transport: .tcp), emulation: EmulationOptions(noMatch: .close))
        _ = Self.readSome(client)
        _ = bytes("GARBAGE!\r\n").withUnsafeBytes { write(client, $0.baseAddress!, $0.count) }
        #expect(run.wait() == .modelClosed)
        close(client)
    }

    @Test func idleTimeoutIsALoggedLimit() {
        let (script, client) = Self.socketPair(Int32(SOCK_STREAM.rawValue))
        let run = Run(machine: TestMachines.tcp, fd: script, options: .init(transport: .tcp, idleTimeout: 100_000_000))
        #expect(run.wait() == .limit)
        #expect(run.sink.events.contains { $0.id == .sessionLimit && $0.value("limit") == .string("idleTimeout") })
        close(client)
    }

    @Test func udpDatagramsKeepBoundariesAndAnswersAreCut() {
        let (script, client) = Self.socketPair(Int32(SOCK_DGRAM.rawValue))
        let run = Run(machine: TestMachines.udp, fd: script, options: .init(transport: .udp, idleTimeout: 300_000_000))
        _ = bytes("ping").withUnsafeBytes { send(client, $0.baseAddress!, $0.count, 0) }
        let first = Self.readSome(client)
        #expect(first.count == Responder.Options.defaultMaxDatagramBytes)
        _ = bytes("hi").withUnsafeBytes { send(client, $0.baseAddress!, $0.count, 0) }
        #expect(Self.readSome(client) == bytes("hello"))
        // No EOF ever comes for UDP: the responder leaves after the idle time.
        #expect(run.wait() == .idle)
        #expect(run.sink.events.contains { $0.id == .sessionLimit && $0.value("limit") == .string("maxDatagramBytes") })
        #expect(run.sink.events.filter { $0.id == .sessionRequest }.allSatisfy { $0.value("match") == .string("edge") })
        close(client)
    }
}
