import Testing
@testable import ScriptGenCapture
import ScriptGenCaptureTestSupport

@Suite struct PacketDecoderLinkTests {
    var decoder = PacketDecoder()

    static let payload = Array("USER anonymous\r\n".utf8)

    static func tcpPacket(_ source: IPAddress = clientV4, _ destination: IPAddress = serverV4, link: PacketBuilder.Link) -> [UInt8] {
        PacketBuilder.tcp(source: source, sourcePort: 40000, destination: destination, destinationPort: 21,
                          sequence: 0xffff_fff0, acknowledgement: 77, flags: [.ack, .psh], window: 512,
                          payload: payload, link: link)
    }

    static func expectFTP(_ outcome: DecodeOutcome, source: IPAddress = clientV4, destination: IPAddress = serverV4,
                          sourceLocation: SourceLocation = #_sourceLocation) {
        guard let packet = outcome.packet else {
            Issue.record("expected a packet, got \(outcome)", sourceLocation: sourceLocation)
            return
        }
        #expect(packet.transport == .tcp, sourceLocation: sourceLocation)
        #expect(packet.source == source, sourceLocation: sourceLocation)
        #expect(packet.destination == destination, sourceLocation: sourceLocation)
        #expect(packet.sourcePort == 40000 && packet.destinationPort == 21, sourceLocation: sourceLocation)
        #expect(packet.tcp == TCPHeader(sequenceNumber: 0xffff_fff0, acknowledgementNumber: 77, flags: [.ack, .psh], window: 512),
                sourceLocation: sourceLocation)
        #expect(Array(packet.payload) == payload, sourceLocation: sourceLocation)
        #expect(packet.missingPayloadBytes == 0, sourceLocation: sourceLocation)
    }

    @Test mutating func ethernetTCPByteByByte() {
        let bytes = hexBytes("""
            02 00 00 00 00 02 02 00 00 00 00 01 08 00
            45 00 00 2c 12 34 00 00 40 06 00 00 0a 00 00 01 0a 00 00 02
            9c 40 00 15 ff ff ff f0 00 00 00 4d 50 18 02 00 00 00 00 00
            55 53 45 52
            """)
        let packet = decoder.decode(frame(bytes, .ethernet, at: 5, nanoseconds: 6)).packet
        #expect(packet?.timestamp == Timestamp(seconds: 5, nanoseconds: 6))
        #expect(packet?.source == clientV4 && packet?.destination == serverV4)
        #expect(packet?.sourcePort == 40000 && packet?.destinationPort == 21)
        #expect(packet?.tcp?.sequenceNumber == 0xffff_fff0 && packet?.tcp?.acknowledgementNumber == 77)
        #expect(packet?.tcp?.flags == [.ack, .psh] && packet?.tcp?.window == 512)
        #expect(packet.map { Array($0.payload) } == Array("USER".utf8))
    }

    @Test mutating func everyLinkType() {
        let links: [PacketBuilder.Link] = [
            .ethernet(), .linuxCooked, .linuxCookedV2, .rawIP,
            .null(bigEndian: false), .null(bigEndian: true),
        ]
        for link in links {
            Self.expectFTP(decoder.decode(frame(Self.tcpPacket(link: link), link.linkType)))
            Self.expectFTP(decoder.decode(frame(Self.tcpPacket(clientV6, serverV6, link: link), link.linkType)),
                           source: clientV6, destination: serverV6)
        }
        let ipv4 = Self.tcpPacket(link: .rawIP)
        let ipv6 = Self.tcpPacket(clientV6, serverV6, link: .rawIP)
        for type in [LinkType.rawIP12, .rawIP14] {
            Self.expectFTP(decoder.decode(frame(ipv4, type)))
            Self.expectFTP(decoder.decode(frame(ipv6, type)), source: clientV6, destination: serverV6)
        }
        Self.expectFTP(decoder.decode(frame(Self.tcpPacket(link: .rawIPv4), PacketBuilder.Link.rawIPv4.linkType)))
        Self.expectFTP(decoder.decode(frame(Self.tcpPacket(clientV6, serverV6, link: .rawIPv6), PacketBuilder.Link.rawIPv6.linkType)),
                       source: clientV6, destination: serverV6)
        for family: UInt32 in [10, 24, 28, 30] {
            for bigEndian in [false, true] {
                let link = PacketBuilder.Link.null(bigEndian: bigEndian, ipv6Family: family)
                Self.expectFTP(decoder.decode(frame(Self.tcpPacket(clientV6, serverV6, link: link), .null)),
                               source: clientV6, destination: serverV6)
            }
        }
        Self.expectFTP(decoder.decode(frame([0, 0, 0, 2] + ipv4, .loop)))
        #expect(decoder.decode(frame([0, 0, 0, 7] + ipv4, .null)).skipReason == .nonIP)
        #expect(decoder.decode(frame(ipv4, LinkType(rawValue: 147))).skipReason == .unsupportedLinkType)
    }

    @Test mutating func vlanTags() {
        let single = Self.tcpPacket(link: .ethernet(vlanTags: [.init(identifier: 10)]))
        #expect(Array(single[12..<16]) == [0x81, 0x00, 0x00, 0x0a])
        Self.expectFTP(decoder.decode(frame(single, .ethernet)))
        let double = Self.tcpPacket(link: .ethernet(vlanTags: [.init(identifier: 100, protocolIdentifier: 0x88a8), .init(identifier: 10)]))
        Self.expectFTP(decoder.decode(frame(double, .ethernet)))
        let triple = Self.tcpPacket(clientV6, serverV6, link: .ethernet(vlanTags: [
            .init(identifier: 1, protocolIdentifier: 0x9100), .init(identifier: 2, protocolIdentifier: 0x88a8), .init(identifier: 3),
        ]))
        Self.expectFTP(decoder.decode(frame(triple, .ethernet)), source: clientV6, destination: serverV6)
        #expect(decoder.decode(frame(Array(single[0..<16]), .ethernet)).skipReason == .truncatedHeader)
    }

    @Test mutating func linuxCookedV2ByteByByte() {
        let ip = Self.tcpPacket(link: .rawIP)
        let header = hexBytes("08 00 00 00 00 00 00 03 00 01 04 06 02 00 00 00 00 01 00 00")
        Self.expectFTP(decoder.decode(frame(header + ip, .linuxCookedV2)))
        var arp = header
        arp[0] = 0x08; arp[1] = 0x06
        #expect(decoder.decode(frame(arp + ip, .linuxCookedV2)).skipReason == .nonIP)
        #expect(decoder.decode(frame(Array(header[0..<19]), .linuxCookedV2)).skipReason == .truncatedHeader)
        #expect(decoder.decode(frame(Array(header[0..<15]), .linuxCooked)).skipReason == .truncatedHeader)
    }

    @Test mutating func pppoeSession() {
        let ip = Self.tcpPacket(link: .rawIP)
        let frameBytes = PacketBuilder.serverMAC + PacketBuilder.clientMAC + [0x88, 0x64, 0x11, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x21] + ip
        Self.expectFTP(decoder.decode(frame(frameBytes, .ethernet)))
    }

    @Test mutating func ethernetPaddingAndFCSAreTrimmed() {
        let small = PacketBuilder.udp(source: clientV4, sourcePort: 5353, destination: serverV4, destinationPort: 53, payload: [1, 2])
        let padded = small + Array(repeating: 0xee, count: 60 - small.count) + [0xde, 0xad, 0xbe, 0xef]
        let packet = decoder.decode(frame(padded, .ethernet)).packet
        #expect(packet?.transport == .udp)
        #expect(packet?.tcp == nil)
        #expect(packet.map { Array($0.payload) } == [1, 2])
        #expect(packet?.missingPayloadBytes == 0)
    }

    @Test mutating func nonIPEtherTypes() {
        let arp = PacketBuilder.serverMAC + PacketBuilder.clientMAC + [0x08, 0x06] + Array(repeating: 0, count: 28)
        #expect(decoder.decode(frame(arp, .ethernet)).skipReason == .nonIP)
        let llc = PacketBuilder.serverMAC + PacketBuilder.clientMAC + [0x00, 0x26, 0x42, 0x42, 0x03]
        #expect(decoder.decode(frame(llc, .ethernet)).skipReason == .nonIP)
        #expect(decoder.decode(frame([0x50, 0, 0], .rawIP)).skipReason == .nonIP)
        #expect(decoder.decode(frame([], .rawIP)).skipReason == .truncatedHeader)
        #expect(decoder.decode(frame(Array(repeating: 0, count: 13), .ethernet)).skipReason == .truncatedHeader)
    }
}

@Suite struct PacketDecoderIPTests {
    var decoder = PacketDecoder()

    func decodeIP(_ ip: [UInt8]) -> DecodeOutcome {
        var decoder = self.decoder
        return decoder.decode(frame(ip, .rawIP))
    }

    func segment(_ source: IPAddress = clientV4, _ destination: IPAddress = serverV4, payload: [UInt8] = [1, 2, 3]) -> [UInt8] {
        PacketBuilder.tcpSegment(source: source, sourcePort: 1, destination: destination, destinationPort: 2,
                                 sequence: 10, acknowledgement: 0, flags: .syn, payload: payload)
    }

    @Test func ipv4OptionsAreSkipped() {
        let ip = PacketBuilder.ipv4Packet(source: clientV4, destination: serverV4, transport: 6, payload: segment(),
                                          options: [0x94, 0x04, 0x00, 0x00, 0x01])
        #expect(ip[0] == 0x47)
        #expect(decodeIP(ip).packet.map { Array($0.payload) } == [1, 2, 3])
    }

    @Test func badIPv4Headers() {
        var ip = PacketBuilder.ipv4Packet(source: clientV4, destination: serverV4, transport: 6, payload: segment())
        var wrongVersion = ip
        wrongVersion[0] = 0x55
        var decoder = self.decoder
        #expect(decoder.decode(frame(wrongVersion, .rawIPv4)).skipReason == .badIPHeader)
        var shortIHL = ip
        shortIHL[0] = 0x44
        #expect(decodeIP(shortIHL).skipReason == .badIPHeader)
        var longIHL = ip
        longIHL[0] = 0x4f // 60-byte header, longer than the 43-byte packet
        #expect(decodeIP(longIHL).skipReason == .truncatedHeader)
        ip[2] = 0; ip[3] = 19 // total length below the header
        #expect(decodeIP(ip).skipReason == .badIPHeader)
        #expect(decodeIP(Array(ip[0..<19])).skipReason == .truncatedHeader)
    }

    @Test func segmentationOffloadZeroLength() {
        let ip = PacketBuilder.ipv4Packet(source: clientV4, destination: serverV4, transport: 6, payload: segment(), totalLength: 0)
        #expect(decodeIP(ip).packet.map { Array($0.payload) } == [1, 2, 3])
    }

    @Test func ipv6ExtensionHeadersAreWalked() {
        let transport = segment(clientV6, serverV6)
        let payload = PacketBuilder.ipv6ExtensionHeader(nextHeader: 43)
            + PacketBuilder.ipv6ExtensionHeader(nextHeader: 60, units: 3)
            + PacketBuilder.ipv6ExtensionHeader(nextHeader: 44)
            + PacketBuilder.ipv6FragmentHeader(nextHeader: 6, offset: 0, moreFragments: false, identification: 9) // atomic
            + transport
        let ip = PacketBuilder.ipv6Packet(source: clientV6, destination: serverV6, nextHeader: 0, payload: payload)
        let packet = decodeIP(ip).packet
        #expect(packet?.source == clientV6 && packet?.destination == serverV6)
        #expect(packet.map { Array($0.payload) } == [1, 2, 3])
        // AH: length in 4-byte units minus 2.
        let ah: [UInt8] = [6, 4, 0, 0] + Array(repeating: 0, count: 20)
        let withAH = PacketBuilder.ipv6Packet(source: clientV6, destination: serverV6, nextHeader: 51, payload: ah + transport)
        #expect(decodeIP(withAH).packet.map { Array($0.payload) } == [1, 2, 3])
        // An extension header running past the packet.
        let broken = PacketBuilder.ipv6Packet(source: clientV6, destination: serverV6, nextHeader: 60, payload: [6, 5, 0, 0, 0, 0, 0, 0])
        #expect(decodeIP(broken).skipReason == .badIPHeader)
        let noNext = PacketBuilder.ipv6Packet(source: clientV6, destination: serverV6, nextHeader: 59, payload: [])
        #expect(decodeIP(noNext).skipReason == .unsupportedTransport)
        var version4 = ip
        version4[0] = 0x40
        var decoder = self.decoder
        #expect(decoder.decode(frame(version4, .rawIPv6)).skipReason == .badIPHeader)
        #expect(decodeIP(Array(ip[0..<39])).skipReason == .truncatedHeader)
    }

    @Test func udpOverIPv4AndIPv6() {
        for (source, destination) in [(clientV4, serverV4), (clientV6, serverV6)] {
            let bytes = PacketBuilder.udp(source: source, sourcePort: 5353, destination: destination, destinationPort: 53,
                                          payload: [7, 7, 7], link: .rawIP)
            let packet = decodeIP(bytes).packet
            #expect(packet?.transport == .udp && packet?.sourcePort == 5353 && packet?.destinationPort == 53)
            #expect(packet.map { Array($0.payload) } == [7, 7, 7])
        }
    }

    @Test func snaplenTruncationKeepsWhatIsThere() {
        let body = Array(repeating: UInt8(0x61), count: 100)
        let tcp = PacketBuilder.tcp(source: clientV4, sourcePort: 1, destination: serverV4, destinationPort: 80, payload: body)
        var decoder = self.decoder
        let cut = CapturedFrame(timestamp: Timestamp(nanoseconds: 0), linkType: .ethernet, data: tcp[0..<(14 + 20 + 20 + 30)],
                                originalLength: tcp.count)
        let packet = decoder.decode(cut).packet
        #expect(packet?.payload.count == 30)
        #expect(packet?.missingPayloadBytes == 70)

        let udp = PacketBuilder.udp(source: clientV6, sourcePort: 1, destination: serverV6, destinationPort: 53, payload: body, link: .rawIP)
        let udpPacket = decodeIP(Array(udp[0..<(40 + 8 + 10)])).packet
        #expect(udpPacket?.payload.count == 10)
        #expect(udpPacket?.missingPayloadBytes == 90)

        // Cut inside the TCP header: nothing to decode.
        #expect(decoder.decode(frame(Array(tcp[0..<(14 + 20 + 10)]), .ethernet)).skipReason == .truncatedHeader)
        let withOptions = PacketBuilder.tcpSegment(source: clientV4, sourcePort: 1, destination: serverV4, destinationPort: 2,
                                                   sequence: 0, acknowledgement: 0, flags: .ack, payload: body, options: [2, 4, 5, 0xb4])
        let ip = PacketBuilder.ipv4Packet(source: clientV4, destination: serverV4, transport: 6, payload: withOptions)
        #expect(decodeIP(Array(ip[0..<42])).skipReason == .truncatedHeader)
        #expect(decodeIP(Array(ip[0..<44])).packet?.missingPayloadBytes == 100)
    }

    @Test func badTransportHeaders() {
        var tcp = segment()
        tcp[12] = 0x40 // data offset 4 words
        #expect(decodeIP(PacketBuilder.ipv4Packet(source: clientV4, destination: serverV4, transport: 6, payload: tcp)).skipReason == .badTransportHeader)
        tcp[12] = 0xf0 // 60 bytes, more than the segment
        #expect(decodeIP(PacketBuilder.ipv4Packet(source: clientV4, destination: serverV4, transport: 6, payload: tcp)).skipReason == .badTransportHeader)
        #expect(decodeIP(PacketBuilder.ipv4Packet(source: clientV4, destination: serverV4, transport: 6, payload: [0, 1, 2])).skipReason == .badTransportHeader)
        var udp = PacketBuilder.udpDatagram(source: clientV4, sourcePort: 1, destination: serverV4, destinationPort: 2, payload: [1, 2])
        udp[5] = 4
        #expect(decodeIP(PacketBuilder.ipv4Packet(source: clientV4, destination: serverV4, transport: 17, payload: udp)).skipReason == .badTransportHeader)
        udp[5] = 11
        #expect(decodeIP(PacketBuilder.ipv4Packet(source: clientV4, destination: serverV4, transport: 17, payload: udp)).skipReason == .badTransportHeader)
        udp[5] = 9 // shorter than the IP payload: the UDP length rules
        #expect(decodeIP(PacketBuilder.ipv4Packet(source: clientV4, destination: serverV4, transport: 17, payload: udp)).packet.map { Array($0.payload) } == [1])
        let icmp = PacketBuilder.ipv4Packet(source: clientV4, destination: serverV4, transport: 1, payload: [8, 0, 0, 0, 0, 0, 0, 0])
        #expect(decodeIP(icmp).skipReason == .unsupportedTransport)
    }

    @Test func skipReasonNamesAreStable() {
        #expect(SkipReason.allCases.map(\.rawValue) == [
            "non-ip", "unsupported-link-type", "truncated-header", "bad-ip-header", "bad-transport-header",
            "unsupported-transport", "fragment-limit", "fragment-timeout", "fragment-truncated", "fragment-incomplete",
        ])
    }
}
