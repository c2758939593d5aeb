#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NIOCore

/// Whether a TCP port is free to listen on, asked the way a plain bind would: a socket with
/// SO_REUSEADDR but without SO_REUSEPORT fails to bind where anything listens already, while
/// the server's own SO_REUSEPORT sockets would join a listener of the same user.
enum ListeningPortCheck {
    /// Throws the bind error (EADDRINUSE, EACCES, ...) when `host:port` cannot be bound; port 0
    /// (any free port) is always free. The probe socket is closed before returning.
    static func ensureFree(host: String, port: Int) throws {
        guard port != 0 else { return }
        let address = try SocketAddress.makeAddressResolvingHost(host, port: port)
        #if canImport(Glibc)
        let fd = socket(Int32(address.protocol.rawValue), Int32(SOCK_STREAM.rawValue), 0)
        #else
        let fd = socket(Int32(address.protocol.rawValue), SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw IOError(errnoCode: errno, reason: "socket") }
        defer { closeDescriptor(fd) }
        var one: Int32 = 1
        _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        let status = address.withSockAddr { pointer, length in bind(fd, pointer, socklen_t(length)) }
        if status != 0 { throw IOError(errnoCode: errno, reason: "bind(\(host):\(port))") }
    }
}
