import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A blocking loopback TCP client on plain sockets.
public final class TestClient {
    public let fd: Int32
    /// Bytes received but not yet handed out by `readLine`.
    private var pending: [UInt8] = []

    public init?(port: Int, from source: String = "127.0.0.1", timeoutSeconds: Int = 5) {
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

    public func send(_ bytes: [UInt8]) {
        _ = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress!, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    public func shutdownWrite() { shutdown(fd, Int32(SHUT_WR)) }

    /// Sends a reset: SO_LINGER with a zero time, then shut down both ways.
    public func reset() {
        var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
        shutdown(fd, Int32(SHUT_RDWR))
    }

    /// Reads until `text` has arrived, EOF, or the timeout; returns what arrived.
    public func read(until text: String? = nil, maxBytes: Int = 1 << 20) -> String {
        var received = pending
        pending = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while received.count < maxBytes {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress!, $0.count, 0) }
            if count <= 0 { break }
            received += buffer[0..<count]
            if let text, String(decoding: received, as: UTF8.self).contains(text) { break }
        }
        return String(decoding: received, as: UTF8.self)
    }

    public func send(_ text: String) { send(Array(text.utf8)) }

    /// The next line without its line ending (and surrounding white space); empty at EOF or
    /// timeout.
    public func readLine() -> String {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            if let newline = pending.firstIndex(of: 0x0a) {
                let line = pending[..<newline]
                pending.removeFirst(newline + 1)
                return String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            }
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress!, $0.count, 0) }
            if count <= 0 { return "" }
            pending += buffer[0..<count]
        }
    }

    /// True when the server closed the connection (EOF or reset) within the timeout.
    public func waitForClose() -> Bool {
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
public func connectLoopback(port: Int, ipv6: Bool = false, prepare: (Int32) -> Void = { _ in }) -> Int32? {
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
