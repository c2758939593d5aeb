import ScriptGenEmulation
import ScriptGenFlows
import ScriptGenModel

/// A request that matched no edge: what the model lacks, with where it happened.
public struct EvaluationMiss: Hashable, Sendable {
    public var transport: StateMachine.Transport
    public var port: UInt16
    public var client: Endpoint
    public var server: Endpoint
    /// 1-based number of the conversation among all those given to the evaluator.
    public var conversation: Int
    /// 1-based number of the client message in its conversation.
    public var request: Int
    /// The unmatched request as the core cut it, at most `EvaluationOptions.missBytes` bytes.
    public var requestBytes: [UInt8]
    /// The unmatched request's full length.
    public var requestByteCount: Int
    /// The state the request arrived in, and that state's default reply (what the emulator
    /// sent on reaching it).
    public var state: StateID
    public var stateReply: Reply
    /// The state's most similar edge, if it has edges, with its pattern.
    public var closest: ClosestEdge?
    public var closestPattern: Pattern?
    /// What the real server answered to the whole client message, at most
    /// `EvaluationOptions.missBytes` bytes, and its full length.
    public var realResponse: [UInt8]
    public var realResponseByteCount: Int

    public init(
        transport: StateMachine.Transport, port: UInt16, client: Endpoint, server: Endpoint,
        conversation: Int, request: Int, requestBytes: [UInt8], requestByteCount: Int,
        state: StateID, stateReply: Reply, closest: ClosestEdge?, closestPattern: Pattern?,
        realResponse: [UInt8], realResponseByteCount: Int
    ) {
        self.transport = transport
        self.port = port
        self.client = client
        self.server = server
        self.conversation = conversation
        self.request = request
        self.requestBytes = requestBytes
        self.requestByteCount = requestByteCount
        self.state = state
        self.stateReply = stateReply
        self.closest = closest
        self.closestPattern = closestPattern
        self.realResponse = realResponse
        self.realResponseByteCount = realResponseByteCount
    }
}
