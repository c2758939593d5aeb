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

    /// When pending TCP bytes form a complete request (UDP datagrams are always complete).
    /// Both rules are decided as if after every single byte, so the result does not depend on
    /// how the input was split into pieces; bytes after a complete request start the next one.
    /// Under both, the quiet time, `Emulator.flush()` and `maxRequestBytes` end a request that
    /// is still undecided, taking the longest matching prefix.
    public enum CompletionRule: Hashable, Sendable {
        /// Answer as soon as a request is recognisable. Let `L` be the smallest length at which
        /// the pending bytes' prefix matches an edge ending with fixed bytes
        /// (`CompiledPattern.endsWithFixedBytes`: `\r\n`, `\r\n\r\n`, any trailing fixed
        /// bytes; raw edges always do). Gaps are lazy: a gap ends at the first place where the
        /// fixed bytes after it appear, so `USER <1-16>\r\n` takes `USER a\r\n` and leaves
        /// `USER b\r\n` to the next request.
        ///
        /// A raw (exact) edge of the state longer than `L` shadows it while it is consistent
        /// with all input so far, whether `L` came from a raw or a gapped edge
        /// (`GET / HTTP/1.0\r\n` against a raw `GET / HTTP/1.0\r\n\r\n`). Only raw edges
        /// shadow: an observed literal request is worth the wait, while a gapped or
        /// variable-ended edge that could match longer does not hold `L` back (so a raw
        /// `LIST\r\n` is answered at once beside `LIST <1-32>\r\n`, and `A<gap>\r\n` beside
        /// `A<gap>\r\nB\r\n` takes `Ax\r\n`). The request then waits until every such raw edge is
        /// either contradicted by a byte or fully received. The request is the longest fully
        /// received consistent raw edge, or `L` when none is. While a shadowing raw edge could
        /// still complete, the state behaves as under `.longest` (so a pause or the limit ends
        /// the request at the longest match).
        ///
        /// The followed edge is the preferred one (most fixed bytes, then weight, then index)
        /// among all edges matching exactly the request's bytes. Requests that only edges ending
        /// with a variable element match keep the `.longest` rule.
        case eager
        /// The request is complete only when no edge could match any longer input; then the
        /// longest matching prefix is the request. Gapped patterns can almost always grow, so
        /// their requests wait for the quiet time, and pipelined requests merge.
        case longest
    }

    public static let defaultNoMatch = NoMatchPolicy.closest(threshold: 0.5)
    /// 0.5: the server closed after most of the state's visits. Of the visits, not of the
    /// conversations that ended there: a state where the server closed every conversation
    /// that ended there but most clients went on (a keep-alive server timing some out) must
    /// stay open for those that go on. Strictly more than half, so one close in two visits
    /// (no majority) keeps the connection open.
    public static let defaultServerCloseShare = 0.5
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
    public var completion: CompletionRule
    /// Close where the real server closed: right after sending the reply of a TCP state (the
    /// banner included) whose `State.serverCloses` is more than this share (0...1) of its
    /// `visits`, the emulator returns `.close`. nil: the model never closes on its own (only
    /// the `.close` no-match policy does).
    public var serverCloseShare: Double?

    public init(
        noMatch: NoMatchPolicy = Self.defaultNoMatch,
        responseChoice: ResponseChoice = .mostFrequent,
        maxRequestBytes: Int = Self.defaultMaxRequestBytes,
        quietTime: Int64 = Self.defaultQuietTime,
        completion: CompletionRule = .eager,
        serverCloseShare: Double? = Self.defaultServerCloseShare
    ) {
        self.noMatch = noMatch
        self.responseChoice = responseChoice
        self.maxRequestBytes = max(1, maxRequestBytes)
        self.quietTime = max(0, quietTime)
        self.completion = completion
        // NaN (no share at all) switches closing off rather than comparing false everywhere.
        self.serverCloseShare = serverCloseShare.flatMap { $0.isNaN ? nil : min(1, max(0, $0)) }
    }

    /// The closing rule, shared with the simplifier (which keeps closing requests apart by the
    /// default share): the real server closed after more than `share` of `visits`.
    public static func closes(serverCloses: Int, visits: Int, share: Double = defaultServerCloseShare) -> Bool {
        serverCloses > 0 && Double(serverCloses) > share * Double(visits)
    }
}
