#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ArgumentParser
import ScriptGenModel

/// Reads a model file with plain read(2) (a responder starts per connection: no Foundation on
/// this path) and decodes it. `path` may be `/dev/fd/N` (a standalone honeyd script hands its
/// embedded model over on a descriptor). Opens one descriptor and closes it before returning.
public enum ModelReader {
    /// Larger files are refused: a model is megabytes, not gigabytes.
    static let maxModelBytes = ModelFile.maximumFileBytes

    public static func read(_ path: String) throws -> ModelFile {
        let bytes = try FileBytes.read(path, limit: maxModelBytes, what: "the model")
        do {
            return try ModelFile.decode(from: bytes)
        } catch {
            throw CommandFailure("\(path): \(error)")
        }
    }
}

/// A whole small file, read with read(2); errors name the file and what it was for.
enum FileBytes {
    static func read(_ path: String, limit: Int, what: String) throws -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw CommandFailure("\(path): cannot open \(what) (\(String(cString: strerror(errno))))") }
        defer { _ = close(fd) }
        var bytes: [UInt8] = []
        var info = stat()
        if fstat(fd, &info) == 0, info.st_size > 0 { bytes.reserveCapacity(min(Int(info.st_size), limit + 1)) }
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress!, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw CommandFailure("\(path): cannot read \(what) (\(String(cString: strerror(errno))))")
            }
            if count == 0 { break }
            bytes.append(contentsOf: chunk[0..<count])
            if bytes.count > limit { throw CommandFailure("\(path): larger than \(limit) bytes, not \(what)") }
        }
        return bytes
    }
}
