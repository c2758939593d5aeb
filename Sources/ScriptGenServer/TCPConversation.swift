import ScriptGenEmulation
import ScriptGenModel

/// What a TCP conversation asks of the connection that carries it (a SwiftNIO channel or an
/// epoll socket). Calls come from the connection's own thread.
protocol ConversationConnection: AnyObject {
    /// Queues bytes for the client; `flushQueued` sends them.
    func queue(_ bytes: [UInt8])
    func flushQueued()
    /// Closes the connection as `ConversationLifecycle` decided; the connection then calls
    /// `TCPConversation.finished` once. `afterSending`: stop reading and deliver the answers
    /// still queued first, reporting progress through `drainProgressed` (the sweep bounds the
    /// drain); otherwise close now, dropping them — also when a drain had begun.
    func closeConnection(afterSending: Bool)
    /// Calls `TCPConversation.quietTimeReached` at or after `deadline` (monotonic
    /// nanoseconds), replacing the deadline armed before.
    func armQuietTimer(at deadline: Int64)
    func cancelQuietTimer()
}

/// One TCP conversation, whatever carries it: admission, the emulator, the limits the server
/// enforces and the events it logs. The connection feeds it bytes, the end of input, timer
/// ticks and its own end; it answers through `ConversationConnection`.
final class TCPConversation {
    let service: ServiceContext
    let source: String
    private var emulator: Emulator<SplitMix64>
    private var record: SessionRecord
    private var lifecycle = ConversationLifecycle()
    private let openedAt: Int64
    private var lastInput: Int64
    /// The quiet-time deadline armed on the connection, `.max` when none.
    private var armedDeadline: Int64 = .max
    private let shutdownHandle: ConnectionRegistry.ShutdownHandle?

    private init(service: ServiceContext, source: String, shutdownHandle: ConnectionRegistry.ShutdownHandle?,
                 emulator: Emulator<SplitMix64>, record: SessionRecord, now: Int64) {
        self.service = service
        self.source = source
        self.shutdownHandle = shutdownHandle
        self.emulator = emulator
        self.record = record
        self.openedAt = now
        self.lastInput = now
    }

    /// Admits a new connection, logs it and sends the banner; nil (refusal logged) when a
    /// connection limit refuses it, and the caller closes it. `shutdownHandle`: what the
    /// registry closes at shutdown, for connections that are not closed by their own loop.
    static func open(
        service: ServiceContext, source: String, sourcePort: Int, destination: String, destinationPort: Int,
        now: Int64, shutdownHandle: ConnectionRegistry.ShutdownHandle?, connection: some ConversationConnection
    ) -> TCPConversation? {
        switch service.registry.admit(source: source, handle: shutdownHandle) {
        case .refused(let limit, let value):
            service.log.record(Event(.connectionRefused, time: .now(), [
                ("transport", .string("tcp")), ("src", .string(source)),
                ("sport", .int(sourcePort)), ("dport", .int(destinationPort)),
                ("limit", .string(limit.rawValue)), ("value", .int(value)),
            ]))
            return nil
        case .admitted(let session, let number):
            let endpoints = SessionEndpoints(
                transport: .tcp, sourceAddress: source, sourcePort: sourcePort,
                destinationAddress: destination, destinationPort: destinationPort,
                modelPort: service.port.modelPort
            )
            let record = SessionRecord(session: session, endpoints: endpoints, openedAt: now, repeatEndpoints: service.log.repeatsEndpoints)
            service.log.record(record.opened(time: .now()))
            var emulator = Emulator(machine: service.port.machine, options: service.emulation, seed: service.generatorSeed(session: session),
                                    conversationNumber: Int64(number - 1))
            if service.port.machine.namesClient { emulator.clientAddress = Array(source.utf8) }
            let conversation = TCPConversation(service: service, source: source, shutdownHandle: shutdownHandle, emulator: emulator, record: record, now: now)
            conversation.perform(conversation.emulator.connect(), on: connection)
            conversation.armTimer(on: connection)
            return conversation
        }
    }

    /// Bytes from the client.
    func received(_ bytes: some Collection<UInt8>, now: Int64, on connection: some ConversationConnection) {
        guard lifecycle.isOpen else { return }
        lastInput = now
        record.received(byteCount: bytes.count)
        // The budget bounds the answers to one read of many short requests.
        let actions = emulator.receive(bytes, now: now, maxRequests: remainingRequests)
        perform(actions, on: connection)
        checkRequestLimit(on: connection)
        armTimer(on: connection)
    }

    /// The client shut down its side: what is pending is a complete request; answer it, then
    /// close as honeyd does when the script exits at EOF.
    func inputEnded(on connection: some ConversationConnection) {
        if lifecycle.isOpen { perform(emulator.flush(maxRequests: remainingRequests), on: connection) }
        close(reason: .clientClosed, on: connection)
    }

    /// The client does not read: its answers would pile up in memory.
    func outputBufferFull(on connection: some ConversationConnection) {
        guard lifecycle.isOpen else { return }
        end(limit: .maxBufferedBytes, value: service.limits.maxBufferedBytes, on: connection)
    }

    /// A read or write failed: ends the conversation (a reset is the client's close), or stops
    /// its drain.
    func failed(reset: Bool, on connection: some ConversationConnection) {
        close(reason: lifecycle.isOpen && reset ? .clientClosed : .writeFailed, on: connection)
    }

    /// The client took some of the answers queued while draining.
    func drainProgressed(now: Int64) {
        lifecycle.drainProgressed(now: now)
    }

    /// The connection's periodic check: ends the conversation when its duration or idle time
    /// has passed, and a drain the client does not take.
    func sweep(now: Int64, on connection: some ConversationConnection) {
        guard lifecycle.isOpen else {
            carryOut(lifecycle.sweepDrain(now: now, openedAt: openedAt, limits: service.limits), on: connection)
            return
        }
        checkTimeLimits(now: now, on: connection)
    }

    /// The quiet-time deadline armed through `armQuietTimer` has come.
    func quietTimeReached(now: Int64, on connection: some ConversationConnection) {
        armedDeadline = .max
        guard lifecycle.isOpen else { return }
        if checkTimeLimits(now: now, on: connection) { return }
        perform(emulator.quietTimeElapsed(now: now, maxRequests: remainingRequests), on: connection)
        checkRequestLimit(on: connection)
        armTimer(on: connection)
    }

    /// The connection is gone: logs the summary and frees the admission. Call once.
    func finished(now: Int64) {
        let reason = lifecycle.finished(shuttingDown: service.registry.isShuttingDown)
        service.log.record(record.closed(reason: reason, time: .now(), now: now))
        service.registry.release(source: source, handle: shutdownHandle)
    }

    /// Closes for `reason` as the lifecycle decides (shutdown also stops a drain).
    func close(reason: CloseReason, on connection: some ConversationConnection) {
        carryOut(lifecycle.close(reason, now: MonotonicClock.now()), on: connection)
    }

    private func carryOut(_ action: ConversationLifecycle.Action, on connection: some ConversationConnection) {
        guard action != .none else { return }
        if armedDeadline != .max {
            armedDeadline = .max
            connection.cancelQuietTimer()
        }
        connection.closeConnection(afterSending: action == .closeAfterSending)
    }

    // MARK: - Actions, limits and timers

    private func perform(_ actions: [EmulatorAction], on connection: some ConversationConnection) {
        guard !actions.isEmpty else { return }
        var wrote = false
        for action in actions {
            // Closed by a limit (a client that does not read) or the model: stop sending and logging.
            if !lifecycle.isOpen { break }
            let time = WallTime.now()
            switch action {
            case .send(let bytes):
                if let event = record.event(for: action, time: time) { service.log.record(event) }
                connection.queue(bytes)
                wrote = true
            case .close:
                if wrote { connection.flushQueued() }
                wrote = false
                close(reason: .modelClosed, on: connection)
            default:
                if let event = record.event(for: action, time: time) { service.log.record(event) }
            }
        }
        if wrote { connection.flushQueued() }
    }

    /// Requests the conversation may still make under `maxRequests`.
    private var remainingRequests: Int { max(0, service.limits.maxRequests - record.requests) }

    private func checkRequestLimit(on connection: some ConversationConnection) {
        if lifecycle.isOpen, record.requests >= service.limits.maxRequests {
            end(limit: .maxRequests, value: service.limits.maxRequests, on: connection)
        }
    }

    private func end(limit: ServerLimit, value: Int, on connection: some ConversationConnection) {
        service.log.record(record.limit(limit, value: value, time: .now()))
        close(reason: .limit, on: connection)
    }

    /// Ends the conversation when a time limit has passed; true when it did.
    @discardableResult
    private func checkTimeLimits(now: Int64, on connection: some ConversationConnection) -> Bool {
        if now - openedAt >= service.limits.maxDuration {
            end(limit: .maxDuration, value: Int(service.limits.maxDuration / 1_000_000), on: connection)
            return true
        }
        if now - lastInput >= service.limits.idleTimeout {
            end(limit: .idleTimeout, value: Int(service.limits.idleTimeout / 1_000_000), on: connection)
            return true
        }
        return false
    }

    /// Arms the quiet-time timer when the emulator waits for one; the sweep covers the rest.
    private func armTimer(on connection: some ConversationConnection) {
        guard lifecycle.isOpen, let deadline = emulator.nextDeadline else { return }
        // An armed timer firing earlier than needed re-arms itself: no reschedule per read.
        if armedDeadline <= deadline { return }
        armedDeadline = deadline
        connection.armQuietTimer(at: deadline)
    }
}
