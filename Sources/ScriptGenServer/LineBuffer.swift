#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ScriptGenModel

/// Growable bytes that event lines are written into in place: the event log's queue. A line
/// is written through a `LineWriter` after room for its upper bound was made, so its pieces
/// are copied without the capacity and uniqueness checks of an `Array` append per piece.
/// Not thread-safe: the event log guards it with its lock.
final class LineBuffer {
    private var base: UnsafeMutablePointer<UInt8>?
    private(set) var count = 0
    private(set) var capacity = 0

    init() {}

    deinit { base?.deallocate() }

    var isEmpty: Bool { count == 0 }

    /// Room for `extra` more bytes, growing geometrically.
    func reserve(_ extra: Int) {
        guard capacity - count < extra else { return }
        let newCapacity = Swift.max(count + extra, capacity * 2, 256)
        let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        if let base {
            grown.update(from: base, count: count)
            base.deallocate()
        }
        base = grown
        capacity = newCapacity
    }

    /// Writes at most `bound` bytes with `body`; returns how many it wrote.
    @discardableResult
    func write(bound: Int, _ body: (inout LineWriter) -> Void) -> Int {
        reserve(bound)
        var writer = LineWriter(start: base! + count, capacity: bound)
        body(&writer)
        count += writer.count
        return writer.count
    }

    func append(_ bytes: [UInt8]) {
        _ = bytes.withUnsafeBufferPointer { bytes in write(bound: bytes.count) { $0.write(bytes) } }
    }

    /// Drops the bytes from `newCount` on.
    func truncate(to newCount: Int) {
        precondition(newCount >= 0 && newCount <= count)
        count = newCount
    }

    /// Empties the buffer; frees the memory unless `keepingCapacity`.
    func removeAll(keepingCapacity: Bool) {
        count = 0
        if !keepingCapacity {
            base?.deallocate()
            base = nil
            capacity = 0
        }
    }

    func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(start: base, count: count))
    }

    var bytes: [UInt8] { withUnsafeBytes { Array($0) } }
}

/// Writes into memory of a fixed capacity, checking only that each piece fits.
struct LineWriter {
    private let start: UnsafeMutablePointer<UInt8>
    private let capacity: Int
    private(set) var count = 0

    init(start: UnsafeMutablePointer<UInt8>, capacity: Int) {
        self.start = start
        self.capacity = capacity
    }

    @inline(__always)
    mutating func write(_ byte: UInt8) {
        precondition(count < capacity, "event line longer than its bound")
        start[count] = byte
        count += 1
    }

    @inline(__always)
    mutating func write(_ bytes: UnsafeBufferPointer<UInt8>) {
        precondition(bytes.count <= capacity - count, "event line longer than its bound")
        if let source = bytes.baseAddress { (start + count).update(from: source, count: bytes.count) }
        count += bytes.count
    }

    @inline(__always)
    mutating func write(_ bytes: UnsafeRawBufferPointer) {
        precondition(bytes.count <= capacity - count, "event line longer than its bound")
        if let source = bytes.baseAddress { UnsafeMutableRawPointer(start + count).copyMemory(from: source, byteCount: bytes.count) }
        count += bytes.count
    }

    /// `bytes` as base64 text, encoded in place.
    mutating func writeBase64(_ bytes: [UInt8]) {
        let length = Base64.encodedCount(bytes.count)
        precondition(length <= capacity - count, "event line longer than its bound")
        bytes.withUnsafeBufferPointer { Base64.encode($0, into: start + count) }
        count += length
    }

    @inline(__always)
    mutating func write(_ text: StaticString) {
        write(UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }
}

/// One thread's room for serialising event lines outside the event log's lock: the line and
/// the text of the current second. Kept per thread (pthread key), shared by
/// every log, released when the thread exits.
final class LineScratch {
    let line = LineBuffer()
    var times = WallTimeCache()

    private static let key: pthread_key_t? = {
        var key = pthread_key_t()
        let status = pthread_key_create(&key) { value in
            #if canImport(Glibc)
            guard let value else { return }
            #endif
            Unmanaged<LineScratch>.fromOpaque(value).release()
        }
        return status == 0 ? key : nil
    }()

    /// The calling thread's scratch (a fresh one each time if no key could be made).
    static var current: LineScratch {
        guard let key else { return LineScratch() }
        if let value = pthread_getspecific(key) { return Unmanaged<LineScratch>.fromOpaque(value).takeUnretainedValue() }
        let scratch = LineScratch()
        if pthread_setspecific(key, Unmanaged.passRetained(scratch).toOpaque()) != 0 {
            Unmanaged.passUnretained(scratch).release()
        }
        return scratch
    }
}
