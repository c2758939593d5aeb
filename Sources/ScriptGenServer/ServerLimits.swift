/// What one attacker may use. Each hit is logged (`session.limit` or `connection.refused`
/// with the `ServerLimit` name) and ends or refuses only the offending conversation.
public struct ServerLimits: Hashable, Sendable {
    public static let defaultMaxConnections = 20_000
    public static let defaultMaxConnectionsPerSource = 256
    /// 256 KiB of answers queued for a client that does not read.
    public static let defaultMaxBufferedBytes = 262_144
    public static let defaultIdleTimeout: Int64 = 60_000_000_000
    public static let defaultMaxRequests = 1000
    public static let defaultMaxDuration: Int64 = 600_000_000_000

    /// Open conversations in the whole server (TCP connections and UDP flows).
    public var maxConnections: Int
    public var maxConnectionsPerSource: Int
    public var maxBufferedBytes: Int
    /// Nanoseconds without input after which a conversation is closed.
    public var idleTimeout: Int64
    /// Complete requests per conversation.
    public var maxRequests: Int
    /// Nanoseconds a conversation may last.
    public var maxDuration: Int64

    public init(
        maxConnections: Int = Self.defaultMaxConnections, maxConnectionsPerSource: Int = Self.defaultMaxConnectionsPerSource,
        maxBufferedBytes: Int = Self.defaultMaxBufferedBytes, idleTimeout: Int64 = Self.defaultIdleTimeout,
        maxRequests: Int = Self.defaultMaxRequests, maxDuration: Int64 = Self.defaultMaxDuration
    ) {
        self.maxConnections = max(1, maxConnections)
        self.maxConnectionsPerSource = max(1, maxConnectionsPerSource)
        self.maxBufferedBytes = max(1024, maxBufferedBytes)
        self.idleTimeout = max(1_000_000, idleTimeout)
        self.maxRequests = max(1, maxRequests)
        self.maxDuration = max(1_000_000, maxDuration)
    }
}
