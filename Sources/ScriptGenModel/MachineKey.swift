/// A (transport, server port): which machine a conversation belongs to. One type for the
/// builder, which grows a tree per key, and the evaluator, which replays through one.
package struct MachineKey: Hashable, Comparable, Sendable {
    package var transport: StateMachine.Transport
    package var port: UInt16

    package init(transport: StateMachine.Transport, port: UInt16) {
        self.transport = transport
        self.port = port
    }

    /// TCP before UDP, then by port: the order machines are listed in.
    package static func < (lhs: MachineKey, rhs: MachineKey) -> Bool {
        (lhs.transport.rawValue, lhs.port) < (rhs.transport.rawValue, rhs.port)
    }
}
