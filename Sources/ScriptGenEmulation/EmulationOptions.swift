/// How the emulator behaves where the model is silent, and its limits.
public struct EmulationOptions: Hashable, Sendable {
    /// What to do with a complete request that matches no edge of the current state. Every
    /// policy reports an `EmulatorAction.noMatch` event with the bytes first.
    public enum NoMatchPolicy: Hashable, Sendable {
        /// Follow the most similar edge (`CompiledPattern.similarity(to:)`) when its score is at
        /// least `threshold` (0...1); below it, or in a state without edges, stay silent.
        case closest(threshold: Double)
        /// Send nothing and stay in the state.
        case silence
        /// Close the connection.
        case close
    }

    /// Which of a state's observed replies to send.
    public enum ResponseChoice: Hashable, Sendable {
        /// Always the most frequent one (`State.defaultReply`).
        case mostFrequent
        /// One drawn at random, weighted by how often each was observed.
        case weightedRandom
    }

    public static let defaultNoMatch = NoMatchPolicy.closest(threshold: 0.5)
    public static let defaultMaxRequestBytes = 65_536
    /// 300 ms: long enough for a client's segments of one request to arrive, short enough that
    /// an unrecognised request is answered before the client gives up.
    public static let defaultQuietTime: Int64 = 300_000_000

    public var noMatch: NoMatchPolicy
    public var responseChoice: ResponseChoice
    /// A request is cut at this many bytes (at least 1); the rest starts the next request.
    public var maxRequestBytes: Int
    /// Nanoseconds without new bytes after which pending input counts as a complete request.
    public var quietTime: Int64

    public init(
        noMatch: NoMatchPolicy = Self.defaultNoMatch,
        responseChoice: ResponseChoice = .mostFrequent,
        maxRequestBytes: Int = Self.defaultMaxRequestBytes,
        quietTime: Int64 = Self.defaultQuietTime
    ) {
        self.noMatch = noMatch
        self.responseChoice = responseChoice
        self.maxRequestBytes = max(1, maxRequestBytes)
        self.quietTime = max(0, quietTime)
    }
}
