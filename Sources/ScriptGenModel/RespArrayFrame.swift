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
    public static func parse<Bytes: RandomAccessCollection>(_ bytes: Bytes) -> Result where Bytes.Element == UInt8 {
        var index = bytes.startIndex
        var offset = 0
        func advance(by count: Int = 1) {
            index = bytes.index(index, offsetBy: count)
            offset += count
        }
        /// `marker`, digits and CR LF: the number, or the result to give up with.
        func number(after marker: UInt8) -> Swift.Result<Int, Failure> {
            guard index != bytes.endIndex else { return .failure(.incomplete) }
            guard bytes[index] == marker else { return .failure(.notAnArray) }
            advance()
            var value = 0, digits = 0
            while index != bytes.endIndex, (0x30...0x39).contains(bytes[index]) {
                digits += 1
                if digits > maxLengthDigits { return .failure(.notAnArray) }
                value = value * 10 + Int(bytes[index] - 0x30)
                advance()
            }
            guard index != bytes.endIndex else { return .failure(.incomplete) }
            guard digits > 0, bytes[index] == 0x0D else { return .failure(.notAnArray) }
            advance()
            guard index != bytes.endIndex else { return .failure(.incomplete) }
            guard bytes[index] == 0x0A else { return .failure(.notAnArray) }
            advance()
            return .success(value)
        }
        let count: Int
        switch number(after: 0x2A) {
        case .success(let value): count = value
        case .failure(let failure): return failure.result
        }
        guard (1...maxElements).contains(count) else { return .notAnArray }
        var bulks: [Bulk] = []
        for _ in 0..<count {
            let headerStart = offset
            let length: Int
            switch number(after: 0x24) {
            case .success(let value): length = value
            case .failure(let failure): return failure.result
            }
            let valueStart = offset
            let remaining = bytes.distance(from: index, to: bytes.endIndex)
            if remaining < length + 2 {
                // The value is still arriving; a terminator already here must be CR LF.
                if remaining > length, bytes[bytes.index(index, offsetBy: length)] != 0x0D { return .notAnArray }
                return .incomplete
            }
            advance(by: length)
            guard bytes[index] == 0x0D, bytes[bytes.index(after: index)] == 0x0A else { return .notAnArray }
            advance(by: 2)
            bulks.append(Bulk(headerStart: headerStart, value: valueStart..<(valueStart + length)))
        }
        return .complete(length: offset, bulks: bulks)
    }

    private enum Failure: Error {
        case incomplete, notAnArray
        var result: Result { self == .incomplete ? .incomplete : .notAnArray }
    }
}
