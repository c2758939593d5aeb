/// A streaming reader of classic pcap and pcapng captures over a `ByteSource`.
///
/// The format is detected from the first four bytes. The reader keeps one buffer of
/// `chunkSize + max(maxRecordLength + 24, maxBlockLength)` bytes whatever the file size:
/// it reads `chunkSize` bytes at a time, and a record that straddles two reads is moved to the
/// front of the buffer before the next read. Frames are returned as slices of that buffer.
///
/// Errors are fatal and thrown as `CaptureError`; every complete frame before the bad one has
/// been returned first, and after an error `next()` throws the same error again.
public struct CaptureReader {
    /// Limits against hostile or broken input, with the defaults used by the CLI.
    public struct Options: Sendable {
        /// How many bytes one read asks the source for. Default 1 MiB.
        public var chunkSize: Int
        /// Largest captured length accepted in a pcap record. Default 262144 (libpcap's
        /// largest snaplen); a larger value is treated as corruption.
        public var maxRecordLength: Int
        /// Largest pcapng block the reader parses (section headers, interface descriptions,
        /// packet blocks). Default 1 MiB. Other block types of any length are skipped
        /// without being buffered.
        public var maxBlockLength: Int

        public init(chunkSize: Int = 1 << 20, maxRecordLength: Int = 262_144, maxBlockLength: Int = 1 << 20) {
            self.chunkSize = max(1, chunkSize)
            self.maxRecordLength = max(0, maxRecordLength)
            self.maxBlockLength = max(32, maxBlockLength)
        }
    }

    /// The container format, known after the first call to `next()`.
    public enum Format: Hashable, Sendable, CustomStringConvertible {
        case pcap(nanosecondTimestamps: Bool, bigEndian: Bool)
        case pcapng

        public var description: String {
            switch self {
            case .pcap(let nanoseconds, let bigEndian):
                return "pcap (\(nanoseconds ? "ns" : "µs"), \(bigEndian ? "big" : "little")-endian)"
            case .pcapng:
                return "pcapng"
            }
        }
    }

    public let options: Options
    /// The detected format; nil until the file header has been read.
    public private(set) var format: Format?
    /// Bytes consumed so far: the offset of the next record (useful for progress reports).
    public var offset: Int { bufferFileOffset + start }

    private struct PcapLayout {
        var bigEndian: Bool
        var nanoseconds: Bool
        var recordHeaderLength: Int
        var linkType: LinkType
    }

    private struct Interface {
        var linkType: LinkType
        var snapLength: Int
        var resolution: TimestampResolution
        var offsetNanoseconds: Int64
    }

    private struct Section {
        var bigEndian: Bool
        var interfaces: [Interface] = []
    }

    private enum State {
        case start
        case pcap(PcapLayout)
        case pcapng(Section)
        case failed(CaptureError)
        case finished
    }

    private var source: any ByteSource
    private var buffer: [UInt8]
    /// Valid bytes are `buffer[start..<end]`.
    private var start = 0
    private var end = 0
    /// File offset of `buffer[0]`.
    private var bufferFileOffset = 0
    private var sourceExhausted = false
    private var state: State = .start
    /// Simple Packet Blocks carry no time; they get the last time seen.
    private var lastTimestamp = Timestamp(nanoseconds: 0)

    public init(source: some ByteSource, options: Options = Options()) {
        self.source = source
        self.options = options
        let largestUnit = max(options.maxRecordLength + 24, options.maxBlockLength)
        self.buffer = [UInt8](repeating: 0, count: options.chunkSize + largestUnit)
    }

    /// Reads from bytes in memory.
    public init(bytes: [UInt8], options: Options = Options()) {
        self.init(source: InMemoryByteSource(bytes), options: options)
    }

    /// The next frame, nil at the end of the file.
    public mutating func next() throws -> CapturedFrame? {
        switch state {
        case .pcap(let layout):
            return try guarded { try $0.nextPcapRecord(layout) }
        case .pcapng:
            return try guarded { try $0.nextPcapNGPacket() }
        case .start:
            return try guarded { reader in
                try reader.readFileHeader()
                return try reader.next()
            }
        case .failed(let error):
            throw error
        case .finished:
            return nil
        }
    }

    @inline(__always)
    private mutating func guarded(_ body: (inout CaptureReader) throws -> CapturedFrame?) throws -> CapturedFrame? {
        do {
            let frame = try body(&self)
            if frame == nil { state = .finished }
            return frame
        } catch let error as CaptureError {
            state = .failed(error)
            throw error
        }
    }

    // MARK: Buffer

    /// Makes at least `count` bytes available at `start`; false if the input ends first.
    @inline(__always)
    private mutating func ensure(_ count: Int) throws -> Bool {
        if end - start >= count { return true }
        return try refill(count)
    }

    @inline(never)
    private mutating func refill(_ count: Int) throws -> Bool {
        precondition(count <= buffer.count - options.chunkSize, "unit larger than the reader's buffer")
        let remaining = end - start
        if start > 0 {
            let from = start
            buffer.withUnsafeMutableBytes { raw in
                if remaining > 0 { raw.baseAddress!.copyMemory(from: raw.baseAddress! + from, byteCount: remaining) }
            }
            bufferFileOffset += start
            start = 0
            end = remaining
        }
        while end < count && !sourceExhausted {
            try readChunk()
        }
        return end - start >= count
    }

    private mutating func readChunk() throws {
        let space = min(buffer.count - end, options.chunkSize)
        let writeStart = end
        var reader = source
        let received = try buffer.withUnsafeMutableBytes { raw in
            try reader.read(into: UnsafeMutableRawBufferPointer(rebasing: raw[writeStart..<(writeStart + space)]))
        }
        source = reader
        if received <= 0 { sourceExhausted = true } else { end += min(received, space) }
    }

    /// Discards `count` bytes without buffering them all; false if the input ends first.
    private mutating func skip(_ count: Int) throws -> Bool {
        var remaining = count
        while true {
            let available = end - start
            if available >= remaining {
                start += remaining
                return true
            }
            remaining -= available
            bufferFileOffset += end
            start = 0
            end = 0
            if sourceExhausted { return false }
            try readChunk()
        }
    }

    /// Bytes known to exist from `start` on (only meaningful once `ensure` failed).
    private var availableBytes: Int { end - start }

    @inline(__always)
    private func loadUInt32(at index: Int, bigEndian: Bool) -> UInt32 {
        let value = buffer.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: index, as: UInt32.self) }
        return bigEndian ? UInt32(bigEndian: value) : UInt32(littleEndian: value)
    }

    @inline(__always)
    private func loadUInt16(at index: Int, bigEndian: Bool) -> UInt16 {
        let value = buffer.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: index, as: UInt16.self) }
        return bigEndian ? UInt16(bigEndian: value) : UInt16(littleEndian: value)
    }

    // MARK: File header

    private static let magicPcapMicroseconds: UInt32 = 0xa1b2_c3d4
    private static let magicPcapNanoseconds: UInt32 = 0xa1b2_3c4d
    /// Alexey Kuznetzov's patched libpcap: 8 more bytes per record header.
    private static let magicPcapModified: UInt32 = 0xa1b2_cd34
    private static let blockTypeSectionHeader: UInt32 = 0x0a0d_0d0a

    /// What a file's first bytes say it holds.
    public enum Container: Hashable, Sendable {
        /// Classic pcap, in one of its three variants.
        case pcap(bigEndian: Bool, nanoseconds: Bool, recordHeaderLength: Int)
        case pcapng
        /// gzip-compressed data (a compressed capture, or anything else compressed).
        case gzip
    }

    /// The file's container from its first four bytes (nil: none this reader knows, or fewer
    /// than four bytes). The one place that knows the magic numbers: the reader and the
    /// command line's directory walk both ask here.
    public static func container(ofHead head: some Collection<UInt8>) -> Container? {
        let bytes = Array(head.prefix(4))
        guard bytes.count == 4 else { return nil }
        if bytes[0] == 0x1f && bytes[1] == 0x8b { return .gzip }
        let little = UInt32(bytes[0]) | UInt32(bytes[1]) << 8 | UInt32(bytes[2]) << 16 | UInt32(bytes[3]) << 24
        switch little {
        case magicPcapMicroseconds: return .pcap(bigEndian: false, nanoseconds: false, recordHeaderLength: 16)
        case magicPcapMicroseconds.byteSwapped: return .pcap(bigEndian: true, nanoseconds: false, recordHeaderLength: 16)
        case magicPcapNanoseconds: return .pcap(bigEndian: false, nanoseconds: true, recordHeaderLength: 16)
        case magicPcapNanoseconds.byteSwapped: return .pcap(bigEndian: true, nanoseconds: true, recordHeaderLength: 16)
        case magicPcapModified: return .pcap(bigEndian: false, nanoseconds: false, recordHeaderLength: 24)
        case magicPcapModified.byteSwapped: return .pcap(bigEndian: true, nanoseconds: false, recordHeaderLength: 24)
        case blockTypeSectionHeader: return .pcapng
        default: return nil
        }
    }

    /// Whether `prefix` (under four bytes) could begin a file this reader knows.
    private static func couldBeginCapture(_ prefix: [UInt8]) -> Bool {
        let magics: [UInt32] = [magicPcapMicroseconds, magicPcapNanoseconds, magicPcapModified]
        var candidates: [[UInt8]] = [[0x0a, 0x0d, 0x0d, 0x0a]]
        for magic in magics {
            let bytes = (0..<4).map { UInt8(truncatingIfNeeded: magic >> (24 - 8 * $0)) }
            candidates.append(bytes)
            candidates.append(bytes.reversed())
        }
        return candidates.contains { $0.starts(with: prefix) }
    }

    private mutating func readFileHeader() throws {
        guard try ensure(4) else {
            if availableBytes == 0 {
                throw CaptureError(code: .emptyFile, offset: 0, reason: "the file is empty")
            }
            let prefix = Array(buffer[start..<end])
            if Self.couldBeginCapture(prefix) {
                throw CaptureError(code: .truncatedFileHeader, offset: 0,
                                   reason: "file header truncated: the file has only \(prefix.count) bytes")
            }
            throw CaptureError(code: .notACaptureFile, offset: 0,
                               reason: "not a pcap or pcapng file (only \(prefix.count) bytes)")
        }
        let layout: (bigEndian: Bool, nanoseconds: Bool, headerLength: Int)
        switch Self.container(ofHead: buffer[start..<(start + 4)]) {
        case .pcap(let bigEndian, let nanoseconds, let recordHeaderLength):
            layout = (bigEndian, nanoseconds, recordHeaderLength)
        case .pcapng:
            format = .pcapng
            guard try ensure(12) else {
                throw CaptureError(code: .truncatedFileHeader, offset: 0,
                                   reason: "section header block truncated: the file has only \(availableBytes) bytes")
            }
            if Self.byteOrder(ofSectionMagic: loadUInt32(at: start + 8, bigEndian: false)) == nil {
                throw CaptureError(code: .notACaptureFile, offset: 0,
                                   reason: "not a pcapng file: bad byte-order magic 0x\(hex(loadUInt32(at: start + 8, bigEndian: true)))")
            }
            state = .pcapng(Section(bigEndian: false))
            return
        case .gzip, nil:
            let first = loadUInt32(at: start, bigEndian: true)
            let hint = (first >> 16) == 0x1f8b ? " (gzip-compressed data: decompress it first)" : ""
            throw CaptureError(code: .notACaptureFile, offset: 0,
                               reason: "not a pcap or pcapng file: magic 0x\(hex(first))\(hint)")
        }
        guard try ensure(24) else {
            throw CaptureError(code: .truncatedFileHeader, offset: 0,
                               reason: "pcap file header needs 24 bytes, the file has only \(availableBytes)")
        }
        let major = loadUInt16(at: start + 4, bigEndian: layout.bigEndian)
        let minor = loadUInt16(at: start + 6, bigEndian: layout.bigEndian)
        guard major == 2 else {
            throw CaptureError(code: .unsupportedVersion, offset: 4,
                               reason: "unsupported pcap version \(major).\(minor)")
        }
        // The top bits hold FCS information; the link type is the low 26 bits.
        let linkType = LinkType(rawValue: loadUInt32(at: start + 20, bigEndian: layout.bigEndian) & 0x03ff_ffff)
        format = .pcap(nanosecondTimestamps: layout.nanoseconds, bigEndian: layout.bigEndian)
        start += 24
        state = .pcap(PcapLayout(bigEndian: layout.bigEndian, nanoseconds: layout.nanoseconds,
                                 recordHeaderLength: layout.headerLength, linkType: linkType))
    }

    // MARK: pcap

    @inline(__always)
    private mutating func nextPcapRecord(_ layout: PcapLayout) throws -> CapturedFrame? {
        let headerLength = layout.recordHeaderLength
        guard try ensure(headerLength) else {
            if availableBytes == 0 { return nil }
            throw CaptureError(code: .truncatedRecord, offset: offset,
                               reason: "record header truncated: \(headerLength) bytes needed, the file ends after \(availableBytes)")
        }
        let seconds = loadUInt32(at: start, bigEndian: layout.bigEndian)
        let fraction = loadUInt32(at: start + 4, bigEndian: layout.bigEndian)
        let capturedLength = Int(loadUInt32(at: start + 8, bigEndian: layout.bigEndian))
        let originalLength = Int(loadUInt32(at: start + 12, bigEndian: layout.bigEndian))
        guard capturedLength <= options.maxRecordLength else {
            throw CaptureError(code: .recordTooLong, offset: offset,
                               reason: "record length \(capturedLength) exceeds the limit \(options.maxRecordLength)")
        }
        guard try ensure(headerLength + capturedLength) else {
            throw CaptureError(code: .truncatedRecord, offset: offset,
                               reason: "record truncated: \(headerLength + capturedLength) bytes needed, the file ends after \(availableBytes)")
        }
        let recordOffset = offset
        let dataStart = start + headerLength
        start = dataStart + capturedLength
        let nanoseconds = Int64(seconds) &* 1_000_000_000 &+ Int64(fraction) &* (layout.nanoseconds ? 1 : 1000)
        return CapturedFrame(
            timestamp: Timestamp(nanoseconds: nanoseconds), linkType: layout.linkType,
            data: buffer[dataStart..<(dataStart + capturedLength)],
            originalLength: originalLength, fileOffset: recordOffset, interfaceIndex: 0)
    }

    // MARK: pcapng

    private static func byteOrder(ofSectionMagic magic: UInt32) -> Bool? {
        switch magic {
        case 0x1a2b_3c4d: return false
        case 0x4d3c_2b1a: return true
        default: return nil
        }
    }

    private mutating func nextPcapNGPacket() throws -> CapturedFrame? {
        while true {
            guard case .pcapng(var section) = state else { return nil }
            let blockOffset = offset
            guard try ensure(8) else {
                if availableBytes == 0 { return nil }
                throw CaptureError(code: .truncatedBlock, offset: blockOffset,
                                   reason: "block header truncated: the file ends after \(availableBytes) bytes")
            }
            let rawType = loadUInt32(at: start, bigEndian: false)
            if rawType == Self.blockTypeSectionHeader {
                state = .pcapng(try readSectionHeader())
                continue
            }
            let bigEndian = section.bigEndian
            let type = bigEndian ? rawType.byteSwapped : rawType
            let length = Int(loadUInt32(at: start + 4, bigEndian: bigEndian))
            guard length >= 12, length % 4 == 0 else {
                throw CaptureError(code: .badBlockLength, offset: blockOffset,
                                   reason: "block length \(length) is not a multiple of 4 of at least 12")
            }
            let isParsed = type == 6 || type == 3 || type == 1 || type == 2
            if !isParsed && length > options.maxBlockLength {
                // Large blocks we do not read are streamed past, never buffered whole.
                guard try skip(length - 4), try ensure(4) else {
                    throw CaptureError(code: .truncatedBlock, offset: blockOffset,
                                       reason: "block of \(length) bytes truncated by the end of the file")
                }
                try checkTrailingLength(length, at: start, blockOffset: blockOffset, bigEndian: bigEndian)
                start += 4
                continue
            }
            guard length <= options.maxBlockLength else {
                throw CaptureError(code: .badBlockLength, offset: blockOffset,
                                   reason: "block length \(length) exceeds the limit \(options.maxBlockLength)")
            }
            guard try ensure(length) else {
                throw CaptureError(code: .truncatedBlock, offset: blockOffset,
                                   reason: "block truncated: \(length) bytes needed, the file ends after \(availableBytes)")
            }
            try checkTrailingLength(length, at: start + length - 4, blockOffset: blockOffset, bigEndian: bigEndian)
            let blockStart = start
            start += length
            switch type {
            case 1:
                section.interfaces.append(try parseInterface(blockStart, length: length, blockOffset: blockOffset, bigEndian: bigEndian))
                state = .pcapng(section)
            case 6, 2:
                let minimum = 32
                guard length >= minimum else {
                    throw CaptureError(code: .badBlockLength, offset: blockOffset,
                                       reason: "packet block length \(length) is below the minimum \(minimum)")
                }
                let interfaceIndex = type == 6
                    ? Int(loadUInt32(at: blockStart + 8, bigEndian: bigEndian))
                    : Int(loadUInt16(at: blockStart + 8, bigEndian: bigEndian))
                guard interfaceIndex < section.interfaces.count else {
                    throw CaptureError(code: .unknownInterface, offset: blockOffset,
                                       reason: "packet on interface \(interfaceIndex), but the section declares \(section.interfaces.count)")
                }
                let interface = section.interfaces[interfaceIndex]
                let ticks = UInt64(loadUInt32(at: blockStart + 12, bigEndian: bigEndian)) << 32
                    | UInt64(loadUInt32(at: blockStart + 16, bigEndian: bigEndian))
                let capturedLength = Int(loadUInt32(at: blockStart + 20, bigEndian: bigEndian))
                let originalLength = Int(loadUInt32(at: blockStart + 24, bigEndian: bigEndian))
                guard capturedLength <= length - minimum else {
                    throw CaptureError(code: .badBlockContent, offset: blockOffset,
                                       reason: "captured length \(capturedLength) exceeds the block length \(length)")
                }
                let timestamp = Timestamp(nanoseconds: interface.resolution.nanoseconds(ticks) &+ interface.offsetNanoseconds)
                lastTimestamp = timestamp
                return CapturedFrame(
                    timestamp: timestamp, linkType: interface.linkType,
                    data: buffer[(blockStart + 28)..<(blockStart + 28 + capturedLength)],
                    originalLength: originalLength, fileOffset: blockOffset, interfaceIndex: interfaceIndex)
            case 3:
                guard length >= 16 else {
                    throw CaptureError(code: .badBlockLength, offset: blockOffset,
                                       reason: "simple packet block length \(length) is below the minimum 16")
                }
                guard let interface = section.interfaces.first else {
                    throw CaptureError(code: .unknownInterface, offset: blockOffset,
                                       reason: "simple packet block before any interface description")
                }
                let originalLength = Int(loadUInt32(at: blockStart + 8, bigEndian: bigEndian))
                var capturedLength = min(originalLength, length - 16)
                if interface.snapLength > 0 { capturedLength = min(capturedLength, interface.snapLength) }
                return CapturedFrame(
                    timestamp: lastTimestamp, linkType: interface.linkType,
                    data: buffer[(blockStart + 12)..<(blockStart + 12 + capturedLength)],
                    originalLength: originalLength, fileOffset: blockOffset, interfaceIndex: 0)
            default:
                continue
            }
        }
    }

    private func checkTrailingLength(_ length: Int, at index: Int, blockOffset: Int, bigEndian: Bool) throws {
        let trailing = Int(loadUInt32(at: index, bigEndian: bigEndian))
        guard trailing == length else {
            throw CaptureError(code: .badBlockLength, offset: blockOffset,
                               reason: "block length \(length) does not match the trailing length \(trailing)")
        }
    }

    private mutating func readSectionHeader() throws -> Section {
        let blockOffset = offset
        guard try ensure(12) else {
            throw CaptureError(code: blockOffset == 0 ? .truncatedFileHeader : .truncatedBlock, offset: blockOffset,
                               reason: "section header block truncated: the file ends after \(availableBytes) bytes")
        }
        guard let bigEndian = Self.byteOrder(ofSectionMagic: loadUInt32(at: start + 8, bigEndian: false)) else {
            throw CaptureError(code: .badByteOrderMagic, offset: blockOffset + 8,
                               reason: "bad section byte-order magic 0x\(hex(loadUInt32(at: start + 8, bigEndian: true)))")
        }
        let length = Int(loadUInt32(at: start + 4, bigEndian: bigEndian))
        guard length >= 28, length % 4 == 0 else {
            throw CaptureError(code: .badBlockLength, offset: blockOffset,
                               reason: "section header block length \(length) is not a multiple of 4 of at least 28")
        }
        guard length <= options.maxBlockLength else {
            throw CaptureError(code: .badBlockLength, offset: blockOffset,
                               reason: "block length \(length) exceeds the limit \(options.maxBlockLength)")
        }
        guard try ensure(length) else {
            throw CaptureError(code: blockOffset == 0 ? .truncatedFileHeader : .truncatedBlock, offset: blockOffset,
                               reason: "section header block truncated: \(length) bytes needed, the file ends after \(availableBytes)")
        }
        try checkTrailingLength(length, at: start + length - 4, blockOffset: blockOffset, bigEndian: bigEndian)
        let major = loadUInt16(at: start + 12, bigEndian: bigEndian)
        let minor = loadUInt16(at: start + 14, bigEndian: bigEndian)
        guard major == 1 else {
            throw CaptureError(code: .unsupportedVersion, offset: blockOffset + 12,
                               reason: "unsupported pcapng version \(major).\(minor)")
        }
        start += length
        return Section(bigEndian: bigEndian)
    }

    private func parseInterface(_ blockStart: Int, length: Int, blockOffset: Int, bigEndian: Bool) throws -> Interface {
        guard length >= 20 else {
            throw CaptureError(code: .badBlockLength, offset: blockOffset,
                               reason: "interface description block length \(length) is below the minimum 20")
        }
        var interface = Interface(
            linkType: LinkType(rawValue: UInt32(loadUInt16(at: blockStart + 8, bigEndian: bigEndian))),
            snapLength: Int(loadUInt32(at: blockStart + 12, bigEndian: bigEndian)),
            resolution: .microseconds, offsetNanoseconds: 0)
        // Options are read leniently: a malformed option list ends the list.
        var option = blockStart + 16
        let optionsEnd = blockStart + length - 4
        while option + 4 <= optionsEnd {
            let code = loadUInt16(at: option, bigEndian: bigEndian)
            let valueLength = Int(loadUInt16(at: option + 2, bigEndian: bigEndian))
            let value = option + 4
            guard code != 0, value + valueLength <= optionsEnd else { break }
            if code == 9 && valueLength >= 1 {
                interface.resolution = TimestampResolution(optionValue: buffer[value])
            } else if code == 14 && valueLength >= 8 {
                let high = UInt64(loadUInt32(at: value, bigEndian: bigEndian))
                let low = UInt64(loadUInt32(at: value + 4, bigEndian: bigEndian))
                let seconds = Int64(bitPattern: bigEndian ? high << 32 | low : low << 32 | high)
                interface.offsetNanoseconds = seconds &* 1_000_000_000
            }
            option = value + (valueLength + 3) & ~3
        }
        return interface
    }
}

/// A pcapng `if_tsresol` value: ticks per second as a power of 10 or of 2.
public struct TimestampResolution: Hashable, Sendable {
    public enum Base: Hashable, Sendable { case ten, two }
    public var base: Base
    public var exponent: Int

    public static let microseconds = TimestampResolution(base: .ten, exponent: 6)
    public static let nanoseconds = TimestampResolution(base: .ten, exponent: 9)

    public init(base: Base, exponent: Int) {
        self.base = base
        self.exponent = exponent
    }

    /// Decodes the option byte: high bit set means a power of 2.
    public init(optionValue: UInt8) {
        self.init(base: optionValue & 0x80 != 0 ? .two : .ten, exponent: Int(optionValue & 0x7f))
    }

    /// The `if_tsresol` option byte.
    public var optionValue: UInt8 {
        UInt8(truncatingIfNeeded: exponent & 0x7f) | (base == .two ? 0x80 : 0)
    }

    /// Converts a tick count to nanoseconds (wrapping on absurd values, never trapping).
    public func nanoseconds(_ ticks: UInt64) -> Int64 {
        switch base {
        case .ten:
            if exponent <= 9 {
                var multiplier: UInt64 = 1
                for _ in 0..<(9 - exponent) { multiplier &*= 10 }
                return Int64(bitPattern: ticks &* multiplier)
            }
            let divisorExponent = exponent - 9
            guard divisorExponent <= 19 else { return 0 }
            var divisor: UInt64 = 1
            for _ in 0..<divisorExponent { divisor &*= 10 }
            return Int64(bitPattern: ticks / divisor)
        case .two:
            var ticks = ticks
            var shift = exponent
            // Beyond 2^-32 s, sub-nanosecond bits are dropped so the product fits in 64 bits.
            if shift > 32 {
                ticks = shift - 32 >= 64 ? 0 : ticks >> UInt64(shift - 32)
                shift = 32
            }
            let whole = ticks >> UInt64(shift)
            let fraction = ticks & ((1 << UInt64(shift)) - 1)
            return Int64(bitPattern: whole &* 1_000_000_000 &+ (fraction &* 1_000_000_000) >> UInt64(shift))
        }
    }
}

func hex(_ value: UInt32) -> String {
    let digits = String(value, radix: 16)
    return String(repeating: "0", count: max(0, 8 - digits.count)) + digits
}
