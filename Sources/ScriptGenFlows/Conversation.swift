import ScriptGenCapture

/// An address and port: one side of a conversation.
public struct Endpoint: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var address: IPAddress
    public var port: UInt16

    public init(address: IPAddress, port: UInt16) {
        self.address = address
        self.port = port
    }

    /// `1.2.3.4:80`, or `[::1]:80` for IPv6.
    public var description: String {
        address.isIPv6 ? "[\(address)]:\(port)" : "\(address):\(port)"
    }

    public static func < (lhs: Endpoint, rhs: Endpoint) -> Bool {
        // Every packet orders its two endpoints: IPv4 pairs compare as one integer each.
        if case .v4(let left) = lhs.address, case .v4(let right) = rhs.address {
            return (UInt64(left) << 16 | UInt64(lhs.port)) < (UInt64(right) << 16 | UInt64(rhs.port))
        }
        return (lhs.address, lhs.port) < (rhs.address, rhs.port)
    }
}

/// Which side sent a message.
public enum Direction: String, Hashable, Sendable, Codable {
    case client
    case server

    public var reversed: Direction { self == .client ? .server : .client }
}

/// The longest run of consecutive payload bytes in one direction (TCP), or one datagram (UDP).
public struct Message: Hashable, Sendable {
    public var direction: Direction
    public var payload: [UInt8]
    /// Capture time of the first byte of the message.
    public var timestamp: Timestamp
    /// Bytes missing inside or before this message (lost segments, snaplen cuts).
    /// The payload holds only the bytes seen; a gap is never filled with invented bytes.
    public var gapBytes: Int

    public init(direction: Direction, payload: [UInt8], timestamp: Timestamp, gapBytes: Int = 0) {
        self.direction = direction
        self.payload = payload
        self.timestamp = timestamp
        self.gapBytes = gapBytes
    }
}

/// How a conversation ended.
public enum ConversationEnd: String, Hashable, Sendable, Codable {
    /// Both sides sent FIN, or one side's FIN was followed by the other's silence until close.
    case fin
    case rst
    /// No packet within the idle timeout (capture time).
    case timeout
    /// The capture ended while the conversation was open.
    case endOfCapture = "eof"
    /// A limit (buffered bytes, open conversations) forced it out early.
    case evicted
}

/// One reconstructed client/server conversation: the Message Sequence Factory's output.
public struct Conversation: Hashable, Sendable {
    public var transport: TransportProtocol
    public var client: Endpoint
    public var server: Endpoint
    public var start: Timestamp
    public var end: Timestamp
    public var messages: [Message]
    /// The three-way handshake (TCP) was captured; for UDP always false.
    public var handshakeSeen: Bool
    /// The server side was inferred (no SYN seen) rather than known.
    public var serverInferred: Bool
    public var closedBy: ConversationEnd
    /// Total bytes missing (lost segments); a non-zero value means the messages have holes.
    public var gapBytes: Int
    /// Bytes whose retransmission disagreed with what was first received (first copy kept).
    public var conflictingOverlapBytes: Int
    /// Ordinal of the capture file the conversation came from (for provenance).
    public var captureIndex: Int
    /// TCP: the server closed the connection of its own accord right after its last message —
    /// its FIN came before the client's (or crossed it: it did not acknowledge the client's
    /// FIN), within `FlowOptions.maxServerCloseDelay` of the conversation's last payload, and
    /// no client byte came after the server's last message. An RST is no close; one after the
    /// server's FIN does not undo it. Always false for UDP. What a model learns to close on
    /// (`State.serverCloses`).
    public var serverClosedFirst: Bool

    public init(
        transport: TransportProtocol, client: Endpoint, server: Endpoint,
        start: Timestamp, end: Timestamp, messages: [Message],
        handshakeSeen: Bool, serverInferred: Bool, closedBy: ConversationEnd,
        gapBytes: Int = 0, conflictingOverlapBytes: Int = 0, captureIndex: Int = 0,
        serverClosedFirst: Bool = false
    ) {
        self.transport = transport
        self.client = client
        self.server = server
        self.start = start
        self.end = end
        self.messages = messages
        self.handshakeSeen = handshakeSeen
        self.serverInferred = serverInferred
        self.closedBy = closedBy
        self.gapBytes = gapBytes
        self.conflictingOverlapBytes = conflictingOverlapBytes
        self.captureIndex = captureIndex
        self.serverClosedFirst = serverClosedFirst
    }

    public var bytesFromClient: Int { bytes(from: .client) }

    public var bytesFromServer: Int { bytes(from: .server) }

    /// Indexed loop, not `reduce`: the closure's copies of each message cost a retain and a
    /// release per message, and `sessions` asks this for every conversation.
    private func bytes(from direction: Direction) -> Int {
        var total = 0
        for index in messages.indices where messages[index].direction == direction {
            total += messages[index].payload.count
        }
        return total
    }
}
