/// The JSON pieces event lines need, escaped by the rule of ScriptGenModel's `JSONEscape`
/// (tested equal). Attacker bytes never reach this as text: requests and responses are
/// base64; strings here are addresses, ids and names, still fully escaped.
///
/// Pieces are written through a `LineWriter` into room made for the whole line (every event
/// of a busy honeypot goes through here); the `[UInt8]` forms are for single pieces.
enum JSONText {
    private static let hex: StaticString = "0123456789abcdef"

    /// Bytes `appendString` writes at most for `text`: every byte escaped as `\u00XX`.
    static func stringBound(_ text: String) -> Int { text.utf8.count * 6 + 2 }
    /// Bytes `appendInt` writes at most: 19 digits and a sign, rounded up.
    static let intBound = 24
    /// Bytes `appendDouble` writes at most: Swift's shortest round-trip form is at most 24.
    static let doubleBound = 32

    static func appendString(_ text: String, to writer: inout LineWriter) {
        var text = text
        text.withUTF8 { appendString(bytes: $0, to: &writer) }
    }

    /// `bytes` (UTF-8) as a JSON string, quoted and escaped.
    static func appendString(bytes: UnsafeBufferPointer<UInt8>, to writer: inout LineWriter) {
        writer.write(UInt8(ascii: "\""))
        // Names, ids and addresses rarely need escaping: copy them whole when they do not.
        var plain = true
        for byte in bytes where byte < 0x20 || byte == 0x7f || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
            plain = false
            break
        }
        if plain {
            writer.write(bytes)
            writer.write(UInt8(ascii: "\""))
            return
        }
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "\""): writer.write(#"\""#)
            case UInt8(ascii: "\\"): writer.write(#"\\"#)
            case 0x0a: writer.write(#"\n"#)
            case 0x0d: writer.write(#"\r"#)
            case 0x09: writer.write(#"\t"#)
            case 0..<0x20, 0x7f:
                writer.write(#"\u00"#)
                writer.write(hex.utf8Start[Int(byte >> 4)])
                writer.write(hex.utf8Start[Int(byte & 0xf)])
            default: writer.write(byte)
            }
        }
        writer.write(UInt8(ascii: "\""))
    }

    /// Decimal, as `String(number)` writes it, without building the string.
    static func appendInt(_ number: Int, to writer: inout LineWriter) {
        // 19 digits and a sign fit; written backwards from the end.
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)
        withUnsafeMutableBytes(of: &digits) { buffer in
            var magnitude = number.magnitude
            var start = buffer.count
            repeat {
                start -= 1
                buffer[start] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            if number < 0 {
                start -= 1
                buffer[start] = UInt8(ascii: "-")
            }
            writer.write(UnsafeRawBufferPointer(rebasing: buffer[start...]))
        }
    }

    /// Finite numbers as Swift prints them (shortest round-trip form); JSON has no NaN or
    /// infinity, so those become null.
    static func appendDouble(_ number: Double, to writer: inout LineWriter) {
        guard number.isFinite else {
            writer.write("null")
            return
        }
        var text = number.description
        text.withUTF8 { writer.write($0) }
    }

    static func appendString(_ text: String, to out: inout [UInt8]) {
        append(to: &out, bound: stringBound(text)) { appendString(text, to: &$0) }
    }

    static func appendInt(_ number: Int, to out: inout [UInt8]) {
        append(to: &out, bound: intBound) { appendInt(number, to: &$0) }
    }

    private static func append(to out: inout [UInt8], bound: Int, _ body: (inout LineWriter) -> Void) {
        let buffer = LineBuffer()
        buffer.write(bound: bound, body)
        buffer.withUnsafeBytes { out.append(contentsOf: $0) }
    }
}
