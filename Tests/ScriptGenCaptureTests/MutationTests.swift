import Testing
@testable import ScriptGenCapture
import ScriptGenCaptureTestSupport

/// Seeded mutations of crafted captures: whatever the damage, the reader returns frames or a
/// `CaptureError` inside the file, reads the same way whatever the chunking, and the decoder
/// never traps.
@Suite struct MutationTests {
    static let baseCaptures: [[UInt8]] = {
        var frames: [(PacketBuilder.Link, [UInt8])] = []
        for index in 0..<6 {
            let payload = (0..<(index * 29)).map { UInt8(truncatingIfNeeded: $0 * 7 + index) }
            frames.append((.ethernet(vlanTags: index % 2 == 0 ? [] : [.init(identifier: 5)]), PacketBuilder.tcp(
                source: clientV4, sourcePort: 40000, destination: serverV4, destinationPort: 80,
                sequence: UInt32(index * 1000), flags: [.ack], payload: payload)))
            frames.append((.linuxCookedV2, PacketBuilder.udp(
                source: clientV6, sourcePort: 5353, destination: serverV6, destinationPort: 53, payload: payload, link: .linuxCookedV2)))
        }
        let fragmentPayload = PacketBuilder.udpDatagram(source: clientV4, sourcePort: 1, destination: serverV4, destinationPort: 2,
                                                        payload: Array(repeating: 3, count: 40))
        for range in [24..<48, 0..<24] {
            frames.append((.ethernet(), PacketBuilder.frame(PacketBuilder.ipv4Packet(
                source: clientV4, destination: serverV4, transport: 17, payload: Array(fragmentPayload[range]),
                moreFragments: range.lowerBound == 0, fragmentOffset: range.lowerBound), link: .ethernet())))
        }
        var littlePcap = PcapWriter(linkType: .ethernet)
        var bigPcap = PcapWriter(linkType: .linuxCookedV2, nanosecondTimestamps: true, bigEndian: true)
        var pcapng = PcapNGWriter()
        var bigPcapng = PcapNGWriter(bigEndian: true)
        pcapng.addInterface(linkType: .ethernet, snapLength: 100)
        pcapng.addInterface(linkType: .linuxCookedV2, resolution: .nanoseconds)
        bigPcapng.addInterface(linkType: .ethernet, resolution: TimestampResolution(base: .two, exponent: 24))
        bigPcapng.addInterface(linkType: .linuxCookedV2)
        for (index, (link, bytes)) in frames.enumerated() {
            let time = Timestamp(seconds: 1_700_000_000 + Int64(index), nanoseconds: 5000)
            let interface = link == .linuxCookedV2 ? 1 : 0
            if link != .linuxCookedV2 { littlePcap.append(bytes, timestamp: time) } else { bigPcap.append(bytes, timestamp: time) }
            pcapng.appendPacket(bytes, interface: interface, timestamp: time)
            bigPcapng.appendPacket(bytes, interface: interface, timestamp: time)
            if index % 5 == 0 {
                pcapng.appendBlock(type: 0x0bad, body: [1, 2, 3])
                bigPcapng.appendSimplePacket(bytes)
            }
        }
        return [littlePcap.takeBytes(), bigPcap.takeBytes(), pcapng.takeBytes(), bigPcapng.takeBytes()]
    }()

    static func mutate(_ original: [UInt8], using random: inout SeededGenerator) -> [UInt8] {
        var bytes = original
        for _ in 0..<Int.random(in: 1...3, using: &random) {
            guard !bytes.isEmpty else { break }
            let position = Int.random(in: 0..<bytes.count, using: &random)
            switch Int.random(in: 0..<6, using: &random) {
            case 0:
                for _ in 0..<Int.random(in: 1...8, using: &random) {
                    bytes[Int.random(in: 0..<bytes.count, using: &random)] = UInt8.random(in: 0...255, using: &random)
                }
            case 1:
                let inserted = (0..<Int.random(in: 1...16, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
                bytes.insert(contentsOf: inserted, at: position)
            case 2:
                bytes.removeSubrange(position..<min(bytes.count, position + Int.random(in: 1...32, using: &random)))
            case 3:
                bytes.removeSubrange(position...)
            case 4:
                let aligned = position & ~3
                guard aligned + 4 <= bytes.count else { break }
                let values: [UInt32] = [0, 0xffff_ffff, 0x7fff_ffff, 12, 13, 16, 28, 0x0001_0000, UInt32.random(in: 0...UInt32.max, using: &random)]
                let value = values.randomElement(using: &random)!
                for offset in 0..<4 { bytes[aligned + offset] = UInt8(truncatingIfNeeded: value >> (8 * offset)) }
            default:
                let length = Int.random(in: 1...64, using: &random)
                let chunk = Array(bytes[position..<min(bytes.count, position + length)])
                bytes.insert(contentsOf: chunk, at: Int.random(in: 0...bytes.count, using: &random))
            }
        }
        return bytes
    }

    @Test(arguments: 0..<4)
    func mutatedCapturesGiveFramesOrAnErrorWithinTheFile(block: Int) {
        var random = SeededGenerator(seed: 0x5eed_0000 + UInt64(block))
        var errors = 0
        for _ in 0..<1000 {
            let base = Self.baseCaptures.randomElement(using: &random)!
            let bytes = Self.mutate(base, using: &random)
            let options = CaptureReader.Options(chunkSize: [1, 7, 64, 4096].randomElement(using: &random)!,
                                                maxRecordLength: 2048, maxBlockLength: 4096)
            let first = readCapture(bytes, options: options, frameLimit: bytes.count + 1)
            let second = readCapture(bytes, options: .init(chunkSize: 1000, maxRecordLength: 2048, maxBlockLength: 4096),
                                     maxReadLength: 13, frameLimit: bytes.count + 1)
            #expect(first.frames == second.frames)
            #expect(first.error == second.error)
            #expect(first.frames.count <= bytes.count / 12)
            if let error = first.error {
                errors += 1
                #expect((0...bytes.count).contains(error.offset), "\(error)")
            }
            var previousOffset = -1
            var decoder = PacketDecoder(options: .init(maxPendingDatagrams: 4))
            for frame in first.frames {
                #expect(frame.fileOffset > previousOffset)
                #expect(frame.fileOffset + frame.data.count <= bytes.count)
                previousOffset = frame.fileOffset
                let outcome = decoder.decode(CapturedFrame(
                    timestamp: Timestamp(nanoseconds: frame.nanoseconds), linkType: LinkType(rawValue: frame.linkType),
                    data: frame.data[...], originalLength: frame.originalLength))
                if let packet = outcome.packet {
                    #expect(packet.missingPayloadBytes >= 0)
                    #expect(packet.payload.count <= 65_535)
                }
            }
            decoder.finish()
        }
        #expect(errors > 0)
    }

    @Test func decoderSurvivesRandomFrames() {
        var random = SeededGenerator(seed: 42)
        var decoder = PacketDecoder(options: .init(maxPendingDatagrams: 8))
        let types: [LinkType] = [.ethernet, .linuxCooked, .linuxCookedV2, .rawIP, .rawIPv4, .rawIPv6, .null, .loop]
        let seeds = MutationTests.seedFrames()
        var packets = 0
        for index in 0..<5000 {
            var bytes = seeds.randomElement(using: &random)!
            for _ in 0..<Int.random(in: 1...4, using: &random) {
                bytes[Int.random(in: 0..<bytes.count, using: &random)] = UInt8.random(in: 0...255, using: &random)
            }
            bytes.removeSubrange(Int.random(in: 0...bytes.count, using: &random)...)
            let outcome = decoder.decode(CapturedFrame(
                timestamp: Timestamp(seconds: Int64(index), nanoseconds: 0),
                linkType: types.randomElement(using: &random)!, data: bytes[...]))
            if let packet = outcome.packet {
                packets += 1
                #expect(packet.payload.count <= bytes.count || packet.payload.startIndex == 0)
            }
        }
        #expect(packets > 0)
    }

    static func seedFrames() -> [[UInt8]] {
        var frames: [[UInt8]] = []
        for link in [PacketBuilder.Link.ethernet(vlanTags: [.init(identifier: 3)]), .linuxCooked, .linuxCookedV2, .rawIP, .null()] {
            frames.append(PacketBuilder.tcp(source: clientV4, sourcePort: 1, destination: serverV4, destinationPort: 2, payload: [1, 2, 3], link: link))
            frames.append(PacketBuilder.udp(source: clientV6, sourcePort: 1, destination: serverV6, destinationPort: 2, payload: [4, 5], link: link))
            frames.append(PacketBuilder.frame(PacketBuilder.ipv4Packet(
                source: clientV4, destination: serverV4, transport: 17, payload: Array(repeating: 1, count: 16),
                moreFragments: true, fragmentOffset: 8), link: link))
        }
        return frames
    }
}
