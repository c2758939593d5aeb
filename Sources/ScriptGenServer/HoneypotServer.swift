#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NIOCore
import NIOPosix
import ScriptGenEmulation
import ScriptGenModel

/// The honeypot: every served port at once, TCP and UDP, one emulator per conversation,
/// limits from `ServerLimits`, events to an `EventSink`. TCP goes through the engine the
/// configuration names (epoll on Linux, else SwiftNIO), UDP through SwiftNIO.
///
/// `start()` binds every port (then the caller may drop privileges), `shutdown()` stops
/// accepting, closes open conversations (each logs `session.closed` with reason `shutdown`)
/// and stops the event loops.
public final class HoneypotServer: @unchecked Sendable {
    /// A bound listening socket.
    public struct BoundPort: Hashable, Sendable {
        public var transport: StateMachine.Transport
        public var address: String
        public var port: Int
        public var modelPort: Int
    }

    public let configuration: ServerConfiguration
    private let log: any EventSink
    private let group: MultiThreadedEventLoopGroup
    private let registry: ConnectionRegistry
    private var listeners: [any Channel] = []
    #if os(Linux)
    private var epoll: EpollEngine?
    #endif
    private let lock = ConditionLock()
    private var stopped = false

    public init(configuration: ServerConfiguration, log: any EventSink) {
        self.configuration = configuration
        self.log = log
        // With the epoll engine SwiftNIO carries only UDP, one channel per port on one loop.
        self.group = MultiThreadedEventLoopGroup(numberOfThreads: configuration.engine == .nio ? configuration.threads : 1)
        self.registry = ConnectionRegistry(limits: configuration.limits, sessionPrefix: configuration.runID + "-")
    }

    /// Binds every served port; on failure closes what was bound and throws.
    public func start() throws -> [BoundPort] {
        log.record(Event(.serverStarted, time: .now(), [
            ("run", .string(configuration.runID)),
            ("ports", .int(configuration.ports.count)), ("listen", .string(configuration.listenAddress)),
            ("maxConnections", .int(configuration.limits.maxConnections)),
            ("maxConnectionsPerSource", .int(configuration.limits.maxConnectionsPerSource)),
        ]))
        var bound: [BoundPort] = []
        do {
            for port in configuration.ports {
                let service = ServiceContext(
                    port: port, limits: configuration.limits, emulation: configuration.emulation,
                    registry: registry, log: log, seed: configuration.seed,
                    wheels: ConversationWheels(limits: configuration.limits)
                )
                let local: SocketAddress?
                switch port.transport {
                case .tcp:
                    local = try bindTCP(port.listenPort, service: service)
                case .udp:
                    let channel = try bindUDP(port.listenPort, service: service)
                    lock.withLock { listeners.append(channel) }
                    local = channel.localAddress
                }
                let entry = BoundPort(transport: port.transport, address: hostText(local), port: local?.port ?? port.listenPort, modelPort: port.modelPort)
                bound.append(entry)
                log.record(Event(.serverListening, time: .now(), [
                    ("transport", .string(entry.transport.rawValue)), ("address", .string(entry.address)),
                    ("port", .int(entry.port)), ("modelPort", .int(entry.modelPort)),
                ]))
            }
            #if os(Linux)
            try epoll?.start()
            #endif
        } catch {
            shutdown()
            throw error
        }
        return bound
    }

    /// Binds a TCP port on the configured engine; returns the bound address.
    private func bindTCP(_ port: Int, service: ServiceContext) throws -> SocketAddress? {
        #if os(Linux)
        if configuration.engine == .epoll {
            let engine = try epoll ?? EpollEngine(threadCount: configuration.threads, limits: configuration.limits)
            epoll = engine
            return try engine.listen(host: configuration.listenAddress, port: port, service: service)
        }
        #endif
        return try bindNIOTCP(port, service: service)[0].localAddress
    }

    /// Binds one listening channel per event loop (`PerLoopBinding`); returns the channels,
    /// all on the same port.
    private func bindNIOTCP(_ port: Int, service: ServiceContext) throws -> [any Channel] {
        try PerLoopBinding.bind(loops: Array(group.makeIterator()), host: configuration.listenAddress, port: port, bind: { loop, port, shared in
            let channel = try bootstrapTCP(loop: loop, shared: shared, service: service)
                .bind(host: configuration.listenAddress, port: port)
                .wait()
            lock.withLock { listeners.append(channel) }
            return channel
        }, portOf: { $0.localAddress?.port })
    }

    private func bootstrapTCP(loop: any EventLoop, shared: Bool, service: ServiceContext) -> ServerBootstrap {
        let buffered = configuration.limits.maxBufferedBytes
        return ServerBootstrap(group: loop, childGroup: loop)
            .serverChannelOption(.backlog, value: 4096)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelOption(.socketOption(.init(rawValue: SO_REUSEPORT)), value: shared ? 1 : 0)
            // Accept up to 16 connections per wake-up of the listening socket (NIO's default is 4).
            .serverChannelOption(.maxMessagesPerRead, value: 16)
            .childChannelInitializer { channel in
                // The child options are set here, synchronously: `childChannelOption` applies
                // each through a chain of futures, which cost more per connection than the
                // conversation's own work.
                guard let options = channel.syncOptions else {
                    return channel.eventLoop.makeFailedFuture(ChannelError.operationUnsupported)
                }
                return channel.eventLoop.makeCompletedFuture {
                    try options.setOption(.allowRemoteHalfClosure, value: true)
                    try options.setOption(.writeBufferWaterMark, value: .init(low: buffered / 2, high: buffered))
                    try options.setOption(.recvAllocator, value: AdaptiveRecvByteBufferAllocator(minimum: 64, initial: 1024, maximum: 65_536))
                    try channel.pipeline.syncOperations.addHandler(TCPConversationHandler(service: service))
                }
            }
    }

    private func bindUDP(_ port: Int, service: ServiceContext) throws -> any Channel {
        try DatagramBootstrap(group: group)
            .channelOption(.socketOption(.so_reuseaddr), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(UDPServiceHandler(service: service))
                }
            }
            .bind(host: configuration.listenAddress, port: port)
            .wait()
    }

    /// Conversations open now and opened since start.
    public var sessionCounts: (open: Int, opened: Int) {
        (registry.openCount, registry.openedCount)
    }

    /// Stops accepting, closes every open conversation, waits for their close events and
    /// stops the event loops. Safe to call more than once.
    public func shutdown() {
        let first = lock.withLock { () -> Bool in
            if stopped { return false }
            stopped = true
            return true
        }
        guard first else { return }
        let open = registry.openCount
        log.record(Event(.serverStopping, time: .now(), [("openSessions", .int(open))]))
        let conversations = registry.beginShutdown()
        let listening = lock.withLock { listeners }
        for channel in listening { try? channel.close().wait() }
        for channel in conversations { try? channel.close().wait() }
        #if os(Linux)
        epoll?.shutdown()
        #endif
        try? group.syncShutdownGracefully()
        log.record(Event(.serverStopped, time: .now(), [("sessions", .int(registry.openedCount))]))
    }
}
