/// The rule for writing text inside a JSON string, shared by the model file's writer and the
/// evaluation report: `"` and `\` escaped, `\n`, `\r`, `\t` by name, every other control byte
/// and DEL as `\u00XX`; all other bytes (UTF-8 included) as they are. The event log applies
/// the same rule with its own in-place writer (ScriptGenServer's JSONText): called across the
/// module boundary for every byte, this one cost serve 3k instructions per connection.
package enum JSONEscape {
    @inline(__always)
    package static func needsEscape(_ byte: UInt8) -> Bool {
        byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte == 0x7f
    }

    /// Hands the escape of `byte` (one that `needsEscape`) to `emit`, byte by byte.
    @inline(__always)
    package static func escape(_ byte: UInt8, _ emit: (UInt8) -> Void) {
        emit(UInt8(ascii: "\\"))
        switch byte {
        case UInt8(ascii: "\""): emit(UInt8(ascii: "\""))
        case UInt8(ascii: "\\"): emit(UInt8(ascii: "\\"))
        case 0x0a: emit(UInt8(ascii: "n"))
        case 0x0d: emit(UInt8(ascii: "r"))
        case 0x09: emit(UInt8(ascii: "t"))
        default:
            let digits: StaticString = "0123456789abcdef"
            for piece in [UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0")] { emit(piece) }
            emit(digits.utf8Start[Int(byte >> 4)])
            emit(digits.utf8Start[Int(byte & 0x0f)])
        }
    }

    /// `text` quoted and escaped, appended to `out`.
    package static func appendQuoted(_ text: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            if needsEscape(byte) { escape(byte) { out.append($0) } } else { out.append(byte) }
        }
        out.append(UInt8(ascii: "\""))
    }
}
