/// Readable one-line previews of payloads: text as quoted text with escapes, binary as hex.
enum BytePreview {
    /// Share of printable bytes above which a payload is shown as text.
    static let textThreshold = 0.9

    static func isMostlyText<C: Collection<UInt8>>(_ bytes: C) -> Bool {
        guard !bytes.isEmpty else { return true }
        let printable = bytes.reduce(0) { $0 + ((0x20...0x7e).contains($1) || $1 == 0x0d || $1 == 0x0a || $1 == 0x09 ? 1 : 0) }
        return Double(printable) >= Double(bytes.count) * textThreshold
    }

    /// `"USER alice\r\n"` for text, `hex 00 00 00 85 ff 53 4d 42…` for binary; cut to `limit` bytes.
    static func render<C: Collection<UInt8>>(_ bytes: C, limit: Int) -> String {
        let shown = bytes.prefix(limit)
        let more = bytes.count > limit ? "…" : ""
        if isMostlyText(bytes) {
            return "\"" + escaped(shown) + "\"" + more
        }
        return "hex " + shown.map { hexByte($0) }.joined(separator: " ") + more
    }

    static func escaped<C: Collection<UInt8>>(_ bytes: C) -> String {
        var text = ""
        for byte in bytes {
            switch byte {
            case 0x0d: text += "\\r"
            case 0x0a: text += "\\n"
            case 0x09: text += "\\t"
            case 0x22: text += "\\\""
            case 0x5c: text += "\\\\"
            case 0x20...0x7e: text.unicodeScalars.append(Unicode.Scalar(byte))
            default: text += "\\x" + hexByte(byte)
            }
        }
        return text
    }

    static func hexByte(_ byte: UInt8) -> String {
        let digits = Array("0123456789abcdef")
        return String([digits[Int(byte >> 4)], digits[Int(byte & 0xf)]])
    }
}
