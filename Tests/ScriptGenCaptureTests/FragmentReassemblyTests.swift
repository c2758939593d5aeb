import Testing
@testable import ScriptGenCapture
import ScriptGenCaptureTestSupport

@Suite struct FragmentReassemblyTests {
    static let body: [UInt8] = (0..<64).map { UInt8($0) }
    static let udp = PacketBuilder.udpDatagram(source: clientV4, sourcePort: 1000, destination: serverV4, destinationPort: 53, payload: body)

    /// IPv4 fragments of `udp` (72 bytes) at the given byte ranges.
    static func fragments(_ ranges: [Range<Int>], identification: UInt16 = 7, data: [UInt8] = udp) -> [[UInt8]] {
        ranges.map { range in
            PacketBuilder.ipv4Packet(source: clientV4, destination: serverV4, transport: 17, payload: Array(data[range]),
                                     identification: identification, moreFragments: range.upperBound < data.count,
                                     fragmentOffset: range.lowerBound)
        }
    }

    static func decodeAll(_ packets: [[UInt8]], decoder: inout PacketDecoder, start: Int64 = 100) -> [DecodeOutcome] {
        packets.enumerated().map { index, bytes in
            decoder.decode(frame(bytes, .rawIP, at: start + Int64(index)))
        }
    }

    @Test func inOrderAndOutOfOrder() {
        let pieces = Self.fragments([0..<24, 24..<48, 48..<72])
        for order in [[0, 1, 2], [2, 1, 0], [1, 2, 0], [2, 0, 1]] {
            var decoder = PacketDecoder()
            let outcomes = Self.decodeAll(order.map { pieces[$0] }, decoder: &decoder)
            #expect(outcomes[0].isPending && outcomes[1].isPending)
            let packet = outcomes[2].packet
            #expect(packet.map { Array($0.payload) } == Self.body)
            #expect(packet?.sourcePort == 1000 && packet?.destinationPort == 53)
            #expect(packet?.timestamp == Timestamp(seconds: 102, nanoseconds: 0))
            #expect(decoder.pendingDatagramCount == 0)
        }
    }

    @Test func overlapsKeepTheFirstArrivedBytes() {
        var altered = Self.udp
        for index in 16..<40 { altered[index] = 0xee }
        let first = Self.fragments([0..<24, 48..<72])
        let overlapping = Self.fragments([16..<56], data: altered)  // covers the hole and overlaps both sides
        var decoder = PacketDecoder()
        let outcomes = Self.decodeAll([first[0], overlapping[0], first[1]], decoder: &decoder)
        var expected = Self.body
        for index in 24..<40 { expected[index - 8] = 0xee } // only the hole 24..<48 came from the late fragment
        #expect(outcomes[2].packet.map { Array($0.payload) } == expected)

        // A duplicate fragment and a fragment fully inside received data change nothing.
        var duplicateDecoder = PacketDecoder()
        let pieces = Self.fragments([0..<24, 24..<48, 8..<16, 48..<72])
        let duplicateOutcomes = Self.decodeAll([pieces[0], pieces[0], pieces[2], pieces[1], pieces[3]], decoder: &duplicateDecoder)
        #expect(duplicateOutcomes.last?.packet.map { Array($0.payload) } == Self.body)
    }

    @Test func timeoutInCaptureTime() {
        var decoder = PacketDecoder(options: .init(fragmentTimeout: .seconds(30)))
        let pieces = Self.fragments([0..<24, 24..<48, 48..<72])
        #expect(decoder.decode(frame(pieces[0], .rawIP, at: 100)).isPending)
        #expect(decoder.decode(frame(pieces[1], .rawIP, at: 130)).isPending) // exactly 30 s: still in time
        let late = decoder.decode(frame(pieces[2], .rawIP, at: 131))
        #expect(late.isPending) // the old datagram expired; this one starts a new one
        #expect(decoder.discardedFragments[.fragmentTimeout] == 2)
        decoder.finish()
        #expect(decoder.discardedFragments[.fragmentIncomplete] == 1)
        #expect(decoder.pendingDatagramCount == 0)
    }

    @Test func pendingDatagramLimitEvictsTheOldest() {
        var decoder = PacketDecoder(options: .init(maxPendingDatagrams: 2))
        let datagrams = (1...3).map { Self.fragments([0..<24, 24..<72], identification: UInt16($0)) }
        #expect(decoder.decode(frame(datagrams[0][0], .rawIP, at: 1)).isPending)
        #expect(decoder.decode(frame(datagrams[1][0], .rawIP, at: 2)).isPending)
        #expect(decoder.decode(frame(datagrams[2][0], .rawIP, at: 3)).isPending)
        #expect(decoder.discardedFragments[.fragmentLimit] == 1)
        #expect(decoder.decode(frame(datagrams[2][1], .rawIP, at: 4)).packet != nil)
        #expect(decoder.decode(frame(datagrams[1][1], .rawIP, at: 4)).packet != nil)
        #expect(decoder.decode(frame(datagrams[0][1], .rawIP, at: 4)).isPending) // its start was evicted
    }

    @Test func datagramSizeAndFragmentCountLimits() {
        var decoder = PacketDecoder(options: .init(maxDatagramBytes: 48))
        let pieces = Self.fragments([0..<24, 24..<48, 48..<72])
        #expect(decoder.decode(frame(pieces[0], .rawIP)).isPending)
        #expect(decoder.decode(frame(pieces[2], .rawIP)).skipReason == .fragmentLimit)
        #expect(decoder.discardedFragments[.fragmentLimit] == 1)
        #expect(decoder.pendingDatagramCount == 0)

        var counted = PacketDecoder(options: .init(maxFragmentsPerDatagram: 3))
        let small = Self.fragments(stride(from: 0, to: 72, by: 8).map { $0..<($0 + 8) })
        let outcomes = Self.decodeAll(small, decoder: &counted)
        #expect(outcomes[0...2].allSatisfy { $0.isPending })
        #expect(outcomes[3].skipReason == .fragmentLimit)
        // The rest start a new datagram, which hits the limit again at the 8th fragment.
        #expect(outcomes[4...6].allSatisfy { $0.isPending })
        #expect(outcomes[7].skipReason == .fragmentLimit)
        #expect(counted.discardedFragments[.fragmentLimit] == 6)
    }

    @Test func truncatedAndNonTransportFragments() {
        var decoder = PacketDecoder()
        let piece = Self.fragments([0..<24])[0]
        let cut = CapturedFrame(timestamp: Timestamp(nanoseconds: 0), linkType: .rawIP, data: piece[0..<30], originalLength: piece.count)
        #expect(decoder.decode(cut).skipReason == .fragmentTruncated)
        let icmp = PacketBuilder.ipv4Packet(source: clientV4, destination: serverV4, transport: 1, payload: Array(repeating: 0, count: 16),
                                            moreFragments: true)
        #expect(decoder.decode(frame(icmp, .rawIP)).skipReason == .unsupportedTransport)
        #expect(decoder.pendingDatagramCount == 0)
    }

    @Test func ipv6FragmentsAreReassembled() {
        let transport = PacketBuilder.ipv6ExtensionHeader(nextHeader: 17)
            + PacketBuilder.udpDatagram(source: clientV6, sourcePort: 1000, destination: serverV6, destinationPort: 53, payload: Self.body)
        let pieces = [0..<40, 40..<transport.count].map { range in
            PacketBuilder.ipv6Packet(source: clientV6, destination: serverV6, nextHeader: 0, payload:
                PacketBuilder.ipv6ExtensionHeader(nextHeader: 44)
                + PacketBuilder.ipv6FragmentHeader(nextHeader: 60, offset: range.lowerBound,
                                                   moreFragments: range.upperBound < transport.count, identification: 0xabcdef)
                + Array(transport[range]))
        }
        var decoder = PacketDecoder()
        #expect(decoder.decode(frame(pieces[1], .rawIP)).isPending)
        let packet = decoder.decode(frame(pieces[0], .rawIP)).packet
        #expect(packet?.source == clientV6 && packet?.transport == .udp)
        #expect(packet.map { Array($0.payload) } == Self.body)
    }
}
