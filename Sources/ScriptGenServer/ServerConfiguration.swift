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

    public init(listenAddress: String, ports: [ServedPort], limits: ServerLimits = ServerLimits(), emulation: EmulationOptions = EmulationOptions(), threads: Int, seed: UInt64? = nil) {
        self.listenAddress = listenAddress
        self.ports = ports
        self.limits = limits
        self.emulation = emulation
        self.threads = max(1, threads)
        self.seed = seed
    }
}
