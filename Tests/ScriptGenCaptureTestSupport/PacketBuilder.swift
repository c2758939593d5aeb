import ScriptGenCapture
/// Crafts link-layer frames carrying IPv4/IPv6 TCP or UDP, for tests, fixtures and the
/// benchmark. IPv4 header, TCP and UDP checksums are computed, so tshark reads the result
/// without complaint.
public enum PacketBuilder {
    /// An 802.1Q (0x8100), 802.1ad (0x88a8) or legacy QinQ (0x9100) tag.
    public struct VLANTag: Hashable, Sendable {
        public var protocolIdentifier: UInt16
        public var identifier: UInt16
        public var priority: UInt8

        public init(identifier: UInt16, protocolIdentifier: UInt16 = 0x8100, priority: UInt8 = 0) {
            self.identifier = identifier
            self.protocolIdentifier = protocolIdentifier
            self.priority = priority
        }
    }

    /// The link-layer header to put in front of the IP packet.
    public enum Link: Hashable, Sendable {
        case ethernet(vlanTags: [VLANTag] = [])
        case linuxCooked
        case linuxCookedV2
        /// LINKTYPE_RAW (101): no link header.
        case rawIP
        /// LINKTYPE_IPV4 (228): no link header, IPv4 only.
        case rawIPv4
        /// LINKTYPE_IPV6 (229): no link header, IPv6 only.
        case rawIPv6
        /// BSD loopback: the address family in little- or big-endian; AF_INET6 is `ipv6Family`.
        case null(bigEndian: Bool = false, ipv6Family: UInt32 = 24)

        /// The link type a capture of these frames declares.
        public var linkType: LinkType {
            switch self {
            case .ethernet: return .ethernet
            case .linuxCooked: return .linuxCooked
            case .linuxCookedV2: return .linuxCookedV2
            case .rawIP: return .rawIP
            case .rawIPv4: return .rawIPv4
            case .rawIPv6: return .rawIPv6
            case .null: return .null
            }
        }
    }

    public static let clientMAC: [UInt8] = [0x02, 0x00, 0x00, 0x00, 0x00, 0x01]
    public static let serverMAC: [UInt8] = [0x02, 0x00, 0x00, 0x00, 0x00, 0x02]

    // MARK: Whole frames

    /// A TCP segment in an IP packet in a link frame.
    public static func tcp(
        source: IPAddress, sourcePort: UInt16, destination: IPAddress, destinationPort: UInt16,
        sequence: UInt32 = 0, acknowledgement: UInt32 = 0, flags: TCPFlags = [.ack, .psh],
        window: UInt16 = 65_535, payload: [UInt8] = [], link: Link = .ethernet()
    ) -> [UInt8] {
        let segment = tcpSegment(source: source, sourcePort: sourcePort, destination: destination,
                                 destinationPort: destinationPort, sequence: sequence, acknowledgement: acknowledgement,
                                 flags: flags, window: window, payload: payload)
        return frame(ipPacket(source: source, destination: destination, transport: 6, payload: segment), link: link)
    }

    /// A UDP datagram in an IP packet in a link frame.
    public static func udp(
        source: IPAddress, sourcePort: UInt16, destination: IPAddress, destinationPort: UInt16,
        payload: [UInt8] = [], link: Link = .ethernet()
    ) -> [UInt8] {
        let datagram = udpDatagram(source: source, sourcePort: sourcePort, destination: destination,
                                   destinationPort: destinationPort, payload: payload)
        return frame(ipPacket(source: source, destination: destination, transport: 17, payload: datagram), link: link)
    }

    /// Wraps an IP packet (IPv4 or IPv6, told by its first nibble) in a link header.
    public static func frame(_ ipPacket: [UInt8], link: Link) -> [UInt8] {
        let isIPv6 = ipPacket.first.map { $0 >> 4 == 6 } ?? false
        let etherType: UInt16 = isIPv6 ? 0x86dd : 0x0800
        var bytes: [UInt8] = []
        bytes.reserveCapacity(ipPacket.count + 32)
        switch link {
        case .ethernet(let tags):
            bytes += serverMAC + clientMAC
            for tag in tags {
                bytes.appendInteger(tag.protocolIdentifier, bigEndian: true)
                bytes.appendInteger(UInt16(tag.priority & 7) << 13 | tag.identifier & 0x0fff, bigEndian: true)
            }
            bytes.appendInteger(etherType, bigEndian: true)
        case .linuxCooked:
            bytes.appendInteger(0 as UInt16, bigEndian: true) // packet type: to us
            bytes.appendInteger(1 as UInt16, bigEndian: true) // ARPHRD_ETHER
            bytes.appendInteger(6 as UInt16, bigEndian: true)
            bytes += clientMAC + [0, 0]
            bytes.appendInteger(etherType, bigEndian: true)
        case .linuxCookedV2:
            bytes.appendInteger(etherType, bigEndian: true)
            bytes.appendInteger(0 as UInt16, bigEndian: true) // reserved
            bytes.appendInteger(1 as UInt32, bigEndian: true) // interface index
            bytes.appendInteger(1 as UInt16, bigEndian: true) // ARPHRD_ETHER
            bytes += [0, 6] // packet type, address length
            bytes += clientMAC + [0, 0]
        case .rawIP, .rawIPv4, .rawIPv6:
            break
        case .null(let bigEndian, let ipv6Family):
            bytes.appendInteger(isIPv6 ? ipv6Family : 2, bigEndian: bigEndian)
        }
        bytes += ipPacket
        return bytes
    }

    // MARK: IP

    /// An IPv4 or IPv6 packet, by the source address's family.
    public static func ipPacket(source: IPAddress, destination: IPAddress, transport: UInt8, payload: [UInt8]) -> [UInt8] {
        if source.isIPv6 {
            return ipv6Packet(source: source, destination: destination, nextHeader: transport, payload: payload)
        }
        return ipv4Packet(source: source, destination: destination, transport: transport, payload: payload)
    }

    /// An IPv4 packet with a correct header checksum. `fragmentOffset` is in bytes (a
    /// multiple of 8); `options` are padded to 4 bytes.
    public static func ipv4Packet(
        source: IPAddress, destination: IPAddress, transport: UInt8, payload: [UInt8],
        identification: UInt16 = 0x1234, dontFragment: Bool = false, moreFragments: Bool = false,
        fragmentOffset: Int = 0, timeToLive: UInt8 = 64, options: [UInt8] = [], totalLength: UInt16? = nil
    ) -> [UInt8] {
        let paddedOptions = options + Array(repeating: 0, count: (4 - options.count % 4) % 4)
        let headerLength = 20 + paddedOptions.count
        var header: [UInt8] = []
        header.reserveCapacity(headerLength + payload.count)
        header.append(0x40 | UInt8(headerLength / 4))
        header.append(0)
        header.appendInteger(totalLength ?? UInt16(truncatingIfNeeded: headerLength + payload.count), bigEndian: true)
        header.appendInteger(identification, bigEndian: true)
        let flags: UInt16 = (dontFragment ? 0x4000 : 0) | (moreFragments ? 0x2000 : 0)
        header.appendInteger(flags | UInt16(truncatingIfNeeded: fragmentOffset / 8) & 0x1fff, bigEndian: true)
        header.append(timeToLive)
        header.append(transport)
        header += [0, 0]
        header.appendInteger(source.v4Value, bigEndian: true)
        header.appendInteger(destination.v4Value, bigEndian: true)
        header += paddedOptions
        let checksum = internetChecksum(header[...])
        header[10] = UInt8(checksum >> 8)
        header[11] = UInt8(checksum & 0xff)
        return header + payload
    }

    /// An IPv6 packet; `payload` starts with the header named by `nextHeader` (extension
    /// headers built with `ipv6ExtensionHeader`/`ipv6FragmentHeader`, then the transport).
    public static func ipv6Packet(
        source: IPAddress, destination: IPAddress, nextHeader: UInt8, payload: [UInt8],
        hopLimit: UInt8 = 64, payloadLength: UInt16? = nil
    ) -> [UInt8] {
        var bytes: [UInt8] = [0x60, 0, 0, 0]
        bytes.appendInteger(payloadLength ?? UInt16(truncatingIfNeeded: payload.count), bigEndian: true)
        bytes.append(nextHeader)
        bytes.append(hopLimit)
        bytes += source.bytes16
        bytes += destination.bytes16
        return bytes + payload
    }

    /// A hop-by-hop (0), routing (43) or destination options (60) header with `nextHeader`
    /// and zero-filled contents, `units` × 8 bytes long (at least 1).
    public static func ipv6ExtensionHeader(nextHeader: UInt8, units: Int = 1) -> [UInt8] {
        var bytes: [UInt8] = [nextHeader, UInt8(max(1, units) - 1)]
        bytes += Array(repeating: 0, count: max(1, units) * 8 - 2)
        return bytes
    }

    /// An IPv6 fragment header; `offset` in bytes (a multiple of 8).
    public static func ipv6FragmentHeader(nextHeader: UInt8, offset: Int, moreFragments: Bool, identification: UInt32) -> [UInt8] {
        var bytes: [UInt8] = [nextHeader, 0]
        bytes.appendInteger(UInt16(truncatingIfNeeded: offset) & 0xfff8 | (moreFragments ? 1 : 0), bigEndian: true)
        bytes.appendInteger(identification, bigEndian: true)
        return bytes
    }

    // MARK: Transport

    /// A TCP header (20 bytes, or more with `options`, padded to 4) and payload, with its
    /// checksum over the pseudo-header of `source`/`destination`.
    public static func tcpSegment(
        source: IPAddress, sourcePort: UInt16, destination: IPAddress, destinationPort: UInt16,
        sequence: UInt32, acknowledgement: UInt32, flags: TCPFlags, window: UInt16 = 65_535,
        payload: [UInt8], options: [UInt8] = []
    ) -> [UInt8] {
        let paddedOptions = options + Array(repeating: 1, count: (4 - options.count % 4) % 4)
        let headerLength = 20 + paddedOptions.count
        var bytes: [UInt8] = []
        bytes.reserveCapacity(headerLength + payload.count)
        bytes.appendInteger(sourcePort, bigEndian: true)
        bytes.appendInteger(destinationPort, bigEndian: true)
        bytes.appendInteger(sequence, bigEndian: true)
        bytes.appendInteger(acknowledgement, bigEndian: true)
        bytes.append(UInt8(headerLength / 4) << 4)
        bytes.append(flags.rawValue)
        bytes.appendInteger(window, bigEndian: true)
        bytes += [0, 0, 0, 0] // checksum, urgent pointer
        bytes += paddedOptions
        bytes += payload
        let checksum = transportChecksum(bytes, source: source, destination: destination, transport: 6)
        bytes[16] = UInt8(checksum >> 8)
        bytes[17] = UInt8(checksum & 0xff)
        return bytes
    }

    /// A UDP header and payload with its checksum.
    public static func udpDatagram(
        source: IPAddress, sourcePort: UInt16, destination: IPAddress, destinationPort: UInt16, payload: [UInt8]
    ) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(8 + payload.count)
        bytes.appendInteger(sourcePort, bigEndian: true)
        bytes.appendInteger(destinationPort, bigEndian: true)
        bytes.appendInteger(UInt16(truncatingIfNeeded: 8 + payload.count), bigEndian: true)
        bytes += [0, 0]
        bytes += payload
        var checksum = transportChecksum(bytes, source: source, destination: destination, transport: 17)
        if checksum == 0 { checksum = 0xffff } // zero means "no checksum" in UDP
        bytes[6] = UInt8(checksum >> 8)
        bytes[7] = UInt8(checksum & 0xff)
        return bytes
    }

    // MARK: Checksums

    /// The ones'-complement sum used by IPv4, TCP and UDP, complemented.
    public static func internetChecksum(_ bytes: ArraySlice<UInt8>, initial: UInt32 = 0) -> UInt16 {
        var sum = UInt64(initial)
        var index = bytes.startIndex
        while index + 1 < bytes.endIndex {
            sum += UInt64(bytes[index]) << 8 | UInt64(bytes[index + 1])
            index += 2
        }
        if index < bytes.endIndex { sum += UInt64(bytes[index]) << 8 }
        while sum > 0xffff { sum = (sum & 0xffff) + (sum >> 16) }
        return ~UInt16(sum)
    }

    private static func transportChecksum(_ segment: [UInt8], source: IPAddress, destination: IPAddress, transport: UInt8) -> UInt16 {
        var pseudo: [UInt8] = source.isIPv6 ? source.bytes16 + destination.bytes16 : source.bytes4 + destination.bytes4
        if source.isIPv6 {
            pseudo.appendInteger(UInt32(segment.count), bigEndian: true)
            pseudo += [0, 0, 0, transport]
        } else {
            pseudo += [0, transport]
            pseudo.appendInteger(UInt16(truncatingIfNeeded: segment.count), bigEndian: true)
        }
        var sum: UInt32 = 0
        var index = 0
        while index < pseudo.count {
            sum += UInt32(pseudo[index]) << 8 | UInt32(pseudo[index + 1])
            index += 2
        }
        return internetChecksum(segment[...], initial: sum)
    }
}

extension IPAddress {
    /// The IPv4 value (0 for IPv6).
    var v4Value: UInt32 {
        if case .v4(let value) = self { return value }
        return 0
    }

    var bytes4: [UInt8] {
        let value = v4Value
        return [UInt8(value >> 24), UInt8((value >> 16) & 0xff), UInt8((value >> 8) & 0xff), UInt8(value & 0xff)]
    }

    /// The 16 network-order bytes of an IPv6 address (an IPv4 address is mapped, ::ffff:a.b.c.d).
    var bytes16: [UInt8] {
        var bytes: [UInt8] = []
        switch self {
        case .v4:
            bytes = Array(repeating: 0, count: 10) + [0xff, 0xff] + bytes4
        case .v6(let high, let low):
            bytes.appendInteger(high, bigEndian: true)
            bytes.appendInteger(low, bigEndian: true)
        }
        return bytes
    }
}
