/// What the State Machine Builder did for one (transport, port): the figures of the raw prefix
/// tree and everything its rules and limits left out. Stored in the model so `inspect` can
/// show what was cut long after learning.
public struct BuildReport: Hashable, Sendable {
    public var transport: StateMachine.Transport
    public var port: UInt16
    /// Conversations given to the builder for this port (each one visits the root).
    public var conversationsUsed: Int
    /// Conversations without any payload (connection opened and closed): root visits and
    /// endings only; they observe no reply.
    public var emptyConversations: Int
    /// Conversations with missing bytes; their messages from the first gap on are dropped.
    public var conversationsWithGaps: Int
    /// Messages dropped because they came at or after a gap.
    public var messagesDroppedAtGaps: Int
    /// Client messages that directly followed another client message (the first one leads to
    /// a state whose reply is silence).
    public var consecutiveClientMessages: Int
    /// Requests not added because their state already had `maxFanout` edges.
    public var requestsCutByFanout: Int
    /// Requests not added because the machine already had `maxStates` states.
    public var pathsCutByStateLimit: Int
    /// Messages dropped because their conversation was cut by one of the two limits.
    public var messagesDroppedByLimits: Int
    /// Figures of the machine as built.
    public var states: Int
    public var edges: Int
    public var depth: Int
    public var largestFanout: Int

    public init(
        transport: StateMachine.Transport, port: UInt16, conversationsUsed: Int = 0, emptyConversations: Int = 0,
        conversationsWithGaps: Int = 0, messagesDroppedAtGaps: Int = 0, consecutiveClientMessages: Int = 0,
        requestsCutByFanout: Int = 0, pathsCutByStateLimit: Int = 0, messagesDroppedByLimits: Int = 0,
        states: Int = 0, edges: Int = 0, depth: Int = 0, largestFanout: Int = 0
    ) {
        self.transport = transport
        self.port = port
        self.conversationsUsed = conversationsUsed
        self.emptyConversations = emptyConversations
        self.conversationsWithGaps = conversationsWithGaps
        self.messagesDroppedAtGaps = messagesDroppedAtGaps
        self.consecutiveClientMessages = consecutiveClientMessages
        self.requestsCutByFanout = requestsCutByFanout
        self.pathsCutByStateLimit = pathsCutByStateLimit
        self.messagesDroppedByLimits = messagesDroppedByLimits
        self.states = states
        self.edges = edges
        self.depth = depth
        self.largestFanout = largestFanout
    }
}
