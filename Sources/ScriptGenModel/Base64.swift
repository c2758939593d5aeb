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

    /// Encodes `bytes`, appending the text to `out` (the honeypot's event log builds its lines
    /// as bytes). Written through buffers after one resize: appending byte by byte was a tenth
    /// of the honeypot's work per connection.
    public static func append(_ bytes: [UInt8], to output: inout [UInt8]) {
        let start = output.count
        output.append(contentsOf: repeatElement(0, count: (bytes.count + 2) / 3 * 4))
        output.withUnsafeMutableBufferPointer { out in
            bytes.withUnsafeBufferPointer { input in
                alphabet.withUnsafeBufferPointer { table in
                    var index = 0, position = start
                    func put(_ chunk: UInt32, shift: UInt32) {
                        out[position] = table[Int(chunk >> shift & 63)]
                        position += 1
                    }
                    while index + 3 <= input.count {
                        let chunk = UInt32(input[index]) << 16 | UInt32(input[index + 1]) << 8 | UInt32(input[index + 2])
                        put(chunk, shift: 18); put(chunk, shift: 12); put(chunk, shift: 6); put(chunk, shift: 0)
                        index += 3
                    }
                    let remaining = input.count - index
                    guard remaining > 0 else { return }
                    var chunk = UInt32(input[index]) << 16
                    if remaining == 2 { chunk |= UInt32(input[index + 1]) << 8 }
                    put(chunk, shift: 18); put(chunk, shift: 12)
                    if remaining == 2 { put(chunk, shift: 6) } else { out[position] = UInt8(ascii: "="); position += 1 }
                    out[position] = UInt8(ascii: "=")
                }
            }
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
