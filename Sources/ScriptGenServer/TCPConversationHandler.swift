#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NIOCore
import ScriptGenEmulation
import ScriptGenModel

/// Everything a conversation handler needs from its server, shared by all handlers (a class:
/// each handler, one per connection, holds one reference instead of a copy of every field).
final class ServiceContext: Sendable {
    let port: ServedPort
    let limits: ServerLimits
    let emulation: EmulationOptions
    let registry: ConnectionRegistry
    let log: any EventSink
    let seed: UInt64?
    /// Idle and duration limits of TCP conversations, one coarse timer per event loop.
    let wheels: ConversationWheels

    /// The server's seed, or a random key drawn once per server (not a system call per
    /// conversation).
    let seedKey: UInt64

    init(port: ServedPort, limits: ServerLimits, emulation: EmulationOptions, registry: ConnectionRegistry,
         log: any EventSink, seed: UInt64?, wheels: ConversationWheels) {
        self.port = port
        self.limits = limits
        self.emulation = emulation
        self.registry = registry
        self.log = log
        self.seed = seed
        self.wheels = wheels
        self.seedKey = seed ?? UInt64.random(in: .min ... .max)
    }

    func generatorSeed(session: String) -> UInt64 {
        // Same server seed and session number: the same choices. Without a seed, the key is
        // random and every session number differs, so every conversation draws its own seed.
        var hash: UInt64 = seedKey ^ 0xcbf2_9ce4_8422_2325
        for byte in session.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return hash
    }
}

/// Text form of a socket address for the log, without the port.
func hostText(_ address: SocketAddress?) -> String {
    guard let address else { return "unknown" }
    if case .v4(let v4) = address { return dottedQuad(UInt32(bigEndian: v4.address.sin_addr.s_addr)) }
    return address.ipAddress ?? "unknown"
}

/// `a.b.c.d` as inet_ntop writes it, without its sprintf and buffers (twice per connection).
func dottedQuad(_ address: UInt32) -> String {
    String(unsafeUninitializedCapacity: 15) { buffer in
        var count = 0
        for shift in stride(from: 24, through: 0, by: -8) {
            let octet = Int((address >> UInt32(shift)) & 0xff)
            if octet >= 100 {
                buffer[count] = UInt8(ascii: "0") + UInt8(octet / 100)
                count += 1
            }
            if octet >= 10 {
                buffer[count] = UInt8(ascii: "0") + UInt8(octet / 10 % 10)
                count += 1
            }
            buffer[count] = UInt8(ascii: "0") + UInt8(octet % 10)
            count += 1
            if shift > 0 {
                buffer[count] = UInt8(ascii: ".")
                count += 1
            }
        }
        return count
    }
}

/// One TCP conversation: bytes in, emulator actions out. All state is confined to the
/// channel's event loop. The idle time and the duration are watched by the event loop's
/// `ConversationWheel`; a timer of its own is armed only while the emulator waits for quiet
/// time (input pending), so most connections never schedule a task.
final class TCPConversationHandler: ChannelInboundHandler, ConversationWheel.Member {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let service: ServiceContext
    private var emulator: Emulator<SplitMix64>?
    private var record: SessionRecord?
    private var source = ""
    private var admitted = false
    private var closing = false
    private var closeReason: CloseReason?
    private var openedAt: Int64 = 0
    private var lastInput: Int64 = 0
    private var timer: Scheduled<Void>?
    private var timerDeadline: Int64 = .max
    private var wheel: ConversationWheel?
    private var context: ChannelHandlerContext?
    var wheelIndex = -1

    init(service: ServiceContext) {
        self.service = service
    }

    func channelActive(context: ChannelHandlerContext) {
        let channel = context.channel
        // Each address read takes the channel's lock and each text form an inet_ntop: once.
        let remote = channel.remoteAddress
        let local = channel.localAddress
        source = hostText(remote)
        switch service.registry.admit(source: source, channel: channel) {
        case .refused(let limit, let value):
            service.log.record(Event(.connectionRefused, time: .now(), [
                ("transport", .string("tcp")), ("src", .string(source)),
                ("sport", .int(remote?.port ?? 0)), ("dport", .int(local?.port ?? 0)),
                ("limit", .string(limit.rawValue)), ("value", .int(value)),
            ]))
            closing = true
            context.close(promise: nil)
            return
        case .admitted(let session):
            admitted = true
            let now = NIODeadline.now().uptimeNanoseconds.int64
            openedAt = now
            lastInput = now
            let endpoints = SessionEndpoints(
                transport: .tcp, sourceAddress: source, sourcePort: remote?.port ?? 0,
                destinationAddress: hostText(local), destinationPort: local?.port ?? 0,
                modelPort: service.port.modelPort
            )
            let record = SessionRecord(session: session, endpoints: endpoints, openedAt: now)
            service.log.record(record.opened(time: .now()))
            var emulator = Emulator(machine: service.port.machine, options: service.emulation, seed: service.generatorSeed(session: session))
            let actions = emulator.connect()
            self.record = record
            self.emulator = emulator
            let wheel = service.wheels.wheel(for: context.eventLoop)
            self.wheel = wheel
            self.context = context
            wheel.add(self)
            perform(actions, context: context)
            if !closing { armTimer(context: context) }
        }
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !closing, emulator != nil else { return }
        let buffer = unwrapInboundIn(data)
        let now = NIODeadline.now().uptimeNanoseconds.int64
        lastInput = now
        record!.received(byteCount: buffer.readableBytes)
        // The budget bounds the answers to one read of many short requests.
        let actions = emulator!.receive(buffer.readableBytesView, now: now, maxRequests: remainingRequests)
        perform(actions, context: context)
        checkRequestLimit(context: context)
        if !closing { armTimer(context: context) }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, event == .inputClosed {
            // The client shut down its side: what is pending is a complete request; answer it,
            // then close as honeyd does when the script exits at EOF.
            if !closing, emulator != nil {
                perform(emulator!.flush(maxRequests: remainingRequests), context: context)
            }
            close(reason: closeReason ?? .clientClosed, context: context)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if !context.channel.isWritable && !closing && record != nil {
            // The client does not read: its answers would pile up in memory.
            end(limit: .maxBufferedBytes, value: service.limits.maxBufferedBytes, context: context)
        }
        context.fireChannelWritabilityChanged()
    }

    func channelInactive(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        leaveWheel()
        if admitted {
            admitted = false
            if let record {
                let reason = service.registry.isShuttingDown && closeReason == nil ? .shutdown : (closeReason ?? .clientClosed)
                service.log.record(record.closed(reason: reason, time: .now(), now: NIODeadline.now().uptimeNanoseconds.int64))
            }
            service.registry.release(source: source, channel: context.channel)
        }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A reset or a failed write ends this conversation only.
        if closeReason == nil { closeReason = (error as? IOError)?.errnoCode == ECONNRESET ? .clientClosed : .writeFailed }
        context.close(promise: nil)
    }

    // MARK: - Actions and timers

    private func perform(_ actions: [EmulatorAction], context: ChannelHandlerContext) {
        guard !actions.isEmpty else { return }
        var wrote = false
        for action in actions {
            // Closed by a limit (a client that does not read) or the model: stop sending and logging.
            if closing { break }
            let time = WallTime.now()
            switch action {
            case .send(let bytes):
                if let event = record!.event(for: action, time: time) { service.log.record(event) }
                context.write(wrapOutboundOut(context.channel.allocator.buffer(bytes: bytes)), promise: nil)
                wrote = true
            case .close:
                if wrote { context.flush() }
                wrote = false
                close(reason: .modelClosed, context: context)
            default:
                if let event = record!.event(for: action, time: time) { service.log.record(event) }
            }
        }
        if wrote { context.flush() }
    }

    /// Requests the conversation may still make under `maxRequests`.
    private var remainingRequests: Int { max(0, service.limits.maxRequests - (record?.requests ?? 0)) }

    private func checkRequestLimit(context: ChannelHandlerContext) {
        if !closing, let record, record.requests >= service.limits.maxRequests {
            end(limit: .maxRequests, value: service.limits.maxRequests, context: context)
        }
    }

    private func end(limit: ServerLimit, value: Int, context: ChannelHandlerContext) {
        service.log.record(record!.limit(limit, value: value, time: .now()))
        close(reason: .limit, context: context)
    }

    private func close(reason: CloseReason, context: ChannelHandlerContext) {
        guard !closing else { return }
        closing = true
        closeReason = reason
        timer?.cancel()
        timer = nil
        leaveWheel()
        context.close(promise: nil)
    }

    private func leaveWheel() {
        wheel?.remove(self)
        wheel = nil
        self.context = nil
    }

    /// Called by the wheel: ends the conversation when its duration or idle time has passed.
    func sweep(now: Int64) {
        guard let context, !closing, emulator != nil else { return }
        checkLimits(now: now, context: context)
    }

    /// Ends the conversation when a time limit has passed; true when it did.
    @discardableResult
    private func checkLimits(now: Int64, context: ChannelHandlerContext) -> Bool {
        if now - openedAt >= service.limits.maxDuration {
            end(limit: .maxDuration, value: Int(service.limits.maxDuration / 1_000_000), context: context)
            return true
        }
        if now - lastInput >= service.limits.idleTimeout {
            end(limit: .idleTimeout, value: Int(service.limits.idleTimeout / 1_000_000), context: context)
            return true
        }
        return false
    }

    /// Arms the quiet-time timer when the emulator waits for one; the wheel covers the rest.
    private func armTimer(context: ChannelHandlerContext) {
        guard let deadline = emulator?.nextDeadline else { return }
        // An armed timer firing earlier than needed re-arms itself: no reschedule per read.
        if timer != nil && timerDeadline <= deadline { return }
        timer?.cancel()
        timerDeadline = deadline
        timer = context.eventLoop.assumeIsolated().scheduleTask(deadline: .uptimeNanoseconds(UInt64(max(0, deadline)))) { [self] in
            timer = nil
            timerDeadline = .max
            timerFired(context: context)
        }
    }

    private func timerFired(context: ChannelHandlerContext) {
        guard !closing, emulator != nil else { return }
        let now = NIODeadline.now().uptimeNanoseconds.int64
        if checkLimits(now: now, context: context) { return }
        perform(emulator!.quietTimeElapsed(now: now, maxRequests: remainingRequests), context: context)
        checkRequestLimit(context: context)
        if !closing { armTimer(context: context) }
    }
}

extension UInt64 {
    var int64: Int64 { Int64(clamping: self) }
}
