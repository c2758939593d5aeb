import ScriptGenEmulation
import ScriptGenModel

/// One port the server listens on and the machine it serves there.
public struct ServedPort: Sendable {
    public var transport: StateMachine.Transport
    /// The port to bind (0: any free port, reported by `HoneypotServer.start()`).
    public var listenPort: Int
    public var machine: CompiledMachine

    public init(listenPort: Int, machine: CompiledMachine) {
        self.transport = machine.machine.transport
        self.listenPort = listenPort
        self.machine = machine
    }

    public var modelPort: Int { Int(machine.machine.port) }
}

/// What carries TCP conversations.
public enum ServerEngine: String, CaseIterable, Sendable {
    /// Plain non-blocking sockets on epoll, one loop per thread (Linux): the fastest.
    case epoll
    /// SwiftNIO channels (every platform).
    case nio

    /// The engines this platform has.
    public static var available: [ServerEngine] {
        #if os(Linux)
        return [.epoll, .nio]
        #else
        return [.nio]
        #endif
    }

    /// epoll where there is one.
    public static var `default`: ServerEngine {
        #if os(Linux)
        return .epoll
        #else
        return .nio
        #endif
    }
}

public struct ServerConfiguration: Sendable {
    public var listenAddress: String
    public var ports: [ServedPort]
    public var limits: ServerLimits
    public var emulation: EmulationOptions
    /// Event-loop threads (default: one per core).
    public var threads: Int
    /// Seeds every conversation's random choices from this value and its session number, so a
    /// run replays; nil seeds from the system generator.
    public var seed: UInt64?
    /// What carries TCP conversations (UDP always goes through SwiftNIO).
    public var engine: ServerEngine
    /// What every session id of this run starts with (`RunIdentity.make()`).
    public var runID: String

    public init(listenAddress: String, ports: [ServedPort], limits: ServerLimits = ServerLimits(), emulation: EmulationOptions = EmulationOptions(),
                threads: Int, seed: UInt64? = nil, engine: ServerEngine = .default, runID: String = RunIdentity.make()) {
        self.runID = runID
        self.listenAddress = listenAddress
        self.ports = ports
        self.limits = limits
        self.emulation = emulation
        self.threads = max(1, threads)
        self.seed = seed
        self.engine = engine
    }
}
