/// Where a `CaptureReader` gets its bytes from.
///
/// The capture module does no I/O itself: the CLI implements this for file descriptors and
/// gzip streams, tests use `InMemoryByteSource`.
public protocol ByteSource {
    /// Copies up to `buffer.count` bytes into the start of `buffer` and returns how many were
    /// copied. Returns 0 only at the end of the input; short reads are fine.
    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int
}

/// A `ByteSource` over bytes already in memory.
///
/// `maxReadLength` caps each read, so tests can make records straddle reads.
public struct InMemoryByteSource: ByteSource, Sendable {
    public let bytes: [UInt8]
    public private(set) var position: Int = 0
    public var maxReadLength: Int

    public init(_ bytes: [UInt8], maxReadLength: Int = .max) {
        self.bytes = bytes
        self.maxReadLength = max(1, maxReadLength)
    }

    public mutating func read(into buffer: UnsafeMutableRawBufferPointer) -> Int {
        let count = min(buffer.count, bytes.count - position, maxReadLength)
        guard count > 0, let destination = buffer.baseAddress else { return 0 }
        bytes.withUnsafeBytes { source in
            destination.copyMemory(from: source.baseAddress! + position, byteCount: count)
        }
        position += count
        return count
    }
}
