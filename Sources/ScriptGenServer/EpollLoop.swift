#if os(Linux)
import CEpoll
import Glibc
import NIOCore

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
                destination = status == 0 ? endpointText(local) : (SessionEndpoints.unknownAddress, destination.port)
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
#endif
