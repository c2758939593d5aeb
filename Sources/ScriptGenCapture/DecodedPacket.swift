/// The transport a conversation runs over.
public enum TransportProtocol: String, Hashable, Sendable, Codable, CaseIterable {
    case tcp
    case udp
}

/// TCP header flags (the low byte of the flags field).
public struct TCPFlags: OptionSet, Hashable, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let fin = TCPFlags(rawValue: 0x01)
    public static let syn = TCPFlags(rawValue: 0x02)
    public static let rst = TCPFlags(rawValue: 0x04)
    public static let psh = TCPFlags(rawValue: 0x08)
    public static let ack = TCPFlags(rawValue: 0x10)
    public static let urg = TCPFlags(rawValue: 0x20)
}

/// What the flow stage needs of a TCP header.
public struct TCPHeader: Hashable, Sendable {
    public var sequenceNumber: UInt32
    public var acknowledgementNumber: UInt32
    public var flags: TCPFlags
    public var window: UInt16

    public init(sequenceNumber: UInt32, acknowledgementNumber: UInt32, flags: TCPFlags, window: UInt16) {
        self.sequenceNumber = sequenceNumber
        self.acknowledgementNumber = acknowledgementNumber
        self.flags = flags
        self.window = window
    }
}

/// One TCP segment or UDP datagram, decoded down to its payload.
///
/// `payload` is a slice of the reader's buffer (no copy); keep it only as long as needed.
public struct DecodedPacket: Sendable {
    public var timestamp: Timestamp
    public var transport: TransportProtocol
    public var source: IPAddress
    public var destination: IPAddress
    public var sourcePort: UInt16
    public var destinationPort: UInt16
    /// Present for TCP, nil for UDP.
    public var tcp: TCPHeader?
    public var payload: ArraySlice<UInt8>
    /// Payload bytes the IP/UDP length promised but the capture did not keep (snaplen cut).
    /// The flow stage records them as a gap instead of inventing bytes.
    public var missingPayloadBytes: Int

    public init(
        timestamp: Timestamp, transport: TransportProtocol,
        source: IPAddress, destination: IPAddress, sourcePort: UInt16, destinationPort: UInt16,
        tcp: TCPHeader?, payload: ArraySlice<UInt8>, missingPayloadBytes: Int = 0
    ) {
        self.timestamp = timestamp
        self.transport = transport
        self.source = source
        self.destination = destination
        self.sourcePort = sourcePort
        self.destinationPort = destinationPort
        self.tcp = tcp
        self.payload = payload
        self.missingPayloadBytes = missingPayloadBytes
    }
}
