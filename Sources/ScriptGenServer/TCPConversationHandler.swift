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
        // Only the number counts: the run id before it differs from run to run.
        let basis: UInt64 = seedKey ^ 0xcbf2_9ce4_8422_2325
        var hash = basis
        for byte in session.utf8 {
            hash = byte == UInt8(ascii: "-") ? basis : (hash ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        return hash
    }
}

/// Text form of a socket address for the log, without the port.
func hostText(_ address: SocketAddress?) -> String {
    guard let address else { return SessionEndpoints.unknownAddress }
    if case .v4(let v4) = address { return dottedQuad(UInt32(bigEndian: v4.address.sin_addr.s_addr)) }
    return address.ipAddress ?? SessionEndpoints.unknownAddress
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

/// The SwiftNIO connection of one TCP conversation (`TCPConversation` does the rest). All
/// state is confined to the channel's event loop. The idle time and the duration are watched
/// by the event loop's `ConversationWheel`; a timer of its own is armed only while the
/// emulator waits for quiet time (input pending), so most connections never schedule a task.
final class TCPConversationHandler: ChannelInboundHandler, ConversationWheel.Member, ConversationConnection {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let service: ServiceContext
    private var conversation: TCPConversation?
    private var timer: Scheduled<Void>?
    private var wheel: ConversationWheel?
    private var context: ChannelHandlerContext?
    /// Closed by the conversation, waiting for its queued answers to be written (the
    /// conversation's lifecycle decides when the drain ends).
    private var isDraining = false
    /// The channel's buffered bytes at the last sweep while draining: when they shrink the
    /// client took some, as the epoll engine sees each write.
    private var drainBuffered = Int.max
    var wheelIndex = -1

    init(service: ServiceContext) {
        self.service = service
    }

    func channelActive(context: ChannelHandlerContext) {
        let channel = context.channel
        // Each address read takes the channel's lock and each text form an inet_ntop: once.
        let remote = channel.remoteAddress
        let local = channel.localAddress
        self.context = context
        let opened = TCPConversation.open(
            service: service, source: hostText(remote), sourcePort: remote?.port ?? 0,
            destination: hostText(local), destinationPort: local?.port ?? 0,
            now: Self.now(), shutdownHandle: channel, connection: self
        )
        guard let opened else {
            self.context = nil
            context.close(promise: nil)
            return
        }
        guard context.channel.isActive else {
            // Closed already (the model closed after a banner written at once, or the write
            // failed): channelInactive came before the conversation was known.
            opened.finished(now: Self.now())
            return
        }
        conversation = opened
        // Open, or draining an answer the model closed after: the sweep bounds either.
        let wheel = service.wheels.wheel(for: context.eventLoop)
        self.wheel = wheel
        wheel.add(self)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        conversation?.received(unwrapInboundIn(data).readableBytesView, now: Self.now(), on: self)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, event == .inputClosed {
            if let conversation { conversation.inputEnded(on: self) } else { context.close(promise: nil) }
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if !context.channel.isWritable { conversation?.outputBufferFull(on: self) }
        context.fireChannelWritabilityChanged()
    }

    func channelInactive(context: ChannelHandlerContext) {
        cancelQuietTimer()
        leaveWheel()
        if let conversation {
            self.conversation = nil
            conversation.finished(now: Self.now())
        }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A reset or a failed write ends this conversation only.
        if let conversation {
            // A reset, or a write after the client's reset (EPIPE), is the client's close, as on
            // the epoll engine.
            let code = (error as? IOError)?.errnoCode
            conversation.failed(reset: code == ECONNRESET || code == EPIPE, on: self)
        } else {
            context.close(promise: nil)
        }
    }

    /// Called by the wheel.
    func sweep(now: Int64) {
        if isDraining, let buffered = try? context?.channel.syncOptions?.getOption(ChannelOptions.bufferedWritableBytes),
           buffered < drainBuffered {
            drainBuffered = buffered
            conversation?.drainProgressed(now: now)
        }
        if let conversation {
            conversation.sweep(now: now, on: self)
        } else if isDraining {
            leaveWheel()
            context?.close(promise: nil)
        }
    }

    // MARK: - ConversationConnection

    func queue(_ bytes: [UInt8]) {
        guard let context else { return }
        context.write(wrapOutboundOut(context.channel.allocator.buffer(bytes: bytes)), promise: nil)
    }

    func flushQueued() {
        context?.flush()
    }

    func closeConnection(afterSending: Bool) {
        guard let context else { return }
        guard afterSending else {
            leaveWheel()
            context.close(promise: nil)
            return
        }
        guard !isDraining else { return }
        // Writes complete in order: once this empty one is written, so is every answer before
        // it. Until then the wheel's sweep bounds a client that takes nothing.
        isDraining = true
        context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(capacity: 0))).assumeIsolated().whenComplete { [self] _ in
            leaveWheel()
            context.close(promise: nil)
        }
    }

    func armQuietTimer(at deadline: Int64) {
        guard let context else { return }
        timer?.cancel()
        timer = context.eventLoop.assumeIsolated().scheduleTask(deadline: .uptimeNanoseconds(UInt64(max(0, deadline)))) { [self] in
            timer = nil
            conversation?.quietTimeReached(now: Self.now(), on: self)
        }
    }

    func cancelQuietTimer() {
        timer?.cancel()
        timer = nil
    }

    private func leaveWheel() {
        wheel?.remove(self)
        wheel = nil
    }

    /// The server's one monotonic clock (NIO's deadlines count the same nanoseconds: tested).
    private static func now() -> Int64 { MonotonicClock.now() }
}
