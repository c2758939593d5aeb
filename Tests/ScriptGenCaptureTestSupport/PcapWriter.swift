import ScriptGenCapture
/// Builds a classic pcap file in memory (no I/O): a file header, then one record per frame.
///
/// Used by tests, fixtures and the benchmark that replicates conversations. For large
/// outputs, call `takeBytes()` now and then and write the chunks out.
public struct PcapWriter: Sendable {
    public let linkType: LinkType
    public let nanosecondTimestamps: Bool
    public let bigEndian: Bool
    public let snapLength: UInt32
    private var bytes: [UInt8] = []

    public init(linkType: LinkType, nanosecondTimestamps: Bool = false, bigEndian: Bool = false, snapLength: UInt32 = 262_144) {
        self.linkType = linkType
        self.nanosecondTimestamps = nanosecondTimestamps
        self.bigEndian = bigEndian
        self.snapLength = snapLength
        bytes.appendInteger(nanosecondTimestamps ? 0xa1b2_3c4d as UInt32 : 0xa1b2_c3d4, bigEndian: bigEndian)
        bytes.appendInteger(2 as UInt16, bigEndian: bigEndian)
        bytes.appendInteger(4 as UInt16, bigEndian: bigEndian)
        bytes.appendInteger(0 as UInt32, bigEndian: bigEndian) // thiszone
        bytes.appendInteger(0 as UInt32, bigEndian: bigEndian) // sigfigs
        bytes.appendInteger(snapLength, bigEndian: bigEndian)
        bytes.appendInteger(linkType.rawValue, bigEndian: bigEndian)
    }

    /// Appends one record. `originalLength` defaults to the data length (nothing cut).
    public mutating func append(_ data: some Collection<UInt8>, timestamp: Timestamp, originalLength: Int? = nil) {
        let seconds = timestamp.nanoseconds / 1_000_000_000
        let fraction = timestamp.nanoseconds % 1_000_000_000
        bytes.appendInteger(UInt32(truncatingIfNeeded: seconds), bigEndian: bigEndian)
        bytes.appendInteger(UInt32(truncatingIfNeeded: nanosecondTimestamps ? fraction : fraction / 1000), bigEndian: bigEndian)
        bytes.appendInteger(UInt32(truncatingIfNeeded: data.count), bigEndian: bigEndian)
        bytes.appendInteger(UInt32(truncatingIfNeeded: originalLength ?? data.count), bigEndian: bigEndian)
        bytes.append(contentsOf: data)
    }

    /// Appends a frame read elsewhere (its link type is not checked against the file's).
    public mutating func append(_ frame: CapturedFrame) {
        append(frame.data, timestamp: frame.timestamp, originalLength: frame.originalLength)
    }

    /// Everything not yet taken (the first call includes the file header), then empties it.
    public mutating func takeBytes() -> [UInt8] {
        defer { bytes = [] }
        return bytes
    }

    /// The bytes not yet taken.
    public var pendingBytes: [UInt8] { bytes }

    /// A whole file from frames (one link type: the writer's).
    public static func file(_ frames: [CapturedFrame], linkType: LinkType, nanosecondTimestamps: Bool = false, bigEndian: Bool = false) -> [UInt8] {
        var writer = PcapWriter(linkType: linkType, nanosecondTimestamps: nanosecondTimestamps, bigEndian: bigEndian)
        for frame in frames { writer.append(frame) }
        return writer.takeBytes()
    }
}

/// Builds a pcapng file in memory: sections, interfaces with their own link type and
/// timestamp resolution, enhanced and simple packet blocks, and arbitrary blocks for tests.
public struct PcapNGWriter: Sendable {
    public let bigEndian: Bool
    private var bytes: [UInt8] = []
    private var resolutions: [TimestampResolution] = []

    /// Starts the file with a Section Header Block.
    public init(bigEndian: Bool = false) {
        self.bigEndian = bigEndian
        startSection()
    }

    /// Appends a new Section Header Block; interfaces must be declared again after it.
    public mutating func startSection() {
        resolutions = []
        var body: [UInt8] = []
        body.appendInteger(0x1a2b_3c4d as UInt32, bigEndian: bigEndian)
        body.appendInteger(1 as UInt16, bigEndian: bigEndian)
        body.appendInteger(0 as UInt16, bigEndian: bigEndian)
        body.appendInteger(UInt64.max, bigEndian: bigEndian) // section length unknown
        appendBlock(type: 0x0a0d_0d0a, body: body)
    }

    /// Declares an interface and returns its index in the current section.
    @discardableResult
    public mutating func addInterface(linkType: LinkType, snapLength: UInt32 = 262_144, resolution: TimestampResolution = .microseconds) -> Int {
        var body: [UInt8] = []
        body.appendInteger(UInt16(truncatingIfNeeded: linkType.rawValue), bigEndian: bigEndian)
        body.appendInteger(0 as UInt16, bigEndian: bigEndian)
        body.appendInteger(snapLength, bigEndian: bigEndian)
        if resolution != .microseconds {
            body.appendInteger(9 as UInt16, bigEndian: bigEndian)
            body.appendInteger(1 as UInt16, bigEndian: bigEndian)
            body += [resolution.optionValue, 0, 0, 0]
            body.appendInteger(0 as UInt32, bigEndian: bigEndian) // opt_endofopt
        }
        appendBlock(type: 1, body: body)
        resolutions.append(resolution)
        return resolutions.count - 1
    }

    /// Appends an Enhanced Packet Block; the timestamp is stored in the interface's resolution.
    public mutating func appendPacket(_ data: some Collection<UInt8>, interface: Int, timestamp: Timestamp, originalLength: Int? = nil) {
        let resolution = interface < resolutions.count ? resolutions[interface] : .microseconds
        let ticks = resolution.ticks(fromNanoseconds: timestamp.nanoseconds)
        var body: [UInt8] = []
        body.reserveCapacity(20 + data.count + 3)
        body.appendInteger(UInt32(truncatingIfNeeded: interface), bigEndian: bigEndian)
        body.appendInteger(UInt32(truncatingIfNeeded: ticks >> 32), bigEndian: bigEndian)
        body.appendInteger(UInt32(truncatingIfNeeded: ticks), bigEndian: bigEndian)
        body.appendInteger(UInt32(truncatingIfNeeded: data.count), bigEndian: bigEndian)
        body.appendInteger(UInt32(truncatingIfNeeded: originalLength ?? data.count), bigEndian: bigEndian)
        body.append(contentsOf: data)
        appendBlock(type: 6, body: body)
    }

    /// Appends a Simple Packet Block (interface 0, no timestamp).
    public mutating func appendSimplePacket(_ data: some Collection<UInt8>, originalLength: Int? = nil) {
        var body: [UInt8] = []
        body.appendInteger(UInt32(truncatingIfNeeded: originalLength ?? data.count), bigEndian: bigEndian)
        body.append(contentsOf: data)
        appendBlock(type: 3, body: body)
    }

    /// Appends any block: the body is padded to 4 bytes and framed by the two lengths.
    public mutating func appendBlock(type: UInt32, body: [UInt8]) {
        let padding = (4 - body.count % 4) % 4
        let length = UInt32(truncatingIfNeeded: 12 + body.count + padding)
        bytes.appendInteger(type, bigEndian: bigEndian)
        bytes.appendInteger(length, bigEndian: bigEndian)
        bytes.append(contentsOf: body)
        bytes.append(contentsOf: repeatElement(0, count: padding))
        bytes.appendInteger(length, bigEndian: bigEndian)
    }

    /// Everything not yet taken, then empties it.
    public mutating func takeBytes() -> [UInt8] {
        defer { bytes = [] }
        return bytes
    }

    public var pendingBytes: [UInt8] { bytes }
}

extension TimestampResolution {
    /// The inverse of `nanoseconds(_:)`, rounding down.
    public func ticks(fromNanoseconds value: Int64) -> UInt64 {
        let nanoseconds = UInt64(bitPattern: value)
        switch base {
        case .ten:
            if exponent <= 9 {
                var divisor: UInt64 = 1
                for _ in 0..<(9 - exponent) { divisor &*= 10 }
                return nanoseconds / divisor
            }
            var multiplier: UInt64 = 1
            for _ in 0..<min(exponent - 9, 19) { multiplier &*= 10 }
            return nanoseconds &* multiplier
        case .two:
            let shift = UInt64(min(exponent, 32))
            let whole = nanoseconds / 1_000_000_000
            let fraction = nanoseconds % 1_000_000_000
            // Round the fraction up so that converting back gives the same nanosecond.
            let fractionTicks = ((fraction << shift) + 999_999_999) / 1_000_000_000
            return (whole << shift) &+ fractionTicks
        }
    }
}

extension Array<UInt8> {
    mutating func appendInteger<T: FixedWidthInteger>(_ value: T, bigEndian: Bool) {
        let ordered = bigEndian ? value.bigEndian : value.littleEndian
        Swift.withUnsafeBytes(of: ordered) { append(contentsOf: $0) }
    }
}
