import Foundation

/// Standard output with a large buffer: `sessions` on a big capture prints millions of lines.
final class BufferedOutput {
    private var buffer: [UInt8] = []
    private let limit = 1 << 16

    init() { buffer.reserveCapacity(limit + 4096) }

    func write(_ line: String) {
        buffer.append(contentsOf: line.utf8)
        endLine()
    }

    /// Ends the line being built with the `append` methods.
    func endLine() {
        buffer.append(0x0a)
        if buffer.count >= limit { flush() }
    }

    // Building a line piece by piece, without intermediate strings: listing a large capture
    // prints hundreds of thousands of lines.

    func append(_ text: String) {
        buffer.append(contentsOf: text.utf8)
    }

    func append(_ text: StaticString) {
        text.withUTF8Buffer { buffer.append(contentsOf: $0) }
    }

    func append(byte: UInt8) {
        buffer.append(byte)
    }

    /// A non-negative integer in decimal, left-padded with `pad` to `width`.
    func append(decimal value: Int, width: Int = 0, pad: UInt8 = 0x30) {
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        var rest = value.magnitude
        withUnsafeMutableBytes(of: &digits) { digits in
            repeat {
                digits[19 - count] = UInt8(truncatingIfNeeded: 0x30 + rest % 10)
                rest /= 10
                count += 1
            } while rest > 0 && count < 20
            if value < 0 { buffer.append(0x2d) }
            for _ in count..<max(count, width) { buffer.append(pad) }
            buffer.append(contentsOf: digits[(20 - count)...])
        }
    }

    /// Appends `text` and spaces up to `width` columns.
    func append(_ text: String, paddedTo width: Int) {
        let before = buffer.count
        buffer.append(contentsOf: text.utf8)
        for _ in (buffer.count - before)..<max(buffer.count - before, width) { buffer.append(0x20) }
    }

    func flush() {
        guard !buffer.isEmpty else { return }
        buffer.withUnsafeBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = Foundation.write(STDOUT_FILENO, bytes.baseAddress! + offset, bytes.count - offset)
                if written <= 0 {
                    if errno == EINTR { continue }
                    // The reader went away (a closed pipe): stop quietly like other Unix tools.
                    exit(errno == EPIPE ? 0 : 1)
                }
                offset += written
            }
        }
        buffer.removeAll(keepingCapacity: true)
    }
}

/// Messages on stderr.
enum Diagnostics {
    static func note(_ text: String) {
        FileHandle.standardError.write(Data(("scriptgen: " + text + "\n").utf8))
    }
}

/// A failure already explained to the user: printed as `Error: …`, exit status 1.
struct CommandFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
