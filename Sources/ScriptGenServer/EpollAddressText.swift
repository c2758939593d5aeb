#if os(Linux)
import CEpoll
import Glibc
import NIOCore

/// The text and port of an accepted peer or local address, for the log.
func endpointText(_ storage: sockaddr_storage) -> (host: String, port: Int) {
    switch Int32(storage.ss_family) {
    case AF_INET:
        return withUnsafeBytes(of: storage) { raw in
            let v4 = raw.load(as: sockaddr_in.self)
            return (dottedQuad(UInt32(bigEndian: v4.sin_addr.s_addr)), Int(UInt16(bigEndian: v4.sin_port)))
        }
    default:
        guard let address = socketAddress(storage) else { return (SessionEndpoints.unknownAddress, 0) }
        return (hostText(address), address.port ?? 0)
    }
}

/// An IPv4 or IPv6 address from the kernel as SwiftNIO's value; nil for other families.
func socketAddress(_ storage: sockaddr_storage) -> SocketAddress? {
    withUnsafeBytes(of: storage) { raw in
        switch Int32(storage.ss_family) {
        case AF_INET:
            let v4 = raw.load(as: sockaddr_in.self)
            return SocketAddress(v4, host: dottedQuad(UInt32(bigEndian: v4.sin_addr.s_addr)))
        case AF_INET6:
            var v6 = raw.load(as: sockaddr_in6.self)
            var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
            guard inet_ntop(AF_INET6, &v6.sin6_addr, &text, socklen_t(text.count)) != nil else { return nil }
            return SocketAddress(v6, host: text.withUnsafeBufferPointer { String(cString: $0.baseAddress!) })
        default:
            return nil
        }
    }
}
#endif
