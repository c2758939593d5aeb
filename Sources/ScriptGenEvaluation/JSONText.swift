import ScriptGenModel

/// The few JSON pieces the report needs, written directly (the model's JSON writer is internal
/// to ScriptGenModel, and the report's layout is fixed: keys in a documented order).
enum JSONText {
    static func string(_ text: String) -> String {
        var out: [UInt8] = []
        JSONEscape.appendQuoted(text, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// A number rounded to 6 decimals; null for a missing or non-finite value.
    static func number(_ value: Double?) -> String {
        guard let value, value.isFinite else { return "null" }
        let rounded = (value * 1_000_000).rounded() / 1_000_000
        if rounded == rounded.rounded(), abs(rounded) < 1e15 { return String(Int64(rounded)) }
        return "\(rounded)"
    }

    static func object(_ members: [(String, String)]) -> String {
        "{" + members.map { string($0.0) + ":" + $0.1 }.joined(separator: ",") + "}"
    }

    static func array(_ elements: [String]) -> String {
        "[" + elements.joined(separator: ",") + "]"
    }

    static func hex(_ bytes: [UInt8]) -> String {
        bytes.map(hexDigits).joined()
    }

    private static func hexDigits(_ byte: UInt8) -> String {
        let digits = Array("0123456789abcdef")
        return String([digits[Int(byte >> 4)], digits[Int(byte & 0x0f)]])
    }
}
