#if os(Linux)
import CEpoll
import Glibc
import NIOCore

/// One accepted TCP socket carrying a `TCPConversation`. Answers are written at once; what the
/// kernel does not take waits here (at most `maxBufferedBytes`) until the socket is writable.
final class EpollConnection: ConversationConnection, ConversationWheel.Member {
    let descriptor: Int32
    let generation: UInt32
    private unowned let loop: EpollLoop
    var conversation: TCPConversation?
    var wheelIndex = -1
    /// The armed quiet-time deadline, `.max` when none.
    var quietDeadline: Int64 = .max
    private(set) var isClosed = false
    /// Closed by the conversation, writing what is queued before the socket is closed (the
    /// conversation's lifecycle decides when the drain ends; this only stops reading).
    private(set) var isDraining = false
    /// Whether any answer was queued (the banner, at open).
    private(set) var hasSent = false
    private var registered = false
    private var pending: [UInt8] = []
    private var pendingStart = 0
    private var watchingOutput = false

    init(descriptor: Int32, generation: UInt32, loop: EpollLoop) {
        self.descriptor = descriptor
        self.generation = generation
        self.loop = loop
    }

    private var pendingCount: Int { pending.count - pendingStart }
    /// Bytes the queue holds in memory, sent ones not yet released included.
    var queueStorage: Int { pending.count }

    /// Adds the socket to the loop's epoll set, once the conversation is open.
    func register() {
        registered = true
        watchingOutput = pendingCount > 0
        loop.watch(self, output: watchingOutput, input: !isDraining, firstTime: true)
    }

    func readAvailable() {
        while true {
            let count = read(descriptor, loop.readBuffer.baseAddress!, loop.readBuffer.count)
            if count > 0 {
                conversation?.received(UnsafeRawBufferPointer(rebasing: loop.readBuffer[0..<count]), now: MonotonicClock.now(), on: self)
            } else if count == 0 {
                conversation?.inputEnded(on: self)
            } else {
                if errno == EINTR { continue }
                if errno != EAGAIN && errno != EWOULDBLOCK { failed(code: errno) }
            }
            return
        }
    }

    func writePending() {
        guard !isClosed, pendingCount > 0 else { return }
        let taken = pending.withUnsafeBytes { send(UnsafeRawBufferPointer(rebasing: $0[pendingStart...])) }
        guard taken >= 0 else { return }
        pendingStart += taken
        if taken > 0, isDraining { conversation?.drainProgressed(now: MonotonicClock.now()) }
        if pendingCount == 0 {
            pending = []
            pendingStart = 0
            if isDraining {
                closeNow()
                return
            }
            setWatchingOutput(false)
        }
    }

    /// Sends as much of `bytes` as the kernel takes now: the count taken, or -1 when the
    /// connection failed (and was closed).
    private func send(_ bytes: UnsafeRawBufferPointer) -> Int {
        while true {
            let written = Glibc.send(descriptor, bytes.baseAddress!, bytes.count, Int32(MSG_NOSIGNAL))
            if written >= 0 { return written }
            if errno == EINTR { continue }
            if errno == EAGAIN || errno == EWOULDBLOCK { return 0 }
            failed(code: errno)
            return -1
        }
    }

    private func failed(code: Int32) {
        if let conversation {
            conversation.failed(reset: code == ECONNRESET || code == EPIPE, on: self)
        } else {
            closeNow()
        }
    }

    private func setWatchingOutput(_ watching: Bool) {
        guard watching != watchingOutput else { return }
        watchingOutput = watching
        if registered { loop.watch(self, output: watching, input: !isDraining, firstTime: false) }
    }

    // MARK: - ConversationConnection

    func queue(_ bytes: [UInt8]) {
        guard !isClosed, !bytes.isEmpty else { return }
        hasSent = true
        if pendingCount > 0 {
            // The bytes sent go once they outweigh those still queued: a client that always
            // leaves some behind would otherwise keep everything it was ever sent.
            if pendingStart >= pendingCount {
                pending.removeFirst(pendingStart)
                pendingStart = 0
            }
            pending.append(contentsOf: bytes)
        } else {
            let taken = bytes.withUnsafeBytes { send($0) }
            guard taken >= 0 else { return }
            if taken < bytes.count {
                pending = Array(bytes[taken...])
                pendingStart = 0
            }
        }
        if pendingCount > 0 {
            setWatchingOutput(true)
            // The client does not read: its answers would pile up in memory.
            if pendingCount > loop.limits.maxBufferedBytes { conversation?.outputBufferFull(on: self) }
        }
    }

    func flushQueued() {}

    func closeConnection(afterSending: Bool) {
        guard !isClosed else { return }
        guard afterSending, pendingCount > 0 else {
            closeNow()
            return
        }
        guard !isDraining else { return }
        // Input is no longer read; the socket stays until the queue is written, it fails, or
        // the conversation's sweep ends the drain.
        isDraining = true
        if registered { loop.watch(self, output: true, input: false, firstTime: false) }
    }

    /// The server stops: the conversation closes (and logs `shutdown`), a draining one at once.
    func closeForShutdown() {
        conversation?.close(reason: .shutdown, on: self)
        closeNow()
    }

    /// Closes at once. What the kernel already took is still delivered; answers queued here
    /// are dropped.
    private func closeNow() {
        guard !isClosed else { return }
        isClosed = true
        isDraining = false
        _ = close(descriptor)
        loop.remove(self)
        if let conversation {
            self.conversation = nil
            conversation.finished(now: MonotonicClock.now())
        }
    }

    func armQuietTimer(at deadline: Int64) {
        quietDeadline = deadline
        loop.armTimer(self, at: deadline)
    }

    func cancelQuietTimer() {
        quietDeadline = .max
    }

    /// Called by the wheel.
    func sweep(now: Int64) {
        if let conversation { conversation.sweep(now: now, on: self) } else if isDraining { closeNow() }
    }
}
#endif
