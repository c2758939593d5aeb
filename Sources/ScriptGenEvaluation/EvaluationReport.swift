import ScriptGenModel

/// The figures of one (transport, server port).
public struct PortEvaluation: Hashable, Sendable {
    public var transport: StateMachine.Transport
    public var port: UInt16
    public var metrics: EvaluationMetrics

    public init(transport: StateMachine.Transport, port: UInt16, metrics: EvaluationMetrics) {
        self.transport = transport
        self.port = port
        self.metrics = metrics
    }
}

/// Conversations on a (transport, port) the model has no machine for: counted, not replayed.
public struct UnmodelledPort: Hashable, Sendable {
    public var transport: StateMachine.Transport
    public var port: UInt16
    public var conversations: Int

    public init(transport: StateMachine.Transport, port: UInt16, conversations: Int) {
        self.transport = transport
        self.port = port
        self.conversations = conversations
    }
}

/// What an evaluation found: per port (only ports that had conversations), in total over those
/// ports, the unmodelled ports, and the first misses.
public struct EvaluationReport: Hashable, Sendable {
    /// Sorted by transport (tcp first), then port.
    public var ports: [PortEvaluation]
    /// All of `ports` merged; unmodelled conversations are not in it.
    public var total: EvaluationMetrics
    /// Sorted like `ports`.
    public var unmodelled: [UnmodelledPort]
    /// The first `EvaluationOptions.maxMisses` unmatched requests, in replay order.
    public var misses: [EvaluationMiss]

    public init(ports: [PortEvaluation], total: EvaluationMetrics, unmodelled: [UnmodelledPort], misses: [EvaluationMiss]) {
        self.ports = ports
        self.total = total
        self.unmodelled = unmodelled
        self.misses = misses
    }

    public var unmodelledConversations: Int {
        unmodelled.reduce(0) { $0 + $1.conversations }
    }
}
