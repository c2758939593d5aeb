import Foundation
import ScriptGenEmulation
import ScriptGenModel
@testable import ScriptGenServer
import ScriptGenTestSupport


/// Keeps every event in memory.
final class CollectingSink: EventSink, @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [Event] = []

    func record(_ event: Event) {
        lock.lock()
        stored.append(event)
        lock.unlock()
    }

    var events: [Event] {
        lock.lock()
        defer { lock.unlock() }
        return stored
    }

    func ids() -> [EventID] { events.map(\.id) }

    /// Waits (bounded) until `predicate` holds for the events.
    func wait(seconds: Double = 10, until predicate: ([Event]) -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if predicate(events) { return true }
            usleep(10_000)
        }
        return predicate(events)
    }
}

enum TestMachines {
    /// Banner; `HELLO\r\n` -> greeting; `QUIT\r\n` -> bye (a leaf).
    static let tcp = StateMachine(transport: .tcp, port: 21, states: [
        State(replies: [reply("220 ready\r\n")], edges: [
            Edge(pattern: .exact(bytes("HELLO\r\n")), weight: 2, target: 1),
            Edge(pattern: .exact(bytes("QUIT\r\n")), weight: 1, target: 2),
        ]),
        State(replies: [reply("250 hello\r\n")], edges: [Edge(pattern: .exact(bytes("QUIT\r\n")), weight: 1, target: 2)]),
        State(replies: [reply("221 bye\r\n")], edges: []),
    ])

    /// A UDP echo-like service: `ping` -> a long answer (3000 bytes), `hi` -> `hello`.
    static let udp = StateMachine(transport: .udp, port: 53, states: [
        State(edges: [
            Edge(pattern: .exact(bytes("ping")), weight: 1, target: 1),
            Edge(pattern: .exact(bytes("hi")), weight: 1, target: 2),
        ]),
        State(replies: [ObservedReply(reply: Reply(messages: [[UInt8](repeating: 0x41, count: 3000)]), count: 1)], edges: [Edge(pattern: .exact(bytes("hi")), weight: 1, target: 2)]),
        State(replies: [reply("hello")], edges: [Edge(pattern: .exact(bytes("hi")), weight: 1, target: 2)]),
    ])

    static func compiled(_ machine: StateMachine) -> CompiledMachine {
        try! CompiledMachine(machine)
    }
}

/// Parses one event line back with Foundation's JSON reader.
func parseLine(_ line: [UInt8]) -> [String: Any]? {
    guard line.last == 0x0a else { return nil }
    return (try? JSONSerialization.jsonObject(with: Data(line.dropLast()))) as? [String: Any]
}

/// A blocking loopback TCP client on plain sockets.
final class TestClient {
    let fd: Int32

    init?(port: Int, from source: String = "127.0.0.1", timeoutSeconds: Int = 5) {
        let connected = connectLoopback(port: port) { fd in
            var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            var local = sockaddr_in()
            local.sin_family = sa_family_t(AF_INET)
            inet_pton(AF_INET, source, &local.sin_addr)
            _ = withUnsafePointer(to: &local) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        }
        guard let connected else { return nil }
        fd = connected
    }

    deinit { close(fd) }

    func send(_ bytes: [UInt8]) {
        _ = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress!, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    func shutdownWrite() { shutdown(fd, Int32(SHUT_WR)) }

    /// Sends a reset: SO_LINGER with a zero time, then shut down both ways.
    func reset() {
        var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
        shutdown(fd, Int32(SHUT_RDWR))
    }

    /// Reads until `text` has arrived, EOF, or the timeout; returns what arrived.
    func read(until text: String? = nil, maxBytes: Int = 1 << 20) -> String {
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while received.count < maxBytes {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress!, $0.count, 0) }
            if count <= 0 { break }
            received += buffer[0..<count]
            if let text, String(decoding: received, as: UTF8.self).contains(text) { break }
        }
        return String(decoding: received, as: UTF8.self)
    }

    /// True when the server closed the connection (EOF or reset) within the timeout.
    func waitForClose() -> Bool {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress!, $0.count, 0) }
            if count == 0 { return true }
            if count < 0 { return errno == ECONNRESET }
        }
    }
}

/// A TCP socket connected to `port` on 127.0.0.1 (or ::1), with `prepare` applied before the
/// connect; nil when it fails.
func connectLoopback(port: Int, ipv6: Bool = false, prepare: (Int32) -> Void = { _ in }) -> Int32? {
    let fd = socket(ipv6 ? AF_INET6 : AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { return nil }
    prepare(fd)
    var status: Int32
    if ipv6 {
        var address = sockaddr_in6()
        address.sin6_family = sa_family_t(AF_INET6)
        address.sin6_port = in_port_t(UInt16(port).bigEndian)
        inet_pton(AF_INET6, "::1", &address.sin6_addr)
        status = connect(fd, to: &address)
    } else {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
        status = connect(fd, to: &address)
    }
    guard status == 0 else {
        close(fd)
        return nil
    }
    return fd
}

/// connect(2) to a `sockaddr_in` or `sockaddr_in6`.
private func connect<Address>(_ fd: Int32, to address: inout Address) -> Int32 {
    withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<Address>.size)) }
    }
}
