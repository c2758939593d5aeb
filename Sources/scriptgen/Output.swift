import Foundation

/// Standard output with a large buffer: `sessions` on a big capture prints millions of lines.
final class BufferedOutput {
    private var buffer: [UInt8] = []
    private let limit = 1 << 16

    init() { buffer.reserveCapacity(limit + 4096) }

    func write(_ line: String) {
        buffer.append(contentsOf: line.utf8)
        buffer.append(0x0a)
        if buffer.count >= limit { flush() }
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
