/// What kind of bytes a column or region holds (gaps ignored).
public enum DataClass: Hashable, Sendable {
    /// Printable ASCII, tab, CR and LF only.
    case text
    /// Only zero bytes (padding, reserved fields).
    case zero
    /// Anything else, including a mix of text and zeros.
    case binary
    /// No byte at all: only gaps.
    case empty

    /// The class of a set of bytes.
    public init<Bytes: Sequence>(bytes: Bytes) where Bytes.Element == UInt8 {
        var sawByte = false, allZero = true, allText = true
        for byte in bytes {
            sawByte = true
            if byte != 0 { allZero = false }
            if !DataClass.isText(byte) { allText = false }
            if !allZero && !allText { break }
        }
        self = !sawByte ? .empty : allZero ? .zero : allText ? .text : .binary
    }

    /// Combines the classes of neighbouring columns into the class of their region.
    func joined(with other: DataClass) -> DataClass {
        if self == other || other == .empty { return self }
        if self == .empty { return other }
        return .binary
    }

    /// Printable ASCII, tab, CR or LF: a byte of a text protocol's message.
    public static func isText(_ byte: UInt8) -> Bool {
        (byte >= 0x20 && byte < 0x7F) || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }
}
