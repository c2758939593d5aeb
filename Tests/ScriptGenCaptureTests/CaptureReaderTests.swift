import Testing
@testable import ScriptGenCapture
import ScriptGenCaptureTestSupport

@Suite struct CaptureReaderFormatTests {
    @Test func littleEndianMicrosecondPcapByteByByte() throws {
        let file = hexBytes("""
            d4 c3 b2 a1 02 00 04 00 00 00 00 00 00 00 00 00 00 00 04 00 01 00 00 00
            00 00 00 65 40 e2 01 00 04 00 00 00 0a 00 00 00 de ad be ef
            """)
        var reader = CaptureReader(bytes: file)
        let frame = try #require(try reader.next())
        #expect(reader.format == .pcap(nanosecondTimestamps: false, bigEndian: false))
        #expect(frame.timestamp.nanoseconds == 0x6500_0000 * 1_000_000_000 + 123_456_000)
        #expect(frame.linkType == .ethernet)
        #expect(Array(frame.data) == [0xde, 0xad, 0xbe, 0xef])
        #expect(frame.capturedLength == 4)
        #expect(frame.originalLength == 10)
        #expect(frame.fileOffset == 24)
        #expect(try reader.next() == nil)
        #expect(try reader.next() == nil)
    }

    @Test func bigEndianNanosecondPcapByteByByte() throws {
        let file = hexBytes("""
            a1 b2 3c 4d 00 02 00 04 00 00 00 00 00 00 00 00 00 04 00 00 00 00 00 65
            65 00 00 00 07 5b cd 15 00 00 00 02 00 00 00 02 ca fe
            """)
        let (frames, error) = readCapture(file)
        #expect(error == nil)
        #expect(frames == [Frame(CapturedFrame(
            timestamp: Timestamp(nanoseconds: 0x6500_0000 * 1_000_000_000 + 123_456_789), linkType: .rawIP,
            data: [0xca, 0xfe][...], originalLength: 2, fileOffset: 24))])
    }

    @Test func modifiedPcapRecordHeadersAreLonger() throws {
        var file = hexBytes("34 cd b2 a1 02 00 04 00 00 00 00 00 00 00 00 00 00 00 04 00 65 00 00 00")
        file += hexBytes("01 00 00 00 00 00 00 00 02 00 00 00 02 00 00 00 00 00 00 00 00 00 00 00 ab cd")
        let (frames, error) = readCapture(file)
        #expect(error == nil)
        #expect(frames.map(\.data) == [[0xab, 0xcd]])
        #expect(frames.first?.nanoseconds == 1_000_000_000)
    }

    @Test(arguments: [(false, false), (false, true), (true, false), (true, true)])
    func pcapRoundTripsThroughTheWriter(nanoseconds: Bool, bigEndian: Bool) throws {
        var writer = PcapWriter(linkType: .linuxCookedV2, nanosecondTimestamps: nanoseconds, bigEndian: bigEndian)
        let payloads: [[UInt8]] = [[1, 2, 3], [], Array(0..<200).map { UInt8($0) }, [9]]
        for (index, payload) in payloads.enumerated() {
            writer.append(payload, timestamp: Timestamp(seconds: 1_700_000_000 + Int64(index), nanoseconds: 123_456_789),
                          originalLength: payload.count + index)
        }
        let (frames, error) = readCapture(writer.takeBytes())
        #expect(error == nil)
        #expect(frames.map(\.data) == payloads)
        #expect(frames.map(\.originalLength) == [3, 1, 202, 4])
        #expect(frames.map(\.fileOffset) == [24, 43, 59, 275])
        #expect(frames.allSatisfy { $0.linkType == LinkType.linuxCookedV2.rawValue })
        let fraction: Int64 = nanoseconds ? 123_456_789 : 123_456_000
        #expect(frames.map(\.nanoseconds) == (0..<4).map { (1_700_000_000 + $0) * 1_000_000_000 + fraction })
    }

    @Test func linkTypeFieldIgnoresFCSBits() throws {
        var file = PcapWriter(linkType: .ethernet).pendingBytes
        file[23] = 0x14 // FCS length present, 2 × 16-bit words: upper bits of the link type field
        file += hexBytes("00 00 00 00 00 00 00 00 01 00 00 00 01 00 00 00 ff")
        #expect(readCapture(file).frames.first?.linkType == 1)
    }

    @Test func pcapngByteByByte() throws {
        let file = hexBytes("""
            0a 0d 0d 0a 1c 00 00 00 4d 3c 2b 1a 01 00 00 00 ff ff ff ff ff ff ff ff 1c 00 00 00
            01 00 00 00 14 00 00 00 01 00 00 00 00 00 04 00 14 00 00 00
            06 00 00 00 24 00 00 00 00 00 00 00 00 00 00 00 40 42 0f 00 04 00 00 00 05 00 00 00 01 02 03 04 24 00 00 00
            """)
        var reader = CaptureReader(bytes: file)
        let frame = try #require(try reader.next())
        #expect(reader.format == .pcapng)
        #expect(Frame(frame) == Frame(CapturedFrame(
            timestamp: Timestamp(nanoseconds: 1_000_000_000), linkType: .ethernet, data: [1, 2, 3, 4][...],
            originalLength: 5, fileOffset: 48, interfaceIndex: 0)))
        #expect(try reader.next() == nil)
    }

    @Test(arguments: [false, true])
    func pcapngWithSeveralInterfacesResolutionsAndBlocks(bigEndian: Bool) throws {
        var writer = PcapNGWriter(bigEndian: bigEndian)
        writer.addInterface(linkType: .ethernet, snapLength: 3)
        writer.addInterface(linkType: .rawIP, resolution: .nanoseconds)
        writer.addInterface(linkType: .null, resolution: TimestampResolution(base: .two, exponent: 20))
        writer.appendPacket([1, 1, 1], interface: 0, timestamp: Timestamp(seconds: 1_700_000_000, nanoseconds: 500_000_123))
        writer.appendBlock(type: 0x0bad, body: [1, 2, 3, 4, 5])  // unknown: skipped
        writer.appendBlock(type: 5, body: [0, 0, 0, 0])          // interface statistics: skipped
        writer.appendPacket([2, 2], interface: 1, timestamp: Timestamp(seconds: 1_700_000_001, nanoseconds: 123_456_789))
        writer.appendPacket([3], interface: 2, timestamp: Timestamp(seconds: 1_700_000_002, nanoseconds: 500_000_000))
        writer.appendSimplePacket([4, 4, 4, 4, 4], originalLength: 5) // cut to interface 0's snaplen
        writer.startSection()
        writer.addInterface(linkType: .linuxCookedV2)
        writer.appendPacket([5], interface: 0, timestamp: Timestamp(seconds: 3, nanoseconds: 0))
        let (frames, error) = readCapture(writer.takeBytes())
        #expect(error == nil)
        #expect(frames.map(\.data) == [[1, 1, 1], [2, 2], [3], [4, 4, 4], [5]])
        #expect(frames.map(\.linkType) == [1, 101, 0, 1, 276])
        #expect(frames.map(\.interfaceIndex) == [0, 1, 2, 0, 0])
        #expect(frames.map(\.nanoseconds) == [
            1_700_000_000_500_000_000, 1_700_000_001_123_456_789, 1_700_000_002_500_000_000,
            1_700_000_002_500_000_000, // SPB: the last time seen
            3_000_000_000,
        ])
        #expect(frames[3].originalLength == 5)
    }

    @Test func pcapngTimestampOffsetOptionAndObsoletePacketBlock() throws {
        var writer = PcapNGWriter()
        // IDB with if_tsoffset = 100 s and if_tsresol = 10^-3.
        writer.appendBlock(type: 1, body: hexBytes("""
            01 00 00 00 00 00 04 00
            0e 00 08 00 64 00 00 00 00 00 00 00
            09 00 01 00 03 00 00 00
            00 00 00 00
            """))
        // Obsolete Packet Block: interface (16 bits), drops, timestamp 2500 ms, lengths, data.
        writer.appendBlock(type: 2, body: hexBytes("00 00 00 00 00 00 00 00 c4 09 00 00 02 00 00 00 08 00 00 00 aa bb"))
        let (frames, error) = readCapture(writer.takeBytes())
        #expect(error == nil)
        #expect(frames.map(\.data) == [[0xaa, 0xbb]])
        #expect(frames.first?.nanoseconds == 102_500_000_000)
        #expect(frames.first?.originalLength == 8)
    }

    @Test func timestampResolutions() {
        #expect(TimestampResolution.microseconds.nanoseconds(1_500_000) == 1_500_000_000)
        #expect(TimestampResolution(optionValue: 0).nanoseconds(2) == 2_000_000_000)
        #expect(TimestampResolution(optionValue: 12).nanoseconds(2_000_123) == 2_000)
        #expect(TimestampResolution(optionValue: 0x80 | 10).nanoseconds(1024 + 512) == 1_500_000_000)
        #expect(TimestampResolution(optionValue: 0x80 | 40).nanoseconds(UInt64(3) << 39) == 1_500_000_000)
        #expect(TimestampResolution(optionValue: 0x7f).nanoseconds(.max) == 0)
        #expect(TimestampResolution(optionValue: 0xff).nanoseconds(.max) == 0)
        for resolution in [TimestampResolution.microseconds, .nanoseconds, TimestampResolution(base: .two, exponent: 32)] {
            let ticks = resolution.ticks(fromNanoseconds: 1_700_000_000_123_456_000)
            #expect(resolution.nanoseconds(ticks) == 1_700_000_000_123_456_000)
        }
    }

    @Test func hugeUnknownBlocksAreStreamedPastNotBuffered() throws {
        var writer = PcapNGWriter()
        writer.addInterface(linkType: .ethernet)
        writer.appendBlock(type: 0x0bad, body: Array(repeating: 7, count: 5000))
        writer.appendPacket([1], interface: 0, timestamp: Timestamp(nanoseconds: 0))
        let options = CaptureReader.Options(chunkSize: 100, maxRecordLength: 100, maxBlockLength: 256)
        let (frames, error) = readCapture(writer.takeBytes(), options: options, maxReadLength: 33)
        #expect(error == nil)
        #expect(frames.map(\.data) == [[1]])
    }
}

@Suite struct CaptureReaderChunkTests {
    static func sampleCaptures() -> [[UInt8]] {
        var pcap = PcapWriter(linkType: .ethernet, bigEndian: true)
        var pcapng = PcapNGWriter()
        pcapng.addInterface(linkType: .ethernet)
        pcapng.addInterface(linkType: .rawIP, resolution: .nanoseconds)
        for index in 0..<40 {
            let payload = (0..<(index * 37 % 300)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ index) }
            let time = Timestamp(seconds: 1_700_000_000, nanoseconds: Int64(index) * 1000)
            pcap.append(payload, timestamp: time)
            pcapng.appendPacket(payload, interface: index % 2, timestamp: time)
            if index % 7 == 0 { pcapng.appendBlock(type: 0x0bad, body: Array(repeating: 1, count: index)) }
        }
        return [pcap.takeBytes(), pcapng.takeBytes()]
    }

    @Test(arguments: [1, 2, 3, 5, 7, 16, 64, 1000])
    func recordsStraddlingChunksReadTheSameAsWhole(chunkSize: Int) throws {
        for capture in Self.sampleCaptures() {
            let whole = readCapture(capture)
            #expect(whole.error == nil)
            #expect(whole.frames.count == 40)
            let options = CaptureReader.Options(chunkSize: chunkSize, maxRecordLength: 400, maxBlockLength: 512)
            let chunked = readCapture(capture, options: options)
            #expect(chunked.error == nil)
            #expect(chunked.frames == whole.frames)
            let shortReads = readCapture(capture, options: options, maxReadLength: 3)
            #expect(shortReads.frames == whole.frames)
        }
    }

    @Test func frameKeptAcrossRefillsStaysIntact() throws {
        let capture = Self.sampleCaptures()[0]
        var reader = CaptureReader(source: InMemoryByteSource(capture),
                                   options: .init(chunkSize: 50, maxRecordLength: 400))
        var kept: [CapturedFrame] = []
        while let frame = try reader.next() { kept.append(frame) }
        #expect(kept.map { Frame($0) } == readCapture(capture).frames)
    }
}

@Suite struct CaptureErrorTests {
    static func onePacketPcap() -> [UInt8] {
        var writer = PcapWriter(linkType: .ethernet)
        writer.append([1, 2, 3, 4], timestamp: Timestamp(nanoseconds: 0))
        return writer.takeBytes() // 24 + 20 = 44 bytes
    }

    static func onePacketPcapng() -> [UInt8] {
        var writer = PcapNGWriter()
        writer.addInterface(linkType: .ethernet)
        writer.appendPacket([1, 2, 3, 4], interface: 0, timestamp: Timestamp(nanoseconds: 0))
        return writer.takeBytes() // SHB 0..<28, IDB 28..<48, EPB 48..<84
    }

    func expectError(
        _ bytes: [UInt8], _ code: CaptureError.Code, at offset: Int, frames: Int = 0,
        options: CaptureReader.Options = .init(), sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let result = readCapture(bytes, options: options)
        #expect(result.frames.count == frames, sourceLocation: sourceLocation)
        #expect(result.error?.code == code, "\(String(describing: result.error))", sourceLocation: sourceLocation)
        #expect(result.error?.offset == offset, sourceLocation: sourceLocation)
    }

    @Test func emptyAndNonCaptureInputFailAtOffsetZero() {
        expectError([], .emptyFile, at: 0)
        expectError(Array("GET / HTTP/1.1\r\n".utf8), .notACaptureFile, at: 0)
        expectError(Array("hi".utf8), .notACaptureFile, at: 0)
        expectError([0xd4, 0xc3], .truncatedFileHeader, at: 0)
        let gzip = readCapture([0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0]).error
        #expect(gzip?.description == "offset 0: not a pcap or pcapng file: magic 0x1f8b0800 (gzip-compressed data: decompress it first)")
    }

    @Test func nonCaptureFailsBeforeReadingTheWholeFile() throws {
        var reader = CaptureReader(source: InMemoryByteSource(Array(repeating: 0x41, count: 10_000_000)),
                                   options: .init(chunkSize: 4096))
        #expect(throws: CaptureError.self) { try reader.next() }
        #expect(reader.offset == 0)
    }

    @Test func truncatedAndUnsupportedPcapHeaders() {
        expectError(Array(Self.onePacketPcap()[0..<10]), .truncatedFileHeader, at: 0)
        var version3 = Self.onePacketPcap()
        version3[4] = 3
        expectError(version3, .unsupportedVersion, at: 4)
    }

    @Test func truncatedRecordHeaderAndData() {
        let good = Self.onePacketPcap()
        var second = PcapWriter(linkType: .ethernet)
        second.append(Array(repeating: 9, count: 100), timestamp: Timestamp(nanoseconds: 0))
        let record = Array(second.takeBytes()[24...])
        expectError(good + record[0..<10], .truncatedRecord, at: 44, frames: 1)
        expectError(good + record[0..<66], .truncatedRecord, at: 44, frames: 1)
        let error = readCapture(good + record[0..<66]).error
        #expect(error?.description == "offset 44: record truncated: 116 bytes needed, the file ends after 66")
    }

    @Test func absurdRecordLength() {
        var file = Self.onePacketPcap()
        file.replaceSubrange(32..<36, with: [0xff, 0xff, 0xff, 0xff])
        let error = readCapture(file).error
        #expect(error?.code == .recordTooLong)
        #expect(error?.description == "offset 24: record length 4294967295 exceeds the limit 262144")
        expectError(Self.onePacketPcap(), .recordTooLong, at: 24, options: .init(maxRecordLength: 3))
    }

    @Test func errorIsThrownAgainAfterwards() throws {
        var file = Self.onePacketPcap()
        file += file[24...]
        file.replaceSubrange(52..<56, with: [0xff, 0xff, 0xff, 0x7f])
        var reader = CaptureReader(bytes: file)
        #expect(try reader.next() != nil)
        let first = #expect(throws: CaptureError.self) { try reader.next() }
        let second = #expect(throws: CaptureError.self) { try reader.next() }
        #expect(first == second)
        #expect(first?.offset == 44)
    }

    @Test func pcapngBadBlockLengths() {
        let good = Self.onePacketPcapng()
        #expect(readCapture(good).frames.count == 1)
        for badLength: UInt8 in [13, 8, 0] {
            var file = good
            file[52] = badLength
            expectError(file, .badBlockLength, at: 48)
        }
        var trailing = good
        trailing[80] = 0x28
        expectError(trailing, .badBlockLength, at: 48)
        #expect(readCapture(trailing).error?.description == "offset 48: block length 36 does not match the trailing length 40")
        var huge = good
        huge.replaceSubrange(52..<56, with: [0xf0, 0xff, 0xff, 0xff])
        expectError(huge, .badBlockLength, at: 48)
        expectError(Array(good[0..<70]), .truncatedBlock, at: 48)
        expectError(Array(good[0..<52]), .truncatedBlock, at: 48)
        expectError(good + [0x0a], .truncatedBlock, at: 84, frames: 1)
    }

    @Test func pcapngHugeUnknownBlockRunsOffTheEnd() {
        var file = Self.onePacketPcapng()
        file += hexBytes("ad 0b 00 00 f0 ff ff 7f 00 00 00 00")
        expectError(file, .truncatedBlock, at: 84, frames: 1)
    }

    @Test func pcapngSectionHeaderProblems() {
        let good = Self.onePacketPcapng()
        expectError(Array(good[0..<10]), .truncatedFileHeader, at: 0)
        expectError(Array(good[0..<20]), .truncatedFileHeader, at: 0)
        var magic = good
        magic[8] = 0
        expectError(magic, .notACaptureFile, at: 0)
        var version = good
        version[12] = 2
        expectError(version, .unsupportedVersion, at: 12)
        var secondSection = good + good
        secondSection[84 + 9] = 0
        expectError(secondSection, .badByteOrderMagic, at: 92, frames: 1)
    }

    @Test func pcapngPacketBlockProblems() {
        var unknownInterface = PcapNGWriter()
        unknownInterface.addInterface(linkType: .ethernet)
        unknownInterface.appendPacket([1], interface: 3, timestamp: Timestamp(nanoseconds: 0))
        expectError(unknownInterface.takeBytes(), .unknownInterface, at: 48)

        var simpleFirst = PcapNGWriter()
        simpleFirst.appendSimplePacket([1])
        expectError(simpleFirst.takeBytes(), .unknownInterface, at: 28)

        var capturedBeyondBlock = Self.onePacketPcapng()
        capturedBeyondBlock[68] = 5
        expectError(capturedBeyondBlock, .badBlockContent, at: 48)

        var big = PcapNGWriter()
        big.addInterface(linkType: .ethernet)
        big.appendPacket(Array(repeating: 0, count: 100), interface: 0, timestamp: Timestamp(nanoseconds: 0))
        expectError(big.takeBytes(), .badBlockLength, at: 48, options: .init(maxBlockLength: 64))

        var shortEPB = PcapNGWriter()
        shortEPB.addInterface(linkType: .ethernet)
        shortEPB.appendBlock(type: 6, body: [0, 0, 0, 0])
        expectError(shortEPB.takeBytes(), .badBlockLength, at: 48)
    }
}
