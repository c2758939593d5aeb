/// A byte range of a reply message that the real server derived from something else, filled in
/// each time the reply is sent (docs/model-format.md, *Reply fields*). The message keeps the
/// bytes of one observation as an example; a field's range replaces them.
public struct ReplyField: Hashable, Sendable {
    public enum Source: Hashable, Sendable {
        /// The bytes of the request that led to this state, from `offset` (a transaction id,
        /// an echoed name): the server copied them.
        case request(offset: Int)
        /// The request's text that follows the first occurrence of `after`, up to the next
        /// `until` byte (or the request's end): a name of any length the server echoed (a
        /// command, a host name, a user). Written whatever its length, at most
        /// `ReplyField.maxEchoBytes`.
        case requestText(after: [UInt8], until: UInt8?)
        /// The client's address as text (`192.0.2.7`), as the server named its client.
        case clientAddress
        /// The number of bytes of the sent message from `spanStart` (an offset of the example,
        /// moved by the fields before it that changed length) to its end, written after every
        /// other field.
        case length(NumberEncoding, spanStart: Int)
        /// The current time, written as the server wrote it.
        case time(TimeFormat)
        /// A number that grows from one conversation to the next: `next` for the honeypot's
        /// first conversation, one more for each conversation after it.
        case counter(NumberEncoding, next: Int64)
        /// Fresh random bytes of the alphabet the server's used (a nonce, a challenge).
        case random(RandomAlphabet)
    }

    /// Index of the message in the reply.
    public var message: Int
    /// First byte of the field in that message.
    public var offset: Int
    public var length: Int
    public var source: Source

    public init(message: Int, offset: Int, length: Int, source: Source) {
        self.message = message
        self.offset = offset
        self.length = length
        self.source = source
    }

    /// The field's class as `inspect`, `learn` and the model file name it.
    public var className: String {
        switch source {
        case .request, .requestText: "copy"
        case .clientAddress: "address"
        case .length: "length"
        case .time: "time"
        case .counter: "counter"
        case .random: "random"
        }
    }

    /// Every class, in the order `learn` counts them.
    public static let classNames = ["copy", "address", "length", "time", "counter", "random"]

    /// An echo writes at most this many bytes of the request.
    public static let maxEchoBytes = 1024

    /// Whether the real server itself gives another value each time (time, counter, random):
    /// what evaluation masks on both sides to call an answer equivalent. A copy is not: it
    /// must be right.
    public var variesByItself: Bool {
        switch source {
        case .request, .requestText, .clientAddress, .length: false
        case .time, .counter, .random: true
        }
    }
}

/// How a time field writes the time.
public enum TimeFormat: Hashable, Sendable {
    /// Text in `layout`, in the zone `utcOffsetMinutes` east of UTC (as observed).
    case text(DateLayout, utcOffsetMinutes: Int)
    /// 100-nanosecond units since 1601 in 8 bytes, little-endian (a Windows FILETIME).
    case filetime

    /// Bytes the time takes.
    public var length: Int {
        switch self {
        case .text(let layout, _): layout.length
        case .filetime: 8
        }
    }

    /// The model file's name of a binary format; text formats are their layout.
    public var name: String {
        switch self {
        case .text(let layout, _): layout.text
        case .filetime: "filetime"
        }
    }

    /// FILETIME of 1970-01-01.
    public static let filetimeOfUnixEpoch: Int64 = 116_444_736_000_000_000

    /// `nanoseconds` since 1970 written in this format.
    public func bytes(unixNanoseconds nanoseconds: Int64) -> [UInt8] {
        let seconds = nanoseconds.floorDivided(by: 1_000_000_000)
        switch self {
        case .text(let layout, let offset):
            return layout.format(seconds: seconds, utcOffsetMinutes: offset)
        case .filetime:
            return NumberEncoding.binary(width: 8, bigEndian: false).bytes(nanoseconds / 100 &+ Self.filetimeOfUnixEpoch)
        }
    }
}

/// How a number is written in a message.
public enum NumberEncoding: Hashable, Sendable {
    /// `width` bytes (1, 2, 3, 4 or 8), two's complement truncated.
    case binary(width: Int, bigEndian: Bool)

    /// `u8`, `u16be`, `u32le`, …
    public var name: String {
        switch self {
        case .binary(1, _): "u8"
        case .binary(let width, let bigEndian): "u\(width * 8)\(bigEndian ? "be" : "le")"
        }
    }

    public init?(name: String) {
        if name == "u8" {
            self = .binary(width: 1, bigEndian: false)
            return
        }
        let widths = ["u16": 2, "u24": 3, "u32": 4, "u64": 8]
        guard name.count > 3, let width = widths[String(name.dropLast(2))] else { return nil }
        switch name.suffix(2) {
        case "be": self = .binary(width: width, bigEndian: true)
        case "le": self = .binary(width: width, bigEndian: false)
        default: return nil
        }
    }

    public func bytes(_ value: Int64) -> [UInt8] {
        switch self {
        case .binary(let width, let bigEndian):
            let raw = UInt64(bitPattern: value)
            let little = (0..<width).map { UInt8(truncatingIfNeeded: raw >> (8 * UInt64($0))) }
            return bigEndian ? little.reversed() : little
        }
    }

    /// The number `bytes` hold; nil for a length other than the encoding's width.
    public func value(of bytes: some Collection<UInt8>) -> Int64? {
        switch self {
        case .binary(let width, let bigEndian):
            guard bytes.count == width else { return nil }
            var value: UInt64 = 0
            for byte in bigEndian ? Array(bytes) : bytes.reversed() { value = value << 8 | UInt64(byte) }
            return Int64(bitPattern: value)
        }
    }
}

/// The bytes a random field draws from.
public enum RandomAlphabet: String, Hashable, Sendable, CaseIterable {
    case digits
    case hexLower = "hex"
    case hexUpper = "HEX"
    case alphanumeric
    case base64
    case printable
    case binary

    /// Narrowest first: the first alphabet holding every observed byte is the field's.
    public func contains(_ byte: UInt8) -> Bool {
        switch self {
        case .digits: Self.isDigit(byte)
        case .hexLower: Self.isDigit(byte) || (0x61...0x66).contains(byte)
        case .hexUpper: Self.isDigit(byte) || (0x41...0x46).contains(byte)
        case .alphanumeric: Self.isDigit(byte) || Self.isLetter(byte)
        case .base64: Self.isDigit(byte) || Self.isLetter(byte) || byte == 0x2B || byte == 0x2F
        case .printable: (0x21...0x7E).contains(byte)
        case .binary: true
        }
    }

    /// The alphabet's bytes, in order.
    public var members: [UInt8] { (0...255).map(UInt8.init).filter(contains) }

    private static func isDigit(_ byte: UInt8) -> Bool { (0x30...0x39).contains(byte) }
    private static func isLetter(_ byte: UInt8) -> Bool { (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) }
}

/// What rendering a reply needs besides its fields: the request it answers, the current time
/// and the conversation's number (injected, so a run with a fixed clock replays).
public struct RenderingContext: Sendable {
    public var request: [UInt8]
    /// Nanoseconds since 1970, UTC.
    public var unixNanoseconds: Int64
    /// 0 for the honeypot's first conversation, growing with each one after it.
    public var conversationNumber: Int64
    /// The client's address as text; empty when unknown (the example's is kept).
    public var clientAddress: [UInt8]

    public init(request: [UInt8] = [], unixNanoseconds: Int64 = 0, conversationNumber: Int64 = 0, clientAddress: [UInt8] = []) {
        self.request = request
        self.unixNanoseconds = unixNanoseconds
        self.conversationNumber = conversationNumber
        self.clientAddress = clientAddress
    }
}

/// Where a field was written in a rendered reply.
public struct RenderedField: Hashable, Sendable {
    public var message: Int
    public var range: Range<Int>
    /// The field's class is one the real server varies by itself (`ReplyField.variesByItself`).
    public var variesByItself: Bool

    public init(message: Int, range: Range<Int>, variesByItself: Bool) {
        self.message = message
        self.range = range
        self.variesByItself = variesByItself
    }
}

extension Reply {
    /// The messages with `fields` filled in for `context`. A copy whose source lies beyond the
    /// request (a shorter request than any observed) keeps the example bytes. `written`
    /// receives where each field was written (in the rendered messages).
    public func rendered<Generator: RandomNumberGenerator>(
        _ fields: [ReplyField], context: RenderingContext, generator: inout Generator, written output: inout [RenderedField]
    ) -> [[UInt8]] {
        guard !fields.isEmpty else { return messages }
        var messages = messages
        var written: [RenderedField] = []
        // The fields that changed length: (message, example offset where they ended, growth).
        var growth: [(message: Int, end: Int, delta: Int)] = []
        func moved(_ offset: Int, in message: Int) -> Int {
            offset + growth.reduce(0) { $1.message == message && $1.end <= offset ? $0 + $1.delta : $0 }
        }
        // Last field first, so a field that changes length moves no field still to be
        // written; lengths after all the others, when the message has its final bytes.
        for field in fields.reversed() where messages.indices.contains(field.message) {
            guard field.offset >= 0, field.length >= 0, field.offset + field.length <= messages[field.message].count else { continue }
            let range = field.offset..<(field.offset + field.length)
            let bytes: [UInt8]
            switch field.source {
            case .request(let source):
                guard source >= 0, source + field.length <= context.request.count else { continue }
                bytes = Array(context.request[source..<(source + field.length)])
            case .requestText(let after, let until):
                guard let text = Self.text(of: context.request, after: after, until: until) else { continue }
                bytes = text
            case .clientAddress:
                guard !context.clientAddress.isEmpty else { continue }
                bytes = context.clientAddress
            case .length:
                continue
            case .time(let format):
                bytes = format.bytes(unixNanoseconds: context.unixNanoseconds)
            case .counter(let encoding, let next):
                bytes = encoding.bytes(next &+ context.conversationNumber)
            case .random(let alphabet):
                bytes = Self.randomBytes(field.length, of: alphabet, generator: &generator)
            }
            messages[field.message].replaceSubrange(range, with: bytes)
            let shift = bytes.count - field.length
            if shift != 0 {
                growth.append((field.message, range.upperBound, shift))
                for index in written.indices where written[index].message == field.message && written[index].range.lowerBound >= range.upperBound {
                    written[index].range = (written[index].range.lowerBound + shift)..<(written[index].range.upperBound + shift)
                }
            }
            written.append(RenderedField(message: field.message, range: field.offset..<(field.offset + bytes.count), variesByItself: field.variesByItself))
        }
        for field in fields where messages.indices.contains(field.message) {
            guard case .length(let encoding, let spanStart) = field.source else { continue }
            let offset = moved(field.offset, in: field.message)
            let start = moved(spanStart, in: field.message)
            guard case .binary(let width, _) = encoding, width == field.length, offset >= 0, offset + width <= messages[field.message].count,
                  start >= 0, start <= messages[field.message].count else { continue }
            messages[field.message].replaceSubrange(offset..<(offset + width), with: encoding.bytes(Int64(messages[field.message].count - start)))
            written.insert(RenderedField(message: field.message, range: offset..<(offset + width), variesByItself: false), at: 0)
        }
        output += written.reversed()
        return messages
    }

    /// The request's bytes after the first `after` up to the next `until` (or its end); nil
    /// when `after` does not occur. At most `ReplyField.maxEchoBytes`.
    public static func text(of request: [UInt8], after: [UInt8], until: UInt8?) -> [UInt8]? {
        guard let found = after.isEmpty ? request.startIndex..<request.startIndex : request.firstRange(of: after) else { return nil }
        let rest = request[found.upperBound...]
        let end = until.flatMap { rest.firstIndex(of: $0) } ?? rest.endIndex
        return Array(rest[..<end].prefix(ReplyField.maxEchoBytes))
    }

    /// `rendered(_:context:generator:written:)` without the ranges.
    public func rendered<Generator: RandomNumberGenerator>(_ fields: [ReplyField], context: RenderingContext, generator: inout Generator) -> [[UInt8]] {
        var written: [RenderedField] = []
        return rendered(fields, context: context, generator: &generator, written: &written)
    }

    private static func randomBytes<Generator: RandomNumberGenerator>(_ count: Int, of alphabet: RandomAlphabet, generator: inout Generator) -> [UInt8] {
        if alphabet == .binary {
            var bytes: [UInt8] = []
            bytes.reserveCapacity(count + 8)
            while bytes.count < count {
                let word = generator.next()
                for shift in stride(from: 0, to: 64, by: 8) { bytes.append(UInt8(truncatingIfNeeded: word >> UInt64(shift))) }
            }
            return Array(bytes.prefix(count))
        }
        let members = alphabet.members
        // Multiply-high maps a 64-bit draw onto the alphabet the same way on every platform.
        return (0..<count).map { _ in members[Int(UInt64(members.count).multipliedFullWidth(by: generator.next()).high)] }
    }
}
