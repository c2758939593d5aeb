/// The figures of one port, or of all ports together. Counters only, so they merge by addition
/// and an evaluation's memory does not grow with the number of conversations.
public struct EvaluationMetrics: Hashable, Sendable {
    /// Conversations replayed.
    public var conversations = 0
    /// Client messages replayed (TCP: one run of client bytes; UDP: one datagram).
    public var requests = 0
    /// Requests the core answered by following edges: every request it cut from the message
    /// matched an edge (not the no-match policy, and the connection was not closed).
    public var matchedRequests = 0
    /// Conversations whose every request matched (including those without requests).
    public var completedConversations = 0
    /// Answers compared: one per request, plus the banner when either side had one.
    public var comparedResponses = 0
    /// Compared answers byte-identical to the real server's (both silent counts).
    public var exactResponses = 0
    /// Compared answers equal to the real server's outside the bytes the model's time,
    /// counter and random fields wrote (`ResponseComparison.isEquivalent`; exact ones included).
    public var equivalentResponses = 0
    /// Compared answers whose real answer fits the reply the model chose: equal outside every
    /// field it wrote (`ResponseComparison.fitsTemplate`); the rest chose another reply.
    public var templateResponses = 0
    /// …of them, the equivalent ones: the fields came out right.
    public var equivalentTemplateResponses = 0
    /// Sum of the similarities (0...1) of the compared answers.
    public var responseSimilaritySum = 0.0
    /// Conversations by the 1-based number of their first unmatched request. Completed
    /// conversations are not in it (they are `completedConversations`).
    public var divergenceDepth: [Int: Int] = [:]

    public init() {}

    /// Mean similarity of the compared answers, nil when none was compared.
    public var meanResponseSimilarity: Double? {
        comparedResponses > 0 ? responseSimilaritySum / Double(comparedResponses) : nil
    }

    public mutating func merge(_ other: EvaluationMetrics) {
        conversations += other.conversations
        requests += other.requests
        matchedRequests += other.matchedRequests
        completedConversations += other.completedConversations
        comparedResponses += other.comparedResponses
        exactResponses += other.exactResponses
        equivalentResponses += other.equivalentResponses
        templateResponses += other.templateResponses
        equivalentTemplateResponses += other.equivalentTemplateResponses
        responseSimilaritySum += other.responseSimilaritySum
        divergenceDepth.merge(other.divergenceDepth, uniquingKeysWith: +)
    }
}
