import Foundation

/// Standard output with a large buffer: `sessions` on a big capture prints millions of lines.
///
/// The bytes and the fill count live in memory allocated once and reached through `let`
/// pointers: a class's `var` storage would cost a dynamic exclusivity check on every append,
/// which was most of the time spent printing a line.
final class BufferedOutput {
    private static let capacity = 1 << 16
    private let bytes = UnsafeMutablePointer<UInt8>.allocate(capacity: BufferedOutput.capacity)
    private let fill = UnsafeMutablePointer<Int>.allocate(capacity: 1)

    init() { fill.initialize(to: 0) }

    deinit {
        bytes.deallocate()
        fill.deallocate()
    }

    func write(_ line: String) {
        append(line)
        endLine()
    }

    /// Ends the line being built with the `append` methods.
    func endLine() {
        append(byte: 0x0a)
        if fill.pointee >= Self.capacity / 2 { flush() }
    }

    // Building a line piece by piece, without intermediate strings: listing a large capture
    // prints hundreds of thousands of lines.

    func append(_ text: String) {
        var text = text
        text.withUTF8 { append(UnsafeRawBufferPointer($0)) }
    }

    func append(_ text: StaticString) {
        text.withUTF8Buffer { append(UnsafeRawBufferPointer($0)) }
    }

    /// Copies `source` in; anything larger than the buffer goes straight to the output.
    func append(_ source: UnsafeRawBufferPointer) {
        guard !source.isEmpty else { return }
        if fill.pointee + source.count > Self.capacity {
            flush()
            if source.count > Self.capacity {
                Self.writeAll(source)
                return
            }
        }
        UnsafeMutableRawPointer(bytes + fill.pointee).copyMemory(from: source.baseAddress!, byteCount: source.count)
        fill.pointee += source.count
    }

    @inline(__always)
    func append(byte: UInt8) {
        if fill.pointee == Self.capacity { flush() }
        bytes[fill.pointee] = byte
        fill.pointee += 1
    }

    /// A non-negative integer in decimal, left-padded with `pad` to `width`.
    func append(decimal value: Int, width: Int = 0, pad: UInt8 = 0x30) {
        // Digits counted by comparison, so the only divisions are those producing the digits.
        var digitCount = 1
        var threshold: UInt = 10
        var rest = value.magnitude
        while digitCount < 20 && rest >= threshold { digitCount += 1; threshold &*= 10 }
        let sign = value < 0 ? 1 : 0
        let padding = max(0, width - digitCount)
        let total = sign + padding + digitCount
        if fill.pointee + total > Self.capacity { flush() }
        var position = bytes + fill.pointee
        if sign == 1 { position.pointee = 0x2d; position += 1 }
        for _ in 0..<padding { position.pointee = pad; position += 1 }
        rest = value.magnitude
        var index = digitCount - 1
        repeat {
            position[index] = UInt8(truncatingIfNeeded: 0x30 &+ rest % 10)
            rest /= 10
            index -= 1
        } while index >= 0
        fill.pointee += total
    }

    /// Appends `text` and spaces up to `width` columns.
    func append(_ text: String, paddedTo width: Int) {
        let length = text.utf8.count
        append(text)
        for _ in length..<max(length, width) { append(byte: 0x20) }
    }

    func flush() {
        guard fill.pointee > 0 else { return }
        Self.writeAll(UnsafeRawBufferPointer(start: bytes, count: fill.pointee))
        fill.pointee = 0
    }

    private static func writeAll(_ data: UnsafeRawBufferPointer) {
        var offset = 0
        while offset < data.count {
            let written = Foundation.write(STDOUT_FILENO, data.baseAddress! + offset, data.count - offset)
            if written <= 0 {
                if errno == EINTR { continue }
                // The reader went away (a closed pipe): stop quietly like other Unix tools.
                exit(errno == EPIPE ? 0 : 1)
            }
            offset += written
        }
    }
}

/// Messages on stderr.
enum Diagnostics {
    static func note(_ text: String) {
        FileHandle.standardError.write(Data(("scriptgen: " + text + "\n").utf8))
    }
}

/// A failure already explained to the user: printed as `Error: …`, exit status 1.

