/// Decodes captured frames down to TCP segments and UDP datagrams.
///
/// Link layers: Ethernet (any number of 802.1Q/802.1ad/QinQ tags, PPPoE session), Linux
/// cooked v1/v2, raw IP (101, 12, 14), raw IPv4/IPv6 (228/229), BSD null and OpenBSD loop.
/// IPv4 options are skipped via IHL and the total length trims link padding; IPv6 extension
/// headers (hop-by-hop, routing, destination options, AH, fragment) are walked.
/// A packet cut by snaplen is decoded as far as it goes and reports `missingPayloadBytes`.
///
/// The decoder is a value type; its only state is the bounded IPv4/IPv6 fragment
/// reassembly, which expires datagrams by capture time (the frames' timestamps).
public struct PacketDecoder {
    /// Fragment reassembly limits.
    public struct Options: Sendable {
        /// Datagrams held at once; when full, the oldest is evicted (`fragment-limit`). Default 256.
        public var maxPendingDatagrams: Int
        /// Largest reassembled datagram payload. Default 65535.
        public var maxDatagramBytes: Int
        /// Fragments accepted for one datagram (guards against tiny-fragment floods). Default 256.
        public var maxFragmentsPerDatagram: Int
        /// Capture time after the first fragment at which an incomplete datagram is dropped
        /// (`fragment-timeout`). Default 30 s.
        public var fragmentTimeout: Nanoseconds

        public init(
            maxPendingDatagrams: Int = 256, maxDatagramBytes: Int = 65_535,
            maxFragmentsPerDatagram: Int = 256, fragmentTimeout: Nanoseconds = .seconds(30)
        ) {
            self.maxPendingDatagrams = maxPendingDatagrams
            self.maxDatagramBytes = maxDatagramBytes
            self.maxFragmentsPerDatagram = maxFragmentsPerDatagram
            self.fragmentTimeout = fragmentTimeout
        }
    }

    public var options: Options { reassembler.options }
    private var reassembler: FragmentReassembler

    public init(options: Options = Options()) {
        reassembler = FragmentReassembler(options: options)
    }

    /// Fragments that were answered `.pending` and later dropped, by reason
    /// (`fragment-timeout`, `fragment-limit`, `fragment-incomplete`). Adding these to the
    /// `.skipped` outcomes gives every frame that did not end up in a packet.
    public var discardedFragments: [SkipReason: Int] { reassembler.discarded }
    /// Datagrams currently waiting for more fragments.
    public var pendingDatagramCount: Int { reassembler.pendingDatagramCount }

    /// Call at the end of the input: fragments still waiting count as `fragment-incomplete`.
    public mutating func finish() {
        reassembler.finish()
    }

    public mutating func decode(_ frame: CapturedFrame) -> DecodeOutcome {
        reassembler.expire(now: frame.timestamp)
        if frame.linkType == .ethernet, let outcome = Self.decodeCommonCase(frame) { return outcome }
        let data = frame.data
        var position = data.startIndex
        let end = data.endIndex
        switch frame.linkType {
        case .ethernet:
            guard end - position >= 14 else { return .skipped(.truncatedHeader) }
            let etherType = data.uint16(at: position + 12)
            return decodeEtherType(etherType, data, at: position + 14, frame.timestamp)
        case .linuxCooked:
            guard end - position >= 16 else { return .skipped(.truncatedHeader) }
            return decodeEtherType(data.uint16(at: position + 14), data, at: position + 16, frame.timestamp)
        case .linuxCookedV2:
            guard end - position >= 20 else { return .skipped(.truncatedHeader) }
            return decodeEtherType(data.uint16(at: position), data, at: position + 20, frame.timestamp)
        case .rawIP, .rawIP12, .rawIP14:
            guard position < end else { return .skipped(.truncatedHeader) }
            switch data[position] >> 4 {
            case 4: return decodeIPv4(data, at: position, frame.timestamp)
            case 6: return decodeIPv6(data, at: position, frame.timestamp)
            default: return .skipped(.nonIP)
            }
        case .rawIPv4:
            return decodeIPv4(data, at: position, frame.timestamp)
        case .rawIPv6:
            return decodeIPv6(data, at: position, frame.timestamp)
        case .null, .loop:
            guard end - position >= 4 else { return .skipped(.truncatedHeader) }
            var family = UInt32(data[position]) | UInt32(data[position + 1]) << 8
                | UInt32(data[position + 2]) << 16 | UInt32(data[position + 3]) << 24
            // Written in the capturing host's byte order: a value above 0xffff is byte-swapped.
            if family > 0xffff { family = family.byteSwapped }
            position += 4
            switch family {
            case 2: return decodeIPv4(data, at: position, frame.timestamp)
            // AF_INET6: 24 (NetBSD/OpenBSD), 28 (FreeBSD), 30 (macOS), 10 (Linux).
            case 24, 28, 30, 10: return decodeIPv6(data, at: position, frame.timestamp)
            default: return .skipped(.nonIP)
            }
        default:
            return .skipped(.unsupportedLinkType)
        }
    }

    /// The common case read with unchecked loads after one length check: Ethernet without
    /// tags, IPv4 without options, unfragmented and not cut by snaplen, carrying a well-formed
    /// TCP or UDP header. Anything else, including every malformed packet, returns nil and
    /// takes the general path, which gives the same answer for these packets.
    @inline(__always)
    private static func decodeCommonCase(_ frame: CapturedFrame) -> DecodeOutcome? {
        let data = frame.data
        guard data.count >= 14 + 20 + 8 else { return nil }
        return data.withUnsafeBytes { raw -> DecodeOutcome? in
            func uint16(_ offset: Int) -> UInt16 { UInt16(bigEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt16.self)) }
            func uint32(_ offset: Int) -> UInt32 { UInt32(bigEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt32.self)) }
            // EtherType IPv4, version 4 with a 20-byte header, no fragment bits but DF.
            guard uint16(12) == 0x0800, raw[14] == 0x45, uint16(20) & 0x3fff == 0 else { return nil }
            let totalLength = Int(uint16(16))
            guard totalLength >= 20 + 8, totalLength <= raw.count - 14 else { return nil }
            let transportStart = 14 + 20
            let transportLength = totalLength - 20
            let transport = raw[23]
            let start = data.startIndex
            let source = IPAddress.v4(uint32(26))
            let destination = IPAddress.v4(uint32(30))
            let sourcePort = uint16(transportStart)
            let destinationPort = uint16(transportStart + 2)
            if transport == 6 {
                guard transportLength >= 20 else { return nil }
                let headerLength = Int(raw[transportStart + 12] >> 4) * 4
                guard headerLength >= 20, headerLength <= transportLength else { return nil }
                let header = TCPHeader(
                    sequenceNumber: uint32(transportStart + 4),
                    acknowledgementNumber: uint32(transportStart + 8),
                    flags: TCPFlags(rawValue: raw[transportStart + 13]),
                    window: uint16(transportStart + 14))
                return .packet(DecodedPacket(
                    timestamp: frame.timestamp, transport: .tcp, source: source, destination: destination,
                    sourcePort: sourcePort, destinationPort: destinationPort, tcp: header,
                    payload: data[(start + transportStart + headerLength)..<(start + 14 + totalLength)], missingPayloadBytes: 0))
            }
            if transport == 17 {
                let length = Int(uint16(transportStart + 4))
                guard length >= 8, length <= transportLength else { return nil }
                return .packet(DecodedPacket(
                    timestamp: frame.timestamp, transport: .udp, source: source, destination: destination,
                    sourcePort: sourcePort, destinationPort: destinationPort, tcp: nil,
                    payload: data[(start + transportStart + 8)..<(start + transportStart + length)], missingPayloadBytes: 0))
            }
            return nil
        }
    }

    // MARK: Link

    private mutating func decodeEtherType(_ etherType: UInt16, _ data: ArraySlice<UInt8>, at start: Int, _ timestamp: Timestamp) -> DecodeOutcome {
        var etherType = etherType
        var position = start
        let end = data.endIndex
        while true {
            switch etherType {
            case 0x0800:
                return decodeIPv4(data, at: position, timestamp)
            case 0x86dd:
                return decodeIPv6(data, at: position, timestamp)
            case 0x8100, 0x88a8, 0x9100, 0x9200:
                // VLAN tag: 2 bytes of tag control, then the next EtherType.
                guard end - position >= 4 else { return .skipped(.truncatedHeader) }
                etherType = data.uint16(at: position + 2)
                position += 4
            case 0x8864:
                // PPPoE session: 6-byte header, then a 2-byte PPP protocol.
                guard end - position >= 8 else { return .skipped(.truncatedHeader) }
                switch data.uint16(at: position + 6) {
                case 0x0021: etherType = 0x0800
                case 0x0057: etherType = 0x86dd
                default: return .skipped(.nonIP)
                }
                position += 8
            default:
                return .skipped(.nonIP)
            }
        }
    }

    // MARK: IP

    private mutating func decodeIPv4(_ data: ArraySlice<UInt8>, at start: Int, _ timestamp: Timestamp) -> DecodeOutcome {
        let available = data.endIndex - start
        guard available >= 20 else { return .skipped(.truncatedHeader) }
        let versionAndLength = data[start]
        guard versionAndLength >> 4 == 4 else { return .skipped(.badIPHeader) }
        let headerLength = Int(versionAndLength & 0x0f) * 4
        guard headerLength >= 20 else { return .skipped(.badIPHeader) }
        guard available >= headerLength else { return .skipped(.truncatedHeader) }
        var totalLength = Int(data.uint16(at: start + 2))
        // Zero appears in captures of TCP segmentation offload: the length is what was captured.
        if totalLength == 0 { totalLength = available }
        guard totalLength >= headerLength else { return .skipped(.badIPHeader) }
        let capturedEnd = start + min(totalLength, available)
        let missing = max(0, totalLength - available)
        let fragmentField = data.uint16(at: start + 6)
        let moreFragments = fragmentField & 0x2000 != 0
        let fragmentOffset = Int(fragmentField & 0x1fff) * 8
        let transport = data[start + 9]
        let source = IPAddress.v4(data.uint32(at: start + 12))
        let destination = IPAddress.v4(data.uint32(at: start + 16))
        if moreFragments || fragmentOffset != 0 {
            guard transport == 6 || transport == 17 else { return .skipped(.unsupportedTransport) }
            guard missing == 0 else { return .skipped(.fragmentTruncated) }
            let key = FragmentReassembler.Key(
                source: source, destination: destination,
                identification: UInt32(data.uint16(at: start + 4)), transport: transport)
            switch reassembler.add(key, offset: fragmentOffset, payload: data[(start + headerLength)..<capturedEnd],
                                   moreFragments: moreFragments, timestamp: timestamp) {
            case .pending: return .pending
            case .discarded(let reason): return .skipped(reason)
            case .complete(let bytes):
                return decodeTransport(transport, bytes[...], from: 0, missing: 0,
                                       source: source, destination: destination, timestamp: timestamp)
            }
        }
        return decodeTransport(transport, data[..<capturedEnd], from: start + headerLength, missing: missing,
                               source: source, destination: destination, timestamp: timestamp)
    }

    private mutating func decodeIPv6(_ data: ArraySlice<UInt8>, at start: Int, _ timestamp: Timestamp) -> DecodeOutcome {
        let available = data.endIndex - start
        guard available >= 40 else { return .skipped(.truncatedHeader) }
        guard data[start] >> 4 == 6 else { return .skipped(.badIPHeader) }
        let payloadLength = Int(data.uint16(at: start + 4))
        // Zero means a jumbogram or segmentation offload: use what was captured.
        let claimedEnd = payloadLength == 0 ? data.endIndex : start + 40 + payloadLength
        let capturedEnd = min(claimedEnd, data.endIndex)
        let missing = claimedEnd - capturedEnd
        let source = IPAddress.v6(data.uint64(at: start + 8), data.uint64(at: start + 16))
        let destination = IPAddress.v6(data.uint64(at: start + 24), data.uint64(at: start + 32))
        let packet = data[..<capturedEnd]
        switch Self.walkIPv6Extensions(packet, from: start + 40, nextHeader: data[start + 6], missing: missing) {
        case .skip(let reason):
            return .skipped(reason)
        case .transport(let transport, let position):
            return decodeTransport(transport, packet, from: position, missing: missing,
                                   source: source, destination: destination, timestamp: timestamp)
        case .fragment(let transport, let identification, let offset, let moreFragments, let position):
            guard transport == 6 || transport == 17 || Self.isExtensionHeader(transport) else {
                return .skipped(.unsupportedTransport)
            }
            guard missing == 0 else { return .skipped(.fragmentTruncated) }
            let key = FragmentReassembler.Key(source: source, destination: destination,
                                              identification: identification, transport: transport)
            switch reassembler.add(key, offset: offset, payload: packet[position...],
                                   moreFragments: moreFragments, timestamp: timestamp) {
            case .pending: return .pending
            case .discarded(let reason): return .skipped(reason)
            case .complete(let bytes):
                let reassembled = bytes[...]
                switch Self.walkIPv6Extensions(reassembled, from: 0, nextHeader: transport, missing: 0) {
                case .skip(let reason):
                    return .skipped(reason)
                case .fragment:
                    return .skipped(.badIPHeader)
                case .transport(let transport, let position):
                    return decodeTransport(transport, reassembled, from: position, missing: 0,
                                           source: source, destination: destination, timestamp: timestamp)
                }
            }
        }
    }

    private enum ExtensionWalk {
        case transport(UInt8, at: Int)
        case fragment(transport: UInt8, identification: UInt32, offset: Int, moreFragments: Bool, at: Int)
        case skip(SkipReason)
    }

    private static func isExtensionHeader(_ value: UInt8) -> Bool {
        value == 0 || value == 43 || value == 60 || value == 51
    }

    /// Walks IPv6 extension headers until a transport header or a (non-atomic) fragment header.
    private static func walkIPv6Extensions(_ packet: ArraySlice<UInt8>, from start: Int, nextHeader: UInt8, missing: Int) -> ExtensionWalk {
        var next = nextHeader
        var position = start
        let end = packet.endIndex
        // Each header is at least 8 bytes, so the walk ends within the packet.
        while true {
            let truncated: SkipReason = missing > 0 ? .truncatedHeader : .badIPHeader
            switch next {
            case 0, 43, 60, 51:
                guard end - position >= 8 else { return .skip(truncated) }
                let length = next == 51 ? (Int(packet[position + 1]) + 2) * 4 : (Int(packet[position + 1]) + 1) * 8
                next = packet[position]
                position += length
                guard position <= end else { return .skip(truncated) }
            case 44:
                guard end - position >= 8 else { return .skip(truncated) }
                let transport = packet[position]
                let field = packet.uint16(at: position + 2)
                let offset = Int(field & 0xfff8)
                let moreFragments = field & 1 != 0
                let identification = packet.uint32(at: position + 4)
                position += 8
                if offset == 0 && !moreFragments {
                    next = transport // An atomic fragment: the datagram is whole.
                    continue
                }
                return .fragment(transport: transport, identification: identification, offset: offset,
                                 moreFragments: moreFragments, at: position)
            default:
                return .transport(next, at: position)
            }
        }
    }

    // MARK: Transport

    /// `packet` ends where the IP packet's captured bytes end; `missing` bytes of it were cut.
    private func decodeTransport(
        _ transport: UInt8, _ packet: ArraySlice<UInt8>, from start: Int, missing: Int,
        source: IPAddress, destination: IPAddress, timestamp: Timestamp
    ) -> DecodeOutcome {
        let available = packet.endIndex - start
        let claimed = available + missing
        switch transport {
        case 6:
            guard claimed >= 20 else { return .skipped(.badTransportHeader) }
            guard available >= 20 else { return .skipped(.truncatedHeader) }
            let headerLength = Int(packet[start + 12] >> 4) * 4
            guard headerLength >= 20, headerLength <= claimed else { return .skipped(.badTransportHeader) }
            guard headerLength <= available else { return .skipped(.truncatedHeader) }
            let header = TCPHeader(
                sequenceNumber: packet.uint32(at: start + 4),
                acknowledgementNumber: packet.uint32(at: start + 8),
                flags: TCPFlags(rawValue: packet[start + 13]),
                window: packet.uint16(at: start + 14))
            return .packet(DecodedPacket(
                timestamp: timestamp, transport: .tcp, source: source, destination: destination,
                sourcePort: packet.uint16(at: start), destinationPort: packet.uint16(at: start + 2),
                tcp: header, payload: packet[(start + headerLength)...], missingPayloadBytes: missing))
        case 17:
            guard claimed >= 8 else { return .skipped(.badTransportHeader) }
            guard available >= 8 else { return .skipped(.truncatedHeader) }
            var length = Int(packet.uint16(at: start + 4))
            // Zero is legal for IPv6 jumbograms; the IP length rules then.
            if length == 0 && source.isIPv6 { length = claimed }
            guard length >= 8, length <= claimed else { return .skipped(.badTransportHeader) }
            let payloadEnd = min(start + length, packet.endIndex)
            return .packet(DecodedPacket(
                timestamp: timestamp, transport: .udp, source: source, destination: destination,
                sourcePort: packet.uint16(at: start), destinationPort: packet.uint16(at: start + 2),
                tcp: nil, payload: packet[(start + 8)..<payloadEnd],
                missingPayloadBytes: start + length - payloadEnd))
        default:
            return .skipped(.unsupportedTransport)
        }
    }
}

extension ArraySlice<UInt8> {
    /// Big-endian reads at absolute indices; callers check the bounds first.
    @inline(__always)
    func uint16(at index: Int) -> UInt16 {
        UInt16(self[index]) << 8 | UInt16(self[index + 1])
    }

    @inline(__always)
    func uint32(at index: Int) -> UInt32 {
        UInt32(self[index]) << 24 | UInt32(self[index + 1]) << 16 | UInt32(self[index + 2]) << 8 | UInt32(self[index + 3])
    }

    @inline(__always)
    func uint64(at index: Int) -> UInt64 {
        UInt64(uint32(at: index)) << 32 | UInt64(uint32(at: index + 4))
    }
}
