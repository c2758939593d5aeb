#if os(Linux)
import CEpoll
import Glibc
import NIOCore

/// TCP serving on Linux with plain non-blocking sockets: per thread one epoll instance and
/// its own SO_REUSEPORT listening socket for each port. A connection costs accept4, one
/// epoll_ctl, its reads and writes and a close; through SwiftNIO's channels it also cost five
/// more epoll_ctl, getpeername, getsockname and a pipeline of allocations, about half the CPU
/// time of a short conversation. The conversation logic is the same `TCPConversation`.
final class EpollEngine: @unchecked Sendable {
    private let loops: [EpollLoop]
    private var threads: [pthread_t] = []
    private var stopped = false
    private let lock = ConditionLock()

    init(threadCount: Int, limits: ServerLimits) throws {
        var loops: [EpollLoop] = []
        do {
            for _ in 0..<max(1, threadCount) { loops.append(try EpollLoop(limits: limits)) }
        } catch {
            loops.forEach { $0.closeDescriptors() }
            throw error
        }
        self.loops = loops
    }

    /// Binds `host:port` once per loop (SO_REUSEPORT with more than one) for `service`;
    /// returns the bound address. Call before `start()`.
    func listen(host: String, port: Int, service: ServiceContext) throws -> SocketAddress {
        let shared = loops.count > 1
        // SO_REUSEPORT would let a second server of the same user silently share a port that
        // is taken; refuse it as a plain bind would.
        if shared { try ListeningPortCheck.ensureFree(host: host, port: port) }
        var boundPort = port
        var bound: SocketAddress?
        for loop in loops {
            let address = try SocketAddress.makeAddressResolvingHost(host, port: boundPort)
            let socket = try ListeningSocket(address: address, reusePort: shared)
            loop.add(listener: socket, service: service)
            // Port 0 (any free port): the others join the port the first one got.
            boundPort = socket.address.port ?? boundPort
            bound = bound ?? socket.address
        }
        return bound!
    }

    /// Starts one thread per loop; throws when the system refuses a thread (the caller shuts
    /// down what started).
    func start() throws {
        try lock.withLock {
            for loop in loops {
                switch startThread({ loop.run() }) {
                case .success(let handle): threads.append(handle)
                case .failure(let error): throw IOError(errnoCode: error.code, reason: "pthread_create")
                }
            }
        }
    }

    /// Closes the listeners and every open conversation (each logs its close), then waits for
    /// the threads. Safe to call more than once, and before `start()`.
    func shutdown() {
        let (running, first) = lock.withLock { () -> ([pthread_t], Bool) in
            defer {
                threads = []
                stopped = true
            }
            return (threads, !stopped)
        }
        // Once only: a stopped loop's wakeup descriptor is closed, and its number may be reused.
        guard first else { return }
        for loop in loops { loop.requestStop() }
        for thread in running { pthread_join(thread, nil) }
        // Loops that never ran (start failed or was not called) still own their sockets.
        for loop in loops { loop.closeDescriptors() }
    }
}

/// A bound, listening, non-blocking TCP socket.
struct ListeningSocket {
    let descriptor: Int32
    /// The address bound (with the port the kernel chose for port 0).
    let address: SocketAddress
    /// Whether the address is a wildcard, so each connection's own destination must be asked.
    let isWildcard: Bool

    init(address: SocketAddress, reusePort: Bool) throws {
        let fd = Glibc.socket(Int32(address.protocol.rawValue), Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw IOError(errnoCode: errno, reason: "socket") }
        var one: Int32 = 1
        let size = socklen_t(MemoryLayout<Int32>.size)
        _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, size)
        if reusePort { _ = setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, size) }
        // Accepted sockets inherit it: answers leave at once, as with SwiftNIO's default.
        _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, size)
        let host = address.ipAddress ?? "?"
        let port = address.port ?? 0
        if address.withSockAddr({ bind(fd, $0, socklen_t($1)) }) != 0 {
            let code = errno
            _ = close(fd)
            throw IOError(errnoCode: code, reason: "bind(\(host):\(port))")
        }
        if Glibc.listen(fd, 4096) != 0 {
            let code = errno
            _ = close(fd)
            throw IOError(errnoCode: code, reason: "listen(\(host):\(port))")
        }
        guard let local = Self.localAddress(of: fd) else {
            let code = errno
            _ = close(fd)
            throw IOError(errnoCode: code, reason: "getsockname")
        }
        self.descriptor = fd
        self.address = local
        switch local {
        case .v4(let v4): isWildcard = v4.address.sin_addr.s_addr == 0
        case .v6(let v6): isWildcard = withUnsafeBytes(of: v6.address.sin6_addr) { $0.allSatisfy { $0 == 0 } }
        default: isWildcard = false
        }
    }

    static func localAddress(of fd: Int32) -> SocketAddress? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let status = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard status == 0 else { return nil }
        return socketAddress(storage)
    }
}

/// The text and port of an accepted peer or local address, for the log.
func endpointText(_ storage: sockaddr_storage) -> (host: String, port: Int) {
    switch Int32(storage.ss_family) {
    case AF_INET:
        return withUnsafeBytes(of: storage) { raw in
            let v4 = raw.load(as: sockaddr_in.self)
            return (dottedQuad(UInt32(bigEndian: v4.sin_addr.s_addr)), Int(UInt16(bigEndian: v4.sin_port)))
        }
    default:
        guard let address = socketAddress(storage) else { return ("unknown", 0) }
        return (hostText(address), address.port ?? 0)
    }
}

/// An IPv4 or IPv6 address from the kernel as SwiftNIO's value; nil for other families.
func socketAddress(_ storage: sockaddr_storage) -> SocketAddress? {
    withUnsafeBytes(of: storage) { raw in
        switch Int32(storage.ss_family) {
        case AF_INET:
            let v4 = raw.load(as: sockaddr_in.self)
            return SocketAddress(v4, host: dottedQuad(UInt32(bigEndian: v4.sin_addr.s_addr)))
        case AF_INET6:
            var v6 = raw.load(as: sockaddr_in6.self)
            var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
            guard inet_ntop(AF_INET6, &v6.sin6_addr, &text, socklen_t(text.count)) != nil else { return nil }
            return SocketAddress(v6, host: text.withUnsafeBufferPointer { String(cString: $0.baseAddress!) })
        default:
            return nil
        }
    }
}

/// One thread's share of the TCP ports: its listeners and the conversations they accepted.
/// Everything here runs on that thread, except `requestStop`.
final class EpollLoop {
    struct Listener {
        var socket: ListeningSocket
        var service: ServiceContext
        /// The destination text of its connections, when the address is not a wildcard.
        var destination: String?
    }

    static let maxEvents: Int32 = 256
    static let readBufferSize = 65_536
    /// Connections taken from a listener per wake-up, so one port cannot starve the others.
    static let maxAcceptsPerWakeup = 64
    /// How long a listener rests after the process ran out of descriptors.
    static let acceptPause: Int64 = 100_000_000

    let limits: ServerLimits
    private let epoll: Int32
    private let wakeup: Int32
    private var listeners: [Listener] = []
    /// Open connections by descriptor.
    private var connections: [EpollConnection?] = []
    private var nextGeneration: UInt32 = 0
    private let wheel: ConversationWheel
    private var timers = DeadlineHeap()
    private let events: UnsafeMutableRawPointer
    let readBuffer: UnsafeMutableRawBufferPointer
    /// Listeners resting after EMFILE, and when they resume.
    private var pausedUntil: Int64?
    private let stopLock = ConditionLock()
    private var stopRequested = false
    private var descriptorsClosed = false

    init(limits: ServerLimits) throws {
        self.limits = limits
        epoll = cepoll_create()
        guard epoll >= 0 else { throw IOError(errnoCode: errno, reason: "epoll_create1") }
        wakeup = cepoll_eventfd()
        guard wakeup >= 0, cepoll_add(epoll, wakeup, cepoll_in) == 0 else {
            let code = errno
            if wakeup >= 0 { _ = close(wakeup) }
            _ = close(epoll)
            throw IOError(errnoCode: code, reason: "eventfd")
        }
        wheel = ConversationWheel(eventLoop: nil, tick: ConversationWheel.tick(for: limits))
        events = cepoll_events_create(Self.maxEvents)
        readBuffer = .allocate(byteCount: Self.readBufferSize, alignment: 16)
    }

    deinit {
        cepoll_events_destroy(events)
        readBuffer.deallocate()
    }

    func add(listener socket: ListeningSocket, service: ServiceContext) {
        let destination = socket.isWildcard ? nil : hostText(socket.address)
        listeners.append(Listener(socket: socket, service: service, destination: destination))
        _ = cepoll_add(epoll, socket.descriptor, cepoll_in)
    }

    func requestStop() {
        stopLock.withLock { stopRequested = true }
        cepoll_wakeup(wakeup)
    }

    /// Closes the listeners, the conversations still open and the loop's own descriptors.
    func closeDescriptors() {
        guard !descriptorsClosed else { return }
        descriptorsClosed = true
        for listener in listeners { _ = close(listener.socket.descriptor) }
        listeners = []
        for case let connection? in connections { connection.closeForShutdown() }
        _ = close(wakeup)
        _ = close(epoll)
    }

    // MARK: - The loop

    func run() {
        var nextSweep = MonotonicClock.now() + wheel.tick
        while true {
            var now = MonotonicClock.now()
            let count = cepoll_wait(epoll, events, Self.maxEvents, waitMilliseconds(now: now, nextSweep: nextSweep))
            if count < 0 && errno != EINTR { break }
            for index in 0..<max(0, Int32(count)) {
                let fd = cepoll_event_fd(events, index)
                let flags = cepoll_event_flags(events, index)
                if fd == wakeup {
                    cepoll_drain(wakeup)
                    if stopLock.withLock({ stopRequested }) {
                        closeDescriptors()
                        return
                    }
                } else if let listener = listeners.firstIndex(where: { $0.socket.descriptor == fd }) {
                    acceptConnections(from: listener)
                } else if Int(fd) < connections.count, let connection = connections[Int(fd)] {
                    // Stale readiness of a descriptor closed and reused in this batch is harmless:
                    // reads and writes are non-blocking, and only a read decides a close.
                    if connection.isDraining {
                        // Writable, or an error or hang-up that the write will report.
                        connection.writePending()
                        continue
                    }
                    if flags & cepoll_out != 0 { connection.writePending() }
                    if flags & (cepoll_in | cepoll_hup | cepoll_err | cepoll_rdhup) != 0, !connection.isClosed {
                        connection.readAvailable()
                    }
                }
            }
            now = MonotonicClock.now()
            fireTimers(now: now)
            if now >= nextSweep {
                wheel.sweep(now: now)
                nextSweep = now + wheel.tick
            }
            if let resume = pausedUntil, now >= resume {
                pausedUntil = nil
                for listener in listeners { _ = cepoll_modify(epoll, listener.socket.descriptor, cepoll_in) }
            }
        }
        closeDescriptors()
    }

    private func waitMilliseconds(now: Int64, nextSweep: Int64) -> Int32 {
        var deadline = Int64.max
        if !wheel.isEmpty { deadline = nextSweep }
        if let first = timers.first { deadline = min(deadline, first.deadline) }
        if let resume = pausedUntil { deadline = min(deadline, resume) }
        guard deadline != .max else { return -1 }
        return Int32(clamping: max(0, (deadline - now + 999_999) / 1_000_000))
    }

    private func fireTimers(now: Int64) {
        while let first = timers.first, first.deadline <= now {
            timers.removeFirst()
            guard Int(first.descriptor) < connections.count, let connection = connections[Int(first.descriptor)],
                  connection.generation == first.generation, connection.quietDeadline == first.deadline else { continue }
            connection.quietDeadline = .max
            connection.conversation?.quietTimeReached(now: now, on: connection)
        }
    }

    func armTimer(_ connection: EpollConnection, at deadline: Int64) {
        timers.insert(.init(deadline: deadline, descriptor: connection.descriptor, generation: connection.generation))
    }

    // MARK: - Connections

    private func acceptConnections(from index: Int) {
        let listener = listeners[index]
        for _ in 0..<Self.maxAcceptsPerWakeup {
            var storage = sockaddr_storage()
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let fd = withUnsafeMutablePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    cepoll_accept(listener.socket.descriptor, $0, &length)
                }
            }
            if fd < 0 {
                switch errno {
                case EINTR, ECONNABORTED: continue
                case EMFILE, ENFILE, ENOBUFS, ENOMEM:
                    // Out of descriptors or memory: rest the listeners instead of spinning on them.
                    pauseListeners()
                    return
                default: return
                }
            }
            let peer = endpointText(storage)
            var destination = (host: listener.destination ?? "", port: listener.socket.address.port ?? 0)
            if listener.destination == nil {
                var local = sockaddr_storage()
                var localLength = socklen_t(MemoryLayout<sockaddr_storage>.size)
                let status = withUnsafeMutablePointer(to: &local) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &localLength) }
                }
                destination = status == 0 ? endpointText(local) : ("unknown", destination.port)
            }
            open(fd, peer: peer, destination: destination, service: listener.service)
        }
    }

    private func open(_ fd: Int32, peer: (host: String, port: Int), destination: (host: String, port: Int), service: ServiceContext) {
        nextGeneration &+= 1
        let connection = EpollConnection(descriptor: fd, generation: nextGeneration, loop: self)
        let slot = Int(fd)
        if slot >= connections.count {
            connections.append(contentsOf: repeatElement(nil, count: slot - connections.count + 1024))
        }
        connections[slot] = connection
        let conversation = TCPConversation.open(
            service: service, source: peer.host, sourcePort: peer.port,
            destination: destination.host, destinationPort: destination.port,
            now: MonotonicClock.now(), shutdownHandle: nil, connection: connection
        )
        guard let conversation else {
            connections[slot] = nil
            _ = close(fd)
            return
        }
        connection.conversation = conversation
        guard !connection.isClosed else {
            // The model closed at once (after its banner): the conversation has ended.
            connection.conversation = nil
            conversation.finished(now: MonotonicClock.now())
            return
        }
        // A client that speaks first (no banner) has often sent its request by the time it is
        // accepted: read it now, and a conversation that ends in one exchange never enters the
        // epoll set. Nothing there costs one read that finds nothing.
        if !connection.hasSent {
            connection.readAvailable()
            if connection.isClosed { return }
        }
        // Draining (closed by the model after an answer the kernel did not take at once) or
        // open: either way the socket waits in the epoll set, and in the wheel for its idle time.
        connection.register()
        wheel.add(connection)
    }

    func watch(_ connection: EpollConnection, output: Bool, input: Bool, firstTime: Bool) {
        let flags = (input ? cepoll_in | cepoll_rdhup : 0) | (output ? cepoll_out : 0)
        _ = firstTime ? cepoll_add(epoll, connection.descriptor, flags) : cepoll_modify(epoll, connection.descriptor, flags)
    }

    /// Forgets a closed connection (its descriptor is closed already, which left the epoll set).
    func remove(_ connection: EpollConnection) {
        let slot = Int(connection.descriptor)
        if slot < connections.count, connections[slot] === connection { connections[slot] = nil }
        wheel.remove(connection)
    }

    private func pauseListeners() {
        guard pausedUntil == nil else { return }
        pausedUntil = MonotonicClock.now() + Self.acceptPause
        for listener in listeners { _ = cepoll_modify(epoll, listener.socket.descriptor, 0) }
    }
}

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
    /// Closed by the conversation, writing what is queued before the socket is closed.
    private(set) var isDraining = false
    /// When queued answers last moved (while draining).
    private var lastProgress: Int64 = 0
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
        if taken > 0 { lastProgress = MonotonicClock.now() }
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
        if let conversation, !isDraining {
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
        guard !isClosed, !isDraining else { return }
        guard afterSending, pendingCount > 0 else {
            closeNow()
            return
        }
        // Input is no longer read; the socket stays until the queue is written, it fails, or
        // the client takes nothing for the idle time (the wheel's sweep).
        isDraining = true
        lastProgress = MonotonicClock.now()
        if registered { loop.watch(self, output: true, input: false, firstTime: false) }
    }

    /// The server stops: the conversation closes (and logs `shutdown`), a draining one at once.
    func closeForShutdown() {
        if let conversation, !isDraining {
            conversation.close(reason: .shutdown, on: self)
        } else {
            closeNow()
        }
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
        if isDraining {
            if conversation?.drainHasExpired(lastProgress: lastProgress, now: now) ?? true { closeNow() }
            return
        }
        conversation?.sweep(now: now, on: self)
    }
}
#endif
