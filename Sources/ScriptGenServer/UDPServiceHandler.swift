import NIOCore
import ScriptGenEmulation
import ScriptGenModel

/// One UDP port: every remote address is a flow with its own emulator, as honeyd runs one
/// script per UDP flow. Each datagram is one complete request; each answer one datagram. A
/// flow ends after the idle time without datagrams (UDP has no close), at its duration or
/// request limit, or at shutdown.
final class UDPServiceHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    typealias OutboundOut = AddressedEnvelope<ByteBuffer>

    private struct Flow {
        var emulator: Emulator<SplitMix64>
        var record: SessionRecord
        var source: String
        var openedAt: Int64
        var lastInput: Int64
    }

    /// How often idle flows are looked for.
    static let sweepInterval = TimeAmount.milliseconds(500)

    private let service: ServiceContext
    private var flows: [SocketAddress: Flow] = [:]
    private var sweeper: Scheduled<Void>?

    init(service: ServiceContext) {
        self.service = service
    }

    func channelActive(context: ChannelHandlerContext) {
        scheduleSweep(context: context)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        let remote = envelope.remoteAddress
        let now = MonotonicClock.now()
        if flows[remote] == nil {
            let source = hostText(remote)
            switch service.registry.admit(source: source, handle: nil) {
            case .refused(let limit, let value):
                service.log.record(Event(.connectionRefused, time: .now(), [
                    ("transport", .string("udp")), ("src", .string(source)), ("sport", .int(remote.port ?? 0)),
                    ("dport", .int(context.channel.localAddress?.port ?? 0)), ("limit", .string(limit.rawValue)), ("value", .int(value)),
                ]))
                return
            case .admitted(let session, let number):
                let endpoints = SessionEndpoints(
                    transport: .udp, sourceAddress: source, sourcePort: remote.port ?? 0,
                    destinationAddress: hostText(context.channel.localAddress), destinationPort: context.channel.localAddress?.port ?? 0,
                    modelPort: service.port.modelPort
                )
                let record = SessionRecord(session: session, endpoints: endpoints, openedAt: now, repeatEndpoints: service.log.repeatsEndpoints)
                service.log.record(record.opened(time: .now()))
                var emulator = Emulator(machine: service.port.machine, options: service.emulation, seed: service.generatorSeed(session: session),
                                    conversationNumber: Int64(number - 1))
                if service.port.machine.namesClient { emulator.clientAddress = Array(source.utf8) }
                flows[remote] = Flow(emulator: emulator, record: record, source: source, openedAt: now, lastInput: now)
            }
        }
        var flow = flows[remote]!
        flow.lastInput = now
        flow.record.received(byteCount: envelope.data.readableBytes)
        let actions = flow.emulator.receiveDatagram(envelope.data.readableBytesView)
        var closeReason: CloseReason?
        var wrote = false
        for action in actions {
            let time = WallTime.now()
            if let event = flow.record.event(for: action, time: time) { service.log.record(event) }
            switch action {
            case .send(let bytes):
                let reply = AddressedEnvelope(remoteAddress: remote, data: context.channel.allocator.buffer(bytes: bytes))
                context.write(wrapOutboundOut(reply), promise: nil)
                wrote = true
            case .close:
                closeReason = .modelClosed
            default:
                break
            }
        }
        if wrote { context.flush() }
        if closeReason == nil, flow.record.requests >= service.limits.maxRequests {
            service.log.record(flow.record.limit(.maxRequests, value: service.limits.maxRequests, time: .now()))
            closeReason = .limit
        }
        flows[remote] = flow
        if let closeReason { end(remote, reason: closeReason) }
    }

    func channelInactive(context: ChannelHandlerContext) {
        sweeper?.cancel()
        sweeper = nil
        for remote in Array(flows.keys) {
            end(remote, reason: service.registry.isShuttingDown ? .shutdown : .clientClosed)
        }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // An ICMP port unreachable from one client surfaces here; the port keeps serving.
    }

    private func scheduleSweep(context: ChannelHandlerContext) {
        sweeper = context.eventLoop.assumeIsolated().scheduleTask(in: Self.sweepInterval) { [self] in
            sweep(context: context)
            scheduleSweep(context: context)
        }
    }

    private func sweep(context: ChannelHandlerContext) {
        let now = MonotonicClock.now()
        for (remote, flow) in flows {
            if now - flow.openedAt >= service.limits.maxDuration {
                var flow = flow
                service.log.record(flow.record.limit(.maxDuration, value: Int(service.limits.maxDuration / 1_000_000), time: .now()))
                flows[remote] = flow
                end(remote, reason: .limit)
            } else if now - flow.lastInput >= service.limits.idleTimeout {
                end(remote, reason: .idle)
            }
        }
    }

    private func end(_ remote: SocketAddress, reason: CloseReason) {
        guard let flow = flows.removeValue(forKey: remote) else { return }
        service.log.record(flow.record.closed(reason: reason, time: .now(), now: MonotonicClock.now()))
        service.registry.release(source: flow.source, handle: nil)
    }
}
