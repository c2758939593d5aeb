#if os(Linux)
import CEpoll
import Glibc
import NIOCore

/// A bound, listening, non-blocking TCP socket.
struct ListeningSocket {
    let descriptor: Int32
    /// The address bound (with the port the kernel chose for port 0).
    let address: SocketAddress
    /// Whether the address is a wildcard, so each connection's own destination must be asked.
    let isWildcard: Bool

    init(address: SocketAddress, reusePort: Bool) throws {
        let fd = Glibc.socket(Int32(address.protocol.rawValue), Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw IOError(errnoCode: errno, reason: "socket") }
        var one: Int32 = 1
        let size = socklen_t(MemoryLayout<Int32>.size)
        _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, size)
        if reusePort { _ = setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, size) }
        // Accepted sockets inherit it: answers leave at once, as with SwiftNIO's default.
        _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, size)
        let host = address.ipAddress ?? "?"
        let port = address.port ?? 0
        if address.withSockAddr({ bind(fd, $0, socklen_t($1)) }) != 0 {
            let code = errno
            _ = close(fd)
            throw IOError(errnoCode: code, reason: "bind(\(host):\(port))")
        }
        if Glibc.listen(fd, 4096) != 0 {
            let code = errno
            _ = close(fd)
            throw IOError(errnoCode: code, reason: "listen(\(host):\(port))")
        }
        guard let local = Self.localAddress(of: fd) else {
            let code = errno
            _ = close(fd)
            throw IOError(errnoCode: code, reason: "getsockname")
        }
        self.descriptor = fd
        self.address = local
        switch local {
        case .v4(let v4): isWildcard = v4.address.sin_addr.s_addr == 0
        case .v6(let v6): isWildcard = withUnsafeBytes(of: v6.address.sin6_addr) { $0.allSatisfy { $0 == 0 } }
        default: isWildcard = false
        }
    }

    static func localAddress(of fd: Int32) -> SocketAddress? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let status = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard status == 0 else { return nil }
        return socketAddress(storage)
    }
}
#endif
