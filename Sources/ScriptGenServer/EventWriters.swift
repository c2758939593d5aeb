#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

func closeDescriptor(_ fd: Int32) {
    _ = close(fd)
}

/// Writes `bytes` to `fd` completely, retrying on EINTR and short writes. False on failure.
@discardableResult
func writeFully(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Bool {
    var offset = 0
    while offset < bytes.count {
        let written = write(fd, bytes.baseAddress! + offset, bytes.count - offset)
        if written < 0 {
            if errno == EINTR { continue }
            return false
        }
        if written == 0 { return false }
        offset += written
    }
    return true
}

/// Writes each event synchronously, one `write` per line (the responder: one conversation,
/// stderr as honeyd's service log). A failing descriptor is counted and otherwise ignored.
public final class DirectEventWriter: EventSink, @unchecked Sendable {
    private let fd: Int32
    private let serializer: EventSerializer
    private let lock = ConditionLock()
    private var failures = 0

    public init(fd: Int32, serializer: EventSerializer = EventSerializer()) {
        self.fd = fd
        self.serializer = serializer
    }

    public func record(_ event: Event) {
        let line = serializer.line(event)
        lock.withLock {
            if !line.withUnsafeBytes({ writeFully(fd, $0) }) { failures += 1 }
        }
    }

    public var failedWrites: Int { lock.withLock { failures } }

    public var repeatsEndpoints: Bool { serializer.format != .native }
}

/// Receives each line the event log writes, with the event it came from.
public protocol LineMirror: AnyObject, Sendable {
    /// `line`: the serialised event, newline included; valid only during the call.
    func mirror(_ line: UnsafeRawBufferPointer, of event: Event)
}

/// The honeypot's event log: callers serialise and enqueue (never blocking on the
/// destination); one writer thread writes whole lines, several per `write` when they queue
/// up, so lines are never split or interleaved. Producers wake the writer only when it sleeps
/// with nothing to write, and the writer lets lines gather for `batchDelay` before each write,
/// so a busy server pays about one wake-up and one `write` per batch, not per line. When the queue exceeds `maxQueuedBytes` (a
/// slow or stuck destination), new lines are dropped and counted, and a `log.dropped` line
/// reports them once writing catches up. A failing destination (full disk, closed pipe) loses
/// lines, never stops the caller. `reopen()` (SIGHUP after log rotation) makes the writer open
/// the file anew between two batches, so no line is lost or split across the rotation.
public final class EventLog: EventSink, @unchecked Sendable {
    public static let defaultMaxQueuedBytes = 16 << 20
    /// Nanoseconds the writer waits after waking for more lines to join the batch.
    public static let defaultBatchDelay: Int64 = 2_000_000

    /// Written only by the writer thread (and closed by `close()` after it has stopped).
    private var fd: Int32
    /// Whether `close()` closes `fd`: `closeWhenDone`, and always once a reopen made it.
    private var ownsDescriptor: Bool
    private let serializer: EventSerializer
    /// The file `reopen()` opens again; nil for a descriptor the log did not open (stdout).
    private let path: String?
    private let maxQueuedBytes: Int
    private let batchDelay: Int64
    private let lock = ConditionLock()
    private var queue = LineBuffer()
    private var dropped = 0
    private var failedWrites = 0
    private var writing = false
    private var writerAsleep = false
    private var flushWaiters = 0
    private var stopping = false
    private var stopped = false
    private var reopenRequested = false
    private var thread: pthread_t?
    /// Gets every line `record` serialises; set before the log is shared (`mirrorLines`).
    private var mirror: (any LineMirror)?

    /// `fd` is written by one background thread; with `closeWhenDone` it is closed by `close()`
    /// (and by a reopen). `path`: the file `fd` was opened from, for `reopen()`.
    public init(fd: Int32, closeWhenDone: Bool, serializer: EventSerializer = EventSerializer(), path: String? = nil,
                maxQueuedBytes: Int = EventLog.defaultMaxQueuedBytes, batchDelay: Int64 = EventLog.defaultBatchDelay) {
        self.fd = fd
        self.ownsDescriptor = closeWhenDone
        self.serializer = serializer
        self.path = path
        self.maxQueuedBytes = maxQueuedBytes
        self.batchDelay = batchDelay
        switch startThread({ self.writerLoop() }) {
        case .success(let handle): thread = handle
        case .failure: stopped = true
        }
    }

    public func record(_ event: Event) {
        // Serialised outside the lock, into this thread's scratch: event loops do not wait for
        // each other's formatting, only for one copy into the queue.
        let scratch = LineScratch.current
        scratch.line.removeAll(keepingCapacity: scratch.line.capacity <= 1 << 20)
        serializer.append(event, to: scratch.line, times: &scratch.times)
        let length = scratch.line.count
        if let mirror { scratch.line.withUnsafeBytes { mirror.mirror($0, of: event) } }
        lock.withLock {
            // A line that would take the queue past its limit is dropped whole.
            if stopped || queue.count + length > maxQueuedBytes {
                dropped += 1
                return
            }
            _ = scratch.line.withUnsafeBytes { bytes in
                queue.write(bound: length) { $0.write(bytes) }
            }
            if writerAsleep {
                writerAsleep = false
                lock.broadcast()
            }
        }
    }

    public var repeatsEndpoints: Bool { serializer.format != .native }

    /// Hands every line `record` serialises to `mirror` as well (the HPFeeds publisher), so a
    /// line is serialised once for both. Call before the log is shared with other threads.
    public func mirrorLines(to mirror: any LineMirror) {
        self.mirror = mirror
    }

    /// Lines dropped so far (queue full or log closed) and writes that failed.
    public var counters: (dropped: Int, failedWrites: Int) {
        lock.withLock { (dropped, failedWrites) }
    }

    /// Asks the writer to open `path` again (append, create) before its next write and to
    /// write there from then on: after `logrotate` renamed the file. Lines queued before the
    /// new file is open go to the old one, whole. Without a path, nothing happens.
    public func reopen() {
        guard path != nil else { return }
        lock.withLock {
            reopenRequested = true
            lock.broadcast()
        }
    }

    /// Opens the event file for appending, readable by its owner and group.
    public static func openFile(_ path: String) -> Int32 {
        open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o640)
    }

    /// Blocks until every queued line has been handed to the destination (and a requested
    /// reopen is done).
    public func flush() {
        lock.withLock {
            flushWaiters += 1
            defer { flushWaiters -= 1 }
            lock.broadcast()
            while (!queue.isEmpty || writing || reopenRequested) && !stopped { lock.wait() }
        }
    }

    /// Flushes, stops the writer thread and closes the descriptor when owned.
    public func close() {
        lock.withLock {
            stopping = true
            lock.broadcast()
        }
        if let thread { pthread_join(thread, nil) }
        thread = nil
        if ownsDescriptor { closeDescriptor(fd) }
    }

    private func writerLoop() {
        var batch = LineBuffer()
        var reportedDrops = 0
        while true {
            let gather = lock.withLock { () -> Bool in
                while queue.isEmpty && !stopping && dropped == reportedDrops && !reopenRequested {
                    writerAsleep = true
                    lock.wait()
                }
                writerAsleep = false
                return !stopping && flushWaiters == 0 && queue.count < maxQueuedBytes / 2
            }
            // Let lines gather: one wake-up and one write for many lines under load.
            if gather && batchDelay > 0 {
                var pause = timespec(tv_sec: Int(batchDelay / 1_000_000_000), tv_nsec: Int(batchDelay % 1_000_000_000))
                nanosleep(&pause, nil)
            }
            lock.withLock {
                swap(&batch, &queue)
                writing = true
            }
            // Report drops counted since the last report, after the lines already queued.
            let drops = lock.withLock { dropped }
            if drops > reportedDrops {
                batch.append(serializer.line(Event(.logDropped, time: .now(), [("count", .int(drops - reportedDrops)), ("total", .int(drops))])))
                reportedDrops = drops
            }
            var ok = batch.isEmpty || batch.withUnsafeBytes { writeFully(fd, $0) }
            if lock.withLock({ () -> Bool in defer { reopenRequested = false }; return reopenRequested }), let path {
                // Between two whole batches: every line is in the old file or the new one.
                let reopened = Self.openFile(path)
                var fields: [(name: String, value: Event.Value)] = [("path", .string(path))]
                if reopened >= 0 {
                    if ownsDescriptor { closeDescriptor(fd) }
                    fd = reopened
                    ownsDescriptor = true
                } else {
                    fields.append(("error", .string(String(cString: strerror(errno)))))
                }
                let line = serializer.line(Event(.logReopened, time: .now(), fields))
                ok = line.withUnsafeBytes { writeFully(fd, $0) } && ok
            }
            let finished = lock.withLock {
                if !ok { failedWrites += 1 }
                writing = false
                lock.broadcast()
                return stopping && queue.isEmpty
            }
            batch.removeAll(keepingCapacity: batch.capacity <= 1 << 20)
            if finished { break }
        }
        lock.withLock {
            stopped = true
            lock.broadcast()
        }
    }
}
