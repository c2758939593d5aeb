import ScriptGenCapture
import ScriptGenFlows
import ScriptGenModel

/// The State Machine Builder (docs/model-format.md): grows one prefix tree per (transport, server port)
/// from conversations given one at a time.
///
/// Deterministic: the same conversations in the same order give identical machines, and
/// because each port has its own tree, how conversations of different ports interleave does
/// not matter. Rules for silence, gaps, empty conversations and the limits are in
/// docs/model-format.md ("How the builder fills the machine").
public struct PrefixTreeBuilder: Sendable {
    public let options: BuilderOptions
    private var trees: [MachineKey: PrefixTree] = [:]

    public init(options: BuilderOptions = BuilderOptions()) {
        self.options = options
    }

    /// Builds machines from all `conversations` in order.
    public static func build(_ conversations: some Sequence<Conversation>, options: BuilderOptions = BuilderOptions()) -> [BuiltMachine] {
        var builder = PrefixTreeBuilder(options: options)
        for conversation in conversations { builder.add(conversation) }
        return builder.results()
    }

    public mutating func add(_ conversation: Conversation) {
        let transport: StateMachine.Transport = switch conversation.transport {
        case .tcp: .tcp
        case .udp: .udp
        }
        let key = MachineKey(transport: transport, port: conversation.server.port)
        trees[key, default: PrefixTree(transport: transport, port: key.port)]
            .add(conversation.messages, gapBytes: conversation.gapBytes, serverClosed: conversation.serverClosedFirst,
                 client: Array(conversation.client.address.description.utf8), options: options)
    }

    /// Conversations added so far, all ports together.
    public var conversationCount: Int {
        trees.values.reduce(0) { $0 + $1.report.conversationsUsed }
    }

    /// Each machine with its report, sorted by transport (tcp first) then port.
    public func results() -> [BuiltMachine] {
        trees.keys.sorted().map { key in
            let (machine, report, observers) = trees[key]!.finishedWithObservers(minBannerShare: options.minBannerShare)
            return BuiltMachine(machine: machine, report: report, observers: observers)
        }
    }

    /// The machines, sorted by transport (tcp first) then port.
    public func machines() -> [StateMachine] {
        results().map(\.machine)
    }

    /// The reports, in the same order as `machines()`.
    public func reports() -> [BuildReport] {
        results().map(\.report)
    }
}

/// A finished machine and what building it cut or dropped.
public struct BuiltMachine: Hashable, Sendable {
    public var machine: StateMachine
    public var report: BuildReport
    /// Per state of `machine`, the client addresses (text) that observed each reply (a few
    /// per reply): what the simplifier needs to find replies that name their client. Not
    /// part of the model.
    public var observers: [[Reply: [[UInt8]]]]

    public init(machine: StateMachine, report: BuildReport, observers: [[Reply: [[UInt8]]]] = []) {
        self.machine = machine
        self.report = report
        self.observers = observers
    }
}

