/// The frame of a RESP array, what Redis clients send: `*<n>\r\n` then n bulk strings
/// `$<length>\r\n<length bytes>\r\n`. The length fields say where a request ends, so the
/// emulator never cuts one inside (a value may even hold CR LF), and the simplifier generalises
/// its arguments one by one.
public enum RespArrayFrame {
    public struct Bulk: Equatable, Sendable {
        /// Offset of the `$` of its header, from the start of the bytes.
        public var headerStart: Int
        /// Offsets of the value's bytes.
        public var value: Range<Int>
    }

    public enum Result: Equatable, Sendable {
        /// A whole array of `length` bytes (more bytes may follow it).
        case complete(length: Int, bulks: [Bulk])
        /// A well-formed start; more bytes are needed.
        case incomplete
        /// Not a RESP array of bulk strings.
        case notAnArray
    }

    /// Most elements and most digits of a length the parser accepts: a longer header is not
    /// an array (a hostile client cannot make it wait for 10^18 bytes).
    public static let maxElements = 1 << 20
    public static let maxLengthDigits = 9

    /// Parses the array at the start of `bytes`.
    public static func parse<Bytes: Collection>(_ bytes: Bytes) -> Result where Bytes.Element == UInt8 {
        let run = { (buffer: UnsafeBufferPointer<UInt8>) -> Result in
            var scanner = Scanner()
            var bulks: [Bulk]? = []
            switch scanner.scan(buffer, recording: &bulks) {
            case .complete(let length): return .complete(length: length, bulks: bulks ?? [])
            case .incomplete: return .incomplete
            case .notAnArray: return .notAnArray
            }
        }
        return bytes.withContiguousStorageIfAvailable(run) ?? Array(bytes).withUnsafeBufferPointer(run)
    }

    /// Framing that resumes where it stopped: the emulator scans the same pending bytes again
    /// after every read, and parsing them from the start each time made a hostile client that
    /// drips a large array byte by byte cost time quadratic in its size. Each `scan` continues
    /// after the last whole bulk string, so the total work is linear.
    public struct Scanner: Sendable {
        public enum Status: Equatable, Sendable {
            case complete(length: Int)
            case incomplete
            case notAnArray
        }

        /// Bytes parsed so far: the header and the whole bulk strings after it.
        private var offset = 0
        /// Bulk strings still to come; nil until the header is read.
        private var elementsLeft: Int?
        /// A final answer, kept: more bytes never change it.
        private var settled: Status?

        public init() {}

        /// Continues over `bytes`: the bytes of the earlier calls, perhaps followed by more.
        public mutating func scan(_ bytes: UnsafeBufferPointer<UInt8>) -> Status {
            var unused: [Bulk]? = nil
            return scan(bytes, recording: &unused)
        }

        /// `bulks`, when not nil, collects the bulk strings as they are parsed.
        fileprivate mutating func scan(_ bytes: UnsafeBufferPointer<UInt8>, recording bulks: inout [Bulk]?) -> Status {
            if let settled { return settled }
            if elementsLeft == nil {
                switch Self.number(in: bytes, at: 0, marker: 0x2A) {
                case .incomplete: return .incomplete
                case .invalid: return settle(.notAnArray)
                case .value(let count, let end):
                    guard (1...maxElements).contains(count) else { return settle(.notAnArray) }
                    elementsLeft = count
                    offset = end
                }
            }
            while let left = elementsLeft, left > 0 {
                let headerStart = offset
                switch Self.number(in: bytes, at: offset, marker: 0x24) {
                case .incomplete: return .incomplete
                case .invalid: return settle(.notAnArray)
                case .value(let length, let valueStart):
                    let remaining = bytes.count - valueStart
                    if remaining < length + 2 {
                        // The value is still arriving; a terminator already here must be CR LF.
                        if remaining > length, bytes[valueStart + length] != 0x0D { return settle(.notAnArray) }
                        return .incomplete
                    }
                    guard bytes[valueStart + length] == 0x0D, bytes[valueStart + length + 1] == 0x0A else { return settle(.notAnArray) }
                    bulks?.append(Bulk(headerStart: headerStart, value: valueStart..<(valueStart + length)))
                    offset = valueStart + length + 2
                    elementsLeft = left - 1
                }
            }
            return settle(.complete(length: offset))
        }

        private mutating func settle(_ status: Status) -> Status {
            settled = status
            return status
        }

        private enum Number {
            case value(Int, end: Int)
            case incomplete
            case invalid
        }

        /// `marker`, 1 to `maxLengthDigits` digits and CR LF at `start`.
        private static func number(in bytes: UnsafeBufferPointer<UInt8>, at start: Int, marker: UInt8) -> Number {
            var index = start
            guard index < bytes.count else { return .incomplete }
            guard bytes[index] == marker else { return .invalid }
            index += 1
            var value = 0, digits = 0
            while index < bytes.count, (0x30...0x39).contains(bytes[index]) {
                digits += 1
                if digits > maxLengthDigits { return .invalid }
                value = value * 10 + Int(bytes[index] - 0x30)
                index += 1
            }
            guard index < bytes.count else { return .incomplete }
            guard digits > 0, bytes[index] == 0x0D else { return .invalid }
            index += 1
            guard index < bytes.count else { return .incomplete }
            guard bytes[index] == 0x0A else { return .invalid }
            return .value(value, end: index + 1)
        }
    }
}
