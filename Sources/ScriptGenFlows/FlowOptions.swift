import ScriptGenCapture
import ScriptGenModel

/// Limits and rules of conversation reassembly. Every limit has a default that suits captures
/// of attack traffic; hitting one is counted in `FlowStatistics`, never silent.
public struct FlowOptions: Sendable, Hashable {
    /// A TCP conversation with no packet for this long (capture time) ends as `.timeout`.
    public var tcpIdleTimeout: Nanoseconds = .seconds(300)
    /// UDP datagrams between two endpoints further apart than this start a new conversation.
    public var udpIdleTimeout: Nanoseconds = .seconds(60)
    /// After a conversation closed, stray packets on its 4-tuple (late ACKs, retransmissions)
    /// are ignored for this long instead of opening a mid-stream conversation. A new SYN always
    /// starts a new conversation.
    public var closedLinger: Nanoseconds = .seconds(30)
    /// Payload bytes kept per conversation (both directions and out-of-order data). Later
    /// bytes are counted in `truncatedBytes` and dropped.
    public var maxBytesPerConversation: Int = 4 << 20
    /// Payload bytes held by all open conversations together. Past it, the least recently
    /// active conversations are handed on early (`.evicted`).
    public var maxTotalBytes: Int = 128 << 20
    /// Open conversations tracked at once. Past it, the least recently active are handed on.
    public var maxOpenConversations: Int = 200_000
    /// Segments held ahead of a hole per direction. Past it, further early segments are
    /// dropped (counted, and their bytes become a gap): a flood of reordered one-byte segments
    /// cannot make reassembly slow.
    public var maxOutOfOrderSegments: Int = 4096
    /// Drop TCP conversations whose SYN was not captured instead of inferring the server.
    public var requireHandshake: Bool = false
    /// A server's FIN counts as closing after its reply (`Conversation.serverClosedFirst`)
    /// only within this long of the conversation's last payload byte (of its first packet when
    /// there was none). A server that closes after its reply does so at once; a FIN after a
    /// longer silence is an idle timeout (Apache closes a kept-alive connection after 5 s, an
    /// FTP server an idle session after minutes, a web server a connection that never sent a
    /// request after 20 s or more), which a model must not copy as closing right after the reply.
    public var maxServerCloseDelay: Nanoseconds = .seconds(1)

    public init() {}

    /// Every option: the model file's `flows.*` parameters (durations as `…Seconds`) and the
    /// documentation check.
    public static let table = OptionTable<FlowOptions>(stage: "flows", fields: [
        .seconds("tcpIdleTimeout", \.tcpIdleTimeout),
        .seconds("udpIdleTimeout", \.udpIdleTimeout),
        .seconds("closedLinger", \.closedLinger),
        .integer("maxBytesPerConversation", \.maxBytesPerConversation),
        .integer("maxTotalBytes", \.maxTotalBytes),
        .integer("maxOpenConversations", \.maxOpenConversations),
        .integer("maxOutOfOrderSegments", \.maxOutOfOrderSegments),
        .flag("requireHandshake", \.requireHandshake),
        .seconds("maxServerCloseDelay", \.maxServerCloseDelay),
    ])

    /// The options as model-file parameters.
    public var parameters: LearningParameters { Self.table.parameters(of: self) }
}

/// Counters of what reassembly did, for the summary line. All counts are of packets unless
/// the name says bytes.
public struct FlowStatistics: Sendable, Hashable {
    public var tcpSegments = 0
    public var udpDatagrams = 0
    /// Segments whose bytes were all seen before (retransmissions).
    public var duplicateSegments = 0
    /// Segments that arrived ahead of a hole and waited for it.
    public var outOfOrderSegments = 0
    /// Bytes never captured (holes in a stream), summed over conversations.
    public var gapBytes = 0
    /// Segments dropped because `maxOutOfOrderSegments` were already waiting.
    public var outOfOrderSegmentsDropped = 0
    /// Bytes of retransmissions that disagreed with the bytes first seen (first copy kept).
    public var conflictingOverlapBytes = 0
    /// Bytes dropped because a conversation reached `maxBytesPerConversation`.
    public var truncatedBytes = 0
    /// Conversations handed on early because of `maxTotalBytes` or `maxOpenConversations`.
    public var evictedConversations = 0
    /// Mid-stream TCP conversations dropped because of `requireHandshake`.
    public var droppedWithoutHandshake = 0
    /// Packets on a recently closed 4-tuple that were not a new SYN.
    public var packetsAfterClose = 0
    /// Conversations handed on.
    public var conversations = 0
    /// Peak number of open conversations.
    public var peakOpenConversations = 0

    public init() {}
}
