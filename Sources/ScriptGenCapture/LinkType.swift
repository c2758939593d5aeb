/// A pcap/pcapng link-layer header type (the LINKTYPE_ registry value).
///
/// A struct rather than an enum so that unknown values survive and can be reported.
public struct LinkType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// BSD loopback: a 4-byte address family in the writer's byte order.
    public static let null = LinkType(rawValue: 0)
    /// Ethernet II (also what Linux `lo` captures use, with zero MAC addresses).
    public static let ethernet = LinkType(rawValue: 1)
    /// Raw IP on some BSDs (DLT 12 written into files as 12).
    public static let rawIP12 = LinkType(rawValue: 12)
    /// Raw IP on OpenBSD-era files.
    public static let rawIP14 = LinkType(rawValue: 14)
    /// Raw IP: the packet starts with an IPv4 or IPv6 header.
    public static let rawIP = LinkType(rawValue: 101)
    /// OpenBSD loopback: a 4-byte address family in network byte order.
    public static let loop = LinkType(rawValue: 108)
    /// Linux cooked capture v1 (`tcpdump -i any` before libpcap 1.10).
    public static let linuxCooked = LinkType(rawValue: 113)
    public static let rawIPv4 = LinkType(rawValue: 228)
    public static let rawIPv6 = LinkType(rawValue: 229)
    /// Linux cooked capture v2.
    public static let linuxCookedV2 = LinkType(rawValue: 276)

    public var description: String {
        switch self {
        case .null: return "null"
        case .ethernet: return "ethernet"
        case .rawIP, .rawIP12, .rawIP14: return "raw(\(rawValue))"
        case .loop: return "loop"
        case .linuxCooked: return "linux-sll"
        case .rawIPv4: return "ipv4"
        case .rawIPv6: return "ipv6"
        case .linuxCookedV2: return "linux-sll2"
        default: return "linktype-\(rawValue)"
        }
    }
}
