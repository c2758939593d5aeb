/// What the server sent after one request (or on connect): usually one message, several for
/// UDP services that answer one datagram with many, none for requests left unanswered.
public struct Reply: Hashable, Sendable {
    public var messages: [[UInt8]]

    public init(messages: [[UInt8]]) {
        self.messages = messages
    }

    public static let silence = Reply(messages: [])
}

/// One distinct reply observed in a state, with how many conversations received it.
public struct ObservedReply: Hashable, Sendable {
    public var reply: Reply
    public var count: Int
    /// The ranges the server derived (copied from the request…), filled in when sent; the
    /// reply's bytes there are one observation's. Sorted by message, then offset; disjoint.
    public var fields: [ReplyField]

    public init(reply: Reply, count: Int, fields: [ReplyField] = []) {
        self.reply = reply
        self.count = count
        self.fields = fields
    }
}

/// Index of a state inside its machine's `states` array.
public typealias StateID = Int

/// A transition: a request matching `pattern` moves the machine to `target`.
public struct Edge: Hashable, Sendable {
    public var pattern: Pattern
    /// Number of conversations that took this edge.
    public var weight: Int
    public var target: StateID

    public init(pattern: Pattern, weight: Int, target: StateID) {
        self.pattern = pattern
        self.weight = weight
        self.target = target
    }
}

/// A state: the replies the server gave on arriving here, and the requests that leave it.
public struct State: Hashable, Sendable {
    /// Distinct replies, most frequent first (ties: earliest seen first); the first is the default.
    public var replies: [ObservedReply]
    public var edges: [Edge]
    /// Conversations that reached this state.
    public var visits: Int
    /// Conversations that ended in this state (either side closed, or the client went quiet).
    public var endings: Int
    /// Of the `endings`, the conversations the server closed right after this state's reply
    /// (`Conversation.serverClosedFirst`): where the emulator may close too.
    public var serverCloses: Int
    /// Requests that would have left this state but were not added because a limit
    /// (`maxFanout`, `maxStates`) was reached: counted, never silently dropped.
    public var cutRequests: Int

    public init(
        replies: [ObservedReply] = [], edges: [Edge] = [], visits: Int = 0, endings: Int = 0, cutRequests: Int = 0,
        serverCloses: Int = 0
    ) {
        self.replies = replies
        self.edges = edges
        self.visits = visits
        self.endings = endings
        self.serverCloses = serverCloses
        self.cutRequests = cutRequests
    }

    /// The most frequent reply, or silence when the server never answered here.
    public var defaultReply: Reply {
        replies.first?.reply ?? .silence
    }
}

/// The learned behaviour of one (transport, server port).
public struct StateMachine: Hashable, Sendable {
    public enum Transport: String, Hashable, Sendable, Codable {
        case tcp
        case udp
    }

    public var transport: Transport
    public var port: UInt16
    /// `states[0]` is the root: the connection just opened (its replies are the banner).
    public var states: [State]
    /// Conversations the machine was learned from.
    public var conversations: Int
    /// Where a TCP request ends, when the clients' requests carry their length (learned).
    public var requestFraming: LengthFraming?

    public static let root: StateID = 0

    public init(transport: Transport, port: UInt16, states: [State] = [State()], conversations: Int = 0, requestFraming: LengthFraming? = nil) {
        self.transport = transport
        self.port = port
        self.states = states
        self.conversations = conversations
        self.requestFraming = requestFraming
    }
}
