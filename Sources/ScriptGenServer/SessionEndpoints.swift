import ScriptGenModel

/// Who talks to whom in one conversation, as the log shows it.
public struct SessionEndpoints: Hashable, Sendable {
    /// The address text of an end that could not be read (logged as it is in the native
    /// format, left out where a collector expects an IP).
    public static let unknownAddress = "unknown"

    public var transport: StateMachine.Transport
    public var sourceAddress: String
    public var sourcePort: Int
    public var destinationAddress: String
    public var destinationPort: Int
    /// The model port served (differs from `destinationPort` under `--port-offset`/`--map`).
    public var modelPort: Int

    public init(transport: StateMachine.Transport, sourceAddress: String, sourcePort: Int, destinationAddress: String, destinationPort: Int, modelPort: Int) {
        self.transport = transport
        self.sourceAddress = sourceAddress
        self.sourcePort = sourcePort
        self.destinationAddress = destinationAddress
        self.destinationPort = destinationPort
        self.modelPort = modelPort
    }
}
