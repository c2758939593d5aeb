#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Publishes every event to an HPFeeds broker on a thread of its own. It mirrors the event
/// log (`EventLog.mirrorLines(to:)`): each line, serialised once there, is only framed and
/// enqueued here, so serving never waits for the broker. The queue is bounded; an
/// event that does not fit is dropped and counted (`hpfeeds.dropped` in the event log, like
/// `log.dropped`). A refused or lost connection is retried with exponential back-off, and
/// what was queued meanwhile is published once the broker is back.
///
/// Bytes handed to the kernel just before the broker dies cannot be known lost (the broker
/// sends no acknowledgement); the socket is checked for the broker's close before every
/// batch, which keeps that window to what one batch carries.
public final class HPFeedsPublisher: LineMirror, @unchecked Sendable {
    public struct Configuration: Sendable {
        public var host: String
        public var port: Int
        public var ident: String
        public var secret: [UInt8]
        public var channel: String
        /// Bytes of messages waiting for the broker before new events are dropped.
        public var maxQueuedBytes = 8 << 20
        /// Nanoseconds before the first retry; doubled after each failure up to `maximumBackoff`.
        public var minimumBackoff: Int64 = 250_000_000
        public var maximumBackoff: Int64 = 30_000_000_000
        /// Nanoseconds a connect, a read of the broker's greeting or one write may take.
        public var ioTimeout: Int64 = 5_000_000_000
        /// Nanoseconds to wait after `auth` for the broker's refusal (it sends no acceptance).
        public var authWait: Int64 = 250_000_000

        public init(host: String, port: Int, ident: String, secret: [UInt8], channel: String) {
            self.host = host
            self.port = port
            self.ident = ident
            self.secret = secret
            self.channel = channel
        }

        /// `host:port` as given.
        public var broker: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
    }

    public struct Counters: Equatable, Sendable {
        /// Events written whole to a connected, authenticated broker.
        public var published = 0
        /// Events dropped because the queue was full.
        public var dropped = 0
        /// Events still queued when the publisher was closed (the broker was unreachable).
        public var unsent = 0
        /// Successful connections (1 + reconnections).
        public var connections = 0
        /// Connection attempts that failed, and connections lost.
        public var failures = 0
    }

    private let configuration: Configuration
    private let status: any EventSink
    private let lock = ConditionLock()
    private var pending: [[UInt8]] = []
    private var pendingBytes = 0
    private var counters = Counters()
    private var stopping = false
    private var stopDeadline: Int64 = 0
    private var thread: pthread_t?

    /// `status`: where the publisher's own events go (the event log), never published.
    public init(configuration: Configuration, status: any EventSink) {
        self.configuration = configuration
        self.status = status
        if case .success(let handle) = startThread({ self.run() }) { thread = handle }
    }

    public func mirror(_ line: UnsafeRawBufferPointer, of event: Event) {
        switch event.id {
        case .hpfeedsConnected, .hpfeedsDisconnected, .hpfeedsDropped: return  // its own, for the log only
        default: break
        }
        // Without the newline: one message is one event.
        let payload = line.last == 0x0a ? UnsafeRawBufferPointer(rebasing: line.dropLast()) : line
        let message = HPFeedsWire.publish(ident: configuration.ident, channel: configuration.channel, payload: payload)
        lock.withLock {
            guard !stopping, thread != nil, message.count <= HPFeedsWire.maximumMessageBytes,
                  pendingBytes + message.count <= configuration.maxQueuedBytes else {
                counters.dropped += 1
                return
            }
            pending.append(message)
            pendingBytes += message.count
            if pending.count == 1 { lock.broadcast() }
        }
    }

    public var currentCounters: Counters { lock.withLock { counters } }

    /// Publishes what is queued (for at most `timeout` nanoseconds if the broker is slow or
    /// away), then stops; the events left are counted as `unsent`.
    @discardableResult
    public func close(timeout: Int64 = 2_000_000_000) -> Counters {
        lock.withLock {
            stopping = true
            stopDeadline = MonotonicClock.now() + timeout
            lock.broadcast()
        }
        if let thread { pthread_join(thread, nil) }
        thread = nil
        return currentCounters
    }

    // MARK: the publishing thread

    private func run() {
        var backoff = configuration.minimumBackoff
        var socket: Int32 = -1
        // Whether the current connection published anything: a broker that accepts and then
        // drops every connection is retried after the back-off, not at once.
        var publishedOnConnection = false
        var reportedDrops = 0
        defer { if socket >= 0 { closeDescriptor(socket) } }
        func lost(_ reason: String) {
            closeDescriptor(socket)
            socket = -1
            lock.withLock { counters.failures += 1 }
            let retry = publishedOnConnection ? 0 : backoff
            disconnected(reason: reason, retryIn: retry)
            if retry > 0 {
                pause(retry)
                backoff = min(configuration.maximumBackoff, backoff * 2)
            }
        }
        while true {
            reportDrops(since: &reportedDrops)
            if socket < 0 {
                if lock.withLock({ stopping }) { break }
                switch openConnection() {
                case .success(let connected):
                    socket = connected
                    publishedOnConnection = false
                    lock.withLock { counters.connections += 1 }
                    status.record(Event(.hpfeedsConnected, time: .now(), [
                        ("broker", .string(configuration.broker)), ("channel", .string(configuration.channel)),
                    ]))
                case .failure(let failure):
                    lock.withLock { counters.failures += 1 }
                    disconnected(reason: failure.reason, retryIn: backoff)
                    pause(backoff)
                    backoff = min(configuration.maximumBackoff, backoff * 2)
                    continue
                }
            }
            // Wait for events; wake now and then to notice a broker that went away.
            let batch: [[UInt8]]? = lock.withLock {
                if pending.isEmpty && !stopping { lock.wait(nanoseconds: 1_000_000_000) }
                if stopping && (pending.isEmpty || MonotonicClock.now() >= stopDeadline) { return nil }
                let taken = pending
                pending.removeAll(keepingCapacity: true)
                pendingBytes = 0
                return taken
            }
            guard let batch else { break }
            if let reason = brokerClosed(socket) {
                requeue(batch)
                lost(reason)
                continue
            }
            let written = write(batch, to: socket)
            let writeError = errno
            lock.withLock { counters.published += written }
            if written > 0 {
                publishedOnConnection = true
                backoff = configuration.minimumBackoff
            }
            if written < batch.count {
                requeue(Array(batch[written...]))
                lost("write failed (\(String(cString: strerror(writeError))))")
            }
        }
        reportDrops(since: &reportedDrops)
        lock.withLock {
            counters.unsent += pending.count
            pending.removeAll()
            pendingBytes = 0
        }
    }

    /// Sleeps `nanoseconds`, unless a stop comes first.
    private func pause(_ nanoseconds: Int64) {
        let until = MonotonicClock.now() + nanoseconds
        lock.withLock {
            while !stopping {
                let left = until - MonotonicClock.now()
                if left <= 0 { break }
                lock.wait(nanoseconds: left)
            }
        }
    }

    /// One `hpfeeds.dropped` for the drops counted since the last report.
    private func reportDrops(since reported: inout Int) {
        let drops = lock.withLock { counters.dropped }
        guard drops > reported else { return }
        status.record(Event(.hpfeedsDropped, time: .now(), [("count", .int(drops - reported)), ("total", .int(drops))]))
        reported = drops
    }

    private func disconnected(reason: String, retryIn: Int64) {
        status.record(Event(.hpfeedsDisconnected, time: .now(), [
            ("broker", .string(configuration.broker)), ("reason", .string(reason)),
            ("queued", .int(lock.withLock { pending.count })), ("retryIn", .double(Double(retryIn) / 1e9)),
        ]))
    }

    /// Puts unsent messages back in front of those queued since, over the limit if need be
    /// (they were admitted once).
    private func requeue(_ messages: [[UInt8]]) {
        guard !messages.isEmpty else { return }
        lock.withLock {
            pending = messages + pending
            pendingBytes += messages.reduce(0) { $0 + $1.count }
        }
    }

    /// Writes whole messages in order; how many were written completely.
    private func write(_ batch: [[UInt8]], to socket: Int32) -> Int {
        var joined: [UInt8] = []
        joined.reserveCapacity(batch.reduce(0) { $0 + $1.count })
        for message in batch { joined.append(contentsOf: message) }
        var offset = 0
        joined.withUnsafeBytes { bytes in
            while offset < bytes.count {
                let sent = send(socket, bytes.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
                if sent < 0 && errno == EINTR { continue }
                if sent <= 0 { return }
                offset += sent
            }
        }
        // Count the messages that lie wholly within the bytes sent.
        var whole = 0
        var end = 0
        for message in batch {
            end += message.count
            if end > offset { break }
            whole += 1
        }
        return whole
    }

    /// Nil while the connection looks alive; else why it is not (closed, reset, or an error
    /// message from the broker).
    private func brokerClosed(_ socket: Int32) -> String? {
        var reader = HPFeedsWire.FrameReader()
        while true {
            var poller = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, 0) > 0 else { return nil }
            var buffer = [UInt8](repeating: 0, count: 4096)
            let count = recv(socket, &buffer, buffer.count, Int32(MSG_DONTWAIT))
            if count == 0 { return "the broker closed the connection" }
            if count < 0 {
                if errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR { return nil }
                return "connection lost (\(String(cString: strerror(errno))))"
            }
            reader.append(buffer[0..<count])
            do {
                while let frame = try reader.next() {
                    if frame.opcode == HPFeedsWire.Opcode.error.rawValue {
                        return "the broker refused: \(String(decoding: frame.payload, as: UTF8.self))"
                    }
                }
            } catch {
                return "bad message from the broker: \(error)"
            }
        }
    }

    /// Connects, reads the broker's `info`, authenticates and waits `authWait` for a refusal.
    private func openConnection() -> Result<Int32, ConnectFailure> {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Glibc)
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
        hints.ai_socktype = SOCK_STREAM
        #endif
        var found: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(configuration.host, String(configuration.port), &hints, &found)
        guard status == 0, let first = found else {
            return .failure("cannot resolve \(configuration.host): \(String(cString: gai_strerror(status)))")
        }
        defer { freeaddrinfo(first) }
        var reason: ConnectFailure = "no address"
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let address = entry {
            entry = address.pointee.ai_next
            let fd = socket(address.pointee.ai_family, address.pointee.ai_socktype, address.pointee.ai_protocol)
            guard fd >= 0 else { continue }
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            switch handshake(fd, address: address.pointee.ai_addr, length: address.pointee.ai_addrlen) {
            case .success: return .success(fd)
            case .failure(let why):
                reason = why
                closeDescriptor(fd)
            }
        }
        return .failure(reason)
    }

    private func handshake(_ fd: Int32, address: UnsafeMutablePointer<sockaddr>, length: socklen_t) -> Result<Void, ConnectFailure> {
        func failure(_ what: String) -> Result<Void, ConnectFailure> { .failure("\(what) (\(String(cString: strerror(errno))))") }
        var timeout = timeval(tv_sec: Int(configuration.ioTimeout / 1_000_000_000), tv_usec: Int(configuration.ioTimeout % 1_000_000_000 / 1000))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        // A blocking connect bounded by SO_SNDTIMEO (Linux applies it to connect).
        guard connect(fd, address, length) == 0 else { return failure("cannot connect") }
        var reader = HPFeedsWire.FrameReader()
        var buffer = [UInt8](repeating: 0, count: 1024)
        var info: HPFeedsWire.Frame?
        do {
            while info == nil {
                let count = recv(fd, &buffer, buffer.count, 0)
                if count < 0 && errno == EINTR { continue }
                guard count > 0 else { return count == 0 ? .failure("the broker closed before its greeting") : failure("no greeting") }
                reader.append(buffer[0..<count])
                info = try reader.next()
            }
            guard let info, info.opcode == HPFeedsWire.Opcode.info.rawValue else {
                if let info, info.opcode == HPFeedsWire.Opcode.error.rawValue {
                    return .failure("the broker refused: \(String(decoding: info.payload, as: UTF8.self))")
                }
                throw HPFeedsWire.WireError.unexpected(opcode: info?.opcode ?? 0)
            }
            let greeting = try HPFeedsWire.parseInfo(info.payload)
            let auth = HPFeedsWire.auth(ident: configuration.ident, nonce: greeting.nonce, secret: configuration.secret)
            guard auth.withUnsafeBytes({ send(fd, $0.baseAddress!, $0.count, Int32(MSG_NOSIGNAL)) }) == auth.count else {
                return failure("cannot send auth")
            }
        } catch {
            return .failure(ConnectFailure(stringLiteral: "\(error)"))
        }
        // No news is acceptance: a refusal arrives at once as an error message.
        var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        if poll(&poller, 1, Int32(configuration.authWait / 1_000_000)) > 0, let reason = brokerClosed(fd) {
            return .failure(ConnectFailure(stringLiteral: reason))
        }
        return .success(())
    }
}

/// Why connecting to the broker failed, as the `reason` of `hpfeeds.disconnected`.
struct ConnectFailure: Error, ExpressibleByStringInterpolation {
    var reason: String
    init(stringLiteral value: String) { reason = value }
}
