/// The JSON pieces event lines need. Attacker bytes never reach this as text: requests and
/// responses are base64; strings here are addresses, ids and names, still fully escaped.
///
/// Each piece is copied in one `append(contentsOf:)` of a buffer where it can be (a byte-wise
/// append checks the array's capacity and uniqueness every time): every event line of a busy
/// honeypot goes through here.
enum JSONText {
    private static let hex: StaticString = "0123456789abcdef"

    /// Appends the bytes of a literal.
    @inline(__always)
    static func appendStatic(_ text: StaticString, to out: inout [UInt8]) {
        out.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    static func appendString(_ text: String, to out: inout [UInt8]) {
        var text = text
        text.withUTF8 { appendString(bytes: $0, to: &out) }
    }

    /// `bytes` (UTF-8) as a JSON string, quoted and escaped.
    static func appendString(bytes: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        // Names, ids and addresses rarely need escaping: copy them whole when they do not.
        var plain = true
        for byte in bytes where byte < 0x20 || byte == 0x7f || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
            plain = false
            break
        }
        if plain {
            out.append(contentsOf: bytes)
            out.append(UInt8(ascii: "\""))
            return
        }
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "\""): appendStatic(#"\""#, to: &out)
            case UInt8(ascii: "\\"): appendStatic(#"\\"#, to: &out)
            case 0x0a: appendStatic(#"\n"#, to: &out)
            case 0x0d: appendStatic(#"\r"#, to: &out)
            case 0x09: appendStatic(#"\t"#, to: &out)
            case 0..<0x20, 0x7f:
                appendStatic(#"\u00"#, to: &out)
                out.append(hex.utf8Start[Int(byte >> 4)])
                out.append(hex.utf8Start[Int(byte & 0xf)])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// Decimal, as `String(number)` writes it, without building the string.
    static func appendInt(_ number: Int, to out: inout [UInt8]) {
        // 20 digits and a sign fit; written backwards from the end.
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
            out.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[start...]))
        }
    }

    /// Finite numbers as Swift prints them (shortest round-trip form); JSON has no NaN or
    /// infinity, so those become null.
    static func appendDouble(_ number: Double, to out: inout [UInt8]) {
        guard number.isFinite else {
            appendStatic("null", to: &out)
            return
        }
        var text = number.description
        text.withUTF8 { out.append(contentsOf: $0) }
    }
}
