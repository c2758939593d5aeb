#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CZlib
import ScriptGenCapture

/// Reads a file descriptor (a capture file, or standard input for `-`).
struct FileByteSource: ByteSource {
    let descriptor: Int32
    let path: String

    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        while true {
            let count = Glibc.read(descriptor, buffer.baseAddress, buffer.count)
            if count >= 0 { return count }
            if errno == EINTR { continue }
            throw InputError("\(path): read failed: \(String(cString: strerror(errno)))")
        }
    }
}

/// Serves bytes read ahead (to sniff the format) before the rest of the underlying source.
struct PrefixedByteSource<Base: ByteSource>: ByteSource {
    var prefix: [UInt8]
    var base: Base

    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        if !prefix.isEmpty {
            let count = min(prefix.count, buffer.count)
            prefix.withUnsafeBytes { buffer.baseAddress!.copyMemory(from: $0.baseAddress!, byteCount: count) }
            prefix.removeFirst(count)
            return count
        }
        return try base.read(into: buffer)
    }
}

/// Inflates a gzip stream on the fly, so `.gz` captures need no temporary file.
/// Concatenated gzip members (as `cat a.gz b.gz` makes) are read one after another.
final class GzipByteSource<Base: ByteSource>: ByteSource {
    private var base: Base
    private let path: String
    private var stream = z_stream()
    private var input = [UInt8](repeating: 0, count: 1 << 18)
    private var inputStart = 0
    private var inputEnd = 0
    private var finished = false
    private var compressedOffset = 0

    init(base: Base, path: String) throws {
        self.base = base
        self.path = path
        // 15 + 32: a 32 KiB window, gzip or zlib header detected automatically.
        let status = inflateInit2_(&stream, 15 + 32, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else { throw InputError("\(path): cannot start gzip decoding (zlib \(status))") }
    }

    deinit { inflateEnd(&stream) }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        while !finished {
            if inputStart == inputEnd {
                let count = try input.withUnsafeMutableBytes { try base.read(into: $0) }
                if count == 0 {
                    finished = true
                    if stream.total_in > 0 || compressedOffset > 0, stream.avail_in == 0, streamInProgress {
                        throw InputError("\(path): gzip stream truncated at compressed offset \(compressedOffset)")
                    }
                    return 0
                }
                inputStart = 0
                inputEnd = count
            }
            let produced: Int = try input.withUnsafeMutableBytes { inputBytes in
                stream.next_in = inputBytes.baseAddress!.assumingMemoryBound(to: Bytef.self) + inputStart
                stream.avail_in = uInt(inputEnd - inputStart)
                stream.next_out = buffer.baseAddress!.assumingMemoryBound(to: Bytef.self)
                stream.avail_out = uInt(buffer.count)
                let status = inflate(&stream, Z_NO_FLUSH)
                let consumed = (inputEnd - inputStart) - Int(stream.avail_in)
                inputStart += consumed
                compressedOffset += consumed
                let produced = buffer.count - Int(stream.avail_out)
                switch status {
                case Z_OK, Z_BUF_ERROR:
                    streamInProgress = true
                case Z_STREAM_END:
                    streamInProgress = false
                    inflateReset(&stream)
                default:
                    let reason = stream.msg.map { String(cString: $0) } ?? "error \(status)"
                    throw InputError("\(path): gzip data corrupt near compressed offset \(compressedOffset): \(reason)")
                }
                return produced
            }
            if produced > 0 { return produced }
        }
        return 0
    }

    private var streamInProgress = false
}
