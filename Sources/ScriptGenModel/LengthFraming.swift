/// A binary length field that frames a message: `encoding` at `offset` holds the number of
/// bytes from `spanStart` to the message's end (a packet header's length). Learned by the
/// simplifier (docs/simplifier.md, *Reply fields* and *Request framing*); for requests the
/// emulator uses it to tell where one ends (docs/model-format.md).
public struct LengthFraming: Hashable, Sendable {
    public var offset: Int
    public var encoding: NumberEncoding
    public var spanStart: Int

    public init(offset: Int, encoding: NumberEncoding, spanStart: Int) {
        self.offset = offset
        self.encoding = encoding
        self.spanStart = spanStart
    }

    public var width: Int {
        switch encoding {
        case .binary(let width, _): width
        }
    }

    /// Bytes needed to read the length: the header.
    public var headerLength: Int { max(offset + width, spanStart) }

    /// The whole message's length as the field at the start of `bytes` says; nil when fewer
    /// than `headerLength` bytes are there.
    public func frameLength(of bytes: some Collection<UInt8>) -> Int? {
        guard bytes.count >= headerLength, offset >= 0, width > 0 else { return nil }
        let start = bytes.index(bytes.startIndex, offsetBy: offset)
        guard let value = encoding.value(of: bytes[start..<bytes.index(start, offsetBy: width)]), value >= 0, value <= Int64(Int32.max) else { return nil }
        return spanStart + Int(value)
    }

    /// Whether `message` is one whole frame.
    public func holds(in message: [UInt8]) -> Bool {
        frameLength(of: message) == message.count
    }
}
