/// The HPFeeds wire protocol (a publish/subscribe broker for honeypot events): each message is
/// a 4-byte big-endian length (the whole message, header included), a 1-byte opcode and a
/// payload; names inside are one length byte and the bytes. The broker opens with `info`
/// (its name and a nonce); the client answers `auth` with its ident and SHA-1(nonce ‖ secret),
/// then sends `publish` messages. The broker does not acknowledge: a refusal is an `error`
/// message, then it closes.
public enum HPFeedsWire {
    public enum Opcode: UInt8, Sendable {
        case error = 0, info = 1, auth = 2, publish = 3, subscribe = 4, unsubscribe = 5
    }

    /// The largest message a broker accepts (the reference broker's limit: 1 MiB of payload).
    public static let maximumMessageBytes = 5 + (1 << 20)
    /// Idents and channel names are written with a one-byte length.
    public static let maximumNameBytes = 255

    public struct Frame: Equatable, Sendable {
        public var opcode: UInt8
        public var payload: [UInt8]
    }

    public enum WireError: Error, Equatable, CustomStringConvertible {
        /// A length field below the 5-byte header or above `maximumMessageBytes`.
        case badLength(Int)
        /// An `info` message too short for its own name.
        case malformedInfo
        /// A message that was not `info` where the broker must greet.
        case unexpected(opcode: UInt8)

        public var description: String {
            switch self {
            case .badLength(let length): "message length \(length) out of range"
            case .malformedInfo: "malformed info message"
            case .unexpected(let opcode): "unexpected opcode \(opcode) from the broker"
            }
        }
    }

    public static func message(_ opcode: Opcode, _ payload: [UInt8]) -> [UInt8] {
        let length = UInt32(5 + payload.count)
        var out: [UInt8] = [UInt8(length >> 24), UInt8(length >> 16 & 0xff), UInt8(length >> 8 & 0xff), UInt8(length & 0xff), opcode.rawValue]
        out.reserveCapacity(Int(length))
        out.append(contentsOf: payload)
        return out
    }

    /// `auth`: the ident and SHA-1 of the broker's nonce followed by the secret.
    public static func auth(ident: String, nonce: [UInt8], secret: [UInt8]) -> [UInt8] {
        message(.auth, name(ident) + SHA1.digest(nonce + secret))
    }

    /// `publish`: the ident, the channel and the payload.
    public static func publish(ident: String, channel: String, payload: some Collection<UInt8>) -> [UInt8] {
        var body = name(ident) + name(channel)
        body.append(contentsOf: payload)
        return message(.publish, body)
    }

    /// `subscribe`: the ident and the channel (the rest of the message, no length byte).
    public static func subscribe(ident: String, channel: String) -> [UInt8] {
        message(.subscribe, name(ident) + Array(channel.utf8))
    }

    /// The broker's name and nonce from an `info` payload.
    public static func parseInfo(_ payload: [UInt8]) throws -> (name: String, nonce: [UInt8]) {
        guard let count = payload.first, payload.count >= 1 + Int(count) else { throw WireError.malformedInfo }
        return (String(decoding: payload[1..<(1 + Int(count))], as: UTF8.self), Array(payload[(1 + Int(count))...]))
    }

    /// A one-byte length and the bytes; callers keep names within `maximumNameBytes`.
    static func name(_ text: String) -> [UInt8] {
        let bytes = Array(text.utf8.prefix(maximumNameBytes))
        return [UInt8(bytes.count)] + bytes
    }

    /// Cuts whole messages out of the bytes received so far.
    public struct FrameReader: Sendable {
        private var buffer: [UInt8] = []

        public init() {}

        public mutating func append(_ bytes: some Sequence<UInt8>) {
            buffer.append(contentsOf: bytes)
        }

        /// The next whole message, nil until one has arrived; throws on an impossible length.
        public mutating func next() throws -> Frame? {
            guard buffer.count >= 5 else { return nil }
            let length = Int(buffer[0]) << 24 | Int(buffer[1]) << 16 | Int(buffer[2]) << 8 | Int(buffer[3])
            guard (5...maximumMessageBytes).contains(length) else { throw WireError.badLength(length) }
            guard buffer.count >= length else { return nil }
            let frame = Frame(opcode: buffer[4], payload: Array(buffer[5..<length]))
            buffer.removeFirst(length)
            return frame
        }
    }
}
