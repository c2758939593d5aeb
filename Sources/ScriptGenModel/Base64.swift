/// Standard base64 (RFC 4648 §4, with `=` padding) for payloads in the model file.
/// Decoding is strict: no whitespace, no missing padding, no non-zero bits in the padding,
/// so one payload has exactly one spelling and an edited file is noticed.
public enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    private static let reverse: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (index, symbol) in alphabet.enumerated() { table[Int(symbol)] = UInt8(index) }
        return table
    }()

    /// Pairs of symbols for every 12 bits, so each 3 input bytes take two lookups.
    // Written once, before first use, then only read.
    nonisolated(unsafe) private static let pairs: UnsafeMutablePointer<UInt16> = {
        let table = UnsafeMutablePointer<UInt16>.allocate(capacity: 4096)
        for value in 0..<4096 {
            // Memory order: the first symbol in the first byte on every host.
            let pair = [alphabet[value >> 6], alphabet[value & 63]]
            table[value] = pair.withUnsafeBytes { $0.loadUnaligned(as: UInt16.self) }
        }
        return table
    }()

    /// Symbols `encode(_:into:)` writes for `count` bytes.
    public static func encodedCount(_ count: Int) -> Int { (count + 2) / 3 * 4 }

    /// Writes the text of `bytes` at `output`, which has room for `encodedCount(bytes.count)`
    /// symbols (the honeypot's event log writes in place; every request and answer passes
    /// here).
    public static func encode(_ bytes: UnsafeBufferPointer<UInt8>, into output: UnsafeMutablePointer<UInt8>) {
        guard let input = bytes.baseAddress else { return }
        let out = UnsafeMutableRawPointer(output)
        var index = 0, position = 0
        while index + 3 <= bytes.count {
            let chunk = Int(input[index]) << 16 | Int(input[index + 1]) << 8 | Int(input[index + 2])
            out.storeBytes(of: pairs[chunk >> 12], toByteOffset: position, as: UInt16.self)
            out.storeBytes(of: pairs[chunk & 0xFFF], toByteOffset: position + 2, as: UInt16.self)
            index += 3
            position += 4
        }
        let remaining = bytes.count - index
        guard remaining > 0 else { return }
        var chunk = Int(input[index]) << 16
        if remaining == 2 { chunk |= Int(input[index + 1]) << 8 }
        output[position] = alphabet[chunk >> 18 & 63]
        output[position + 1] = alphabet[chunk >> 12 & 63]
        output[position + 2] = remaining == 2 ? alphabet[chunk >> 6 & 63] : UInt8(ascii: "=")
        output[position + 3] = UInt8(ascii: "=")
    }

    /// Encodes `bytes`, appending the text to `out`.
    public static func append(_ bytes: [UInt8], to output: inout [UInt8]) {
        let start = output.count
        let count = encodedCount(bytes.count)
        output.append(contentsOf: repeatElement(0, count: count))
        output.withUnsafeMutableBufferPointer { out in
            bytes.withUnsafeBufferPointer { encode($0, into: out.baseAddress! + start) }
        }
    }

    public static func encode(_ bytes: [UInt8]) -> String {
        var output: [UInt8] = []
        append(bytes, to: &output)
        return String(decoding: output, as: UTF8.self)
    }

    /// The decoded bytes, or nil when `text` is not canonical base64.
    static func decode(_ text: String) -> [UInt8]? {
        let utf8 = text.utf8
        return utf8.withContiguousStorageIfAvailable(decodeBuffer) ?? Array(utf8).withUnsafeBufferPointer(decodeBuffer)
    }

    private static func decodeBuffer(_ input: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        guard input.count % 4 == 0 else { return nil }
        if input.isEmpty { return [] }
        var padding = 0
        if input[input.count - 1] == UInt8(ascii: "=") { padding += 1 }
        if input[input.count - 2] == UInt8(ascii: "=") { padding += 1 }
        var output = [UInt8]()
        output.reserveCapacity(input.count / 4 * 3)
        var index = 0
        while index < input.count {
            let isLast = index + 4 == input.count
            var chunk: UInt32 = 0
            for offset in 0..<4 {
                let symbol = input[index + offset]
                if isLast && offset >= 4 - padding {
                    chunk <<= 6
                    continue
                }
                let value = reverse[Int(symbol)]
                guard value != 0xFF else { return nil }
                chunk = chunk << 6 | UInt32(value)
            }
            output.append(UInt8(chunk >> 16 & 0xFF))
            if !isLast || padding < 2 { output.append(UInt8(chunk >> 8 & 0xFF)) }
            if !isLast || padding < 1 { output.append(UInt8(chunk & 0xFF)) }
            if isLast {
                // Canonical form: the bits under the padding must be zero.
                if padding == 1 && chunk & 0xFF != 0 { return nil }
                if padding == 2 && chunk & 0xFFFF != 0 { return nil }
            }
            index += 4
        }
        return output
    }
}
