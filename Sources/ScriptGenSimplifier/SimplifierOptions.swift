import ScriptGenAlignment
import ScriptGenModel

/// The parameters of the State Machine Simplifier (docs/simplifier.md), each named, documented and
/// defaulted where it is declared; `table` is the one list of them that the model file, the
/// command line's `--simplifier NAME=VALUE` and the documentation checks are driven by.
public struct SimplifierOptions: Hashable, Sendable {
    // MARK: Macroclustering

    /// UPGMA cut of the PI macroclustering: requests leaving a state stay in one cluster while
    /// their average distance (1 − LCS / longer length) is at most this. Higher: fewer, more
    /// general edges. Default 0.6 (see `ClusteringOptions.threshold`).
    public var macroclusterThreshold: Double = 0.6
    /// At most this many distinct requests of one state are aligned pairwise; the others are
    /// assigned to the cluster of their nearest representative and then to the final edge
    /// whose pattern matches them (`ClusteringOptions.maxAlignedSamples`). Default 2,000.
    public var maxAlignedSamples: Int = 2_000

    /// Text requests are first grouped by their leading token (their first word: the command)
    /// when a state's text requests have at most this many distinct tokens; each group is then
    /// one macrocluster. With more tokens (no command structure) PI macroclustering groups
    /// them like binary requests. Default 256 (a protocol has up to a few hundred commands).
    public var maxLeadingTokens: Int = 256

    // MARK: Microclustering

    /// A mutating region splits its cluster only when it has at most this many frequent
    /// values. Default 8.
    public var maxDistinctValues: Int = 8
    /// A value is frequent when it carries at least this share of the cluster's distinct
    /// requests. Default 0.05.
    public var minValueShare: Double = 0.05
    /// …and at least this many distinct requests. Counting distinct requests, not
    /// conversations, is what tells a command from a field: `GET` is followed by many different
    /// requests, while a user name seen in 11 logins is still one request. Default 2.
    public var minValueRequests: Int = 2
    /// The frequent values must together cover at least this share of the cluster's distinct
    /// requests (the rest form one remainder part). Default 0.5.
    public var minValueCoverage: Double = 0.5
    /// Only mutating regions that start within the first this-many bytes of at least one
    /// request may split a cluster: commands, methods and opcodes sit at the start of a
    /// message or in its header, while later few-valued fields (user agents, header values)
    /// stay variable. Default 24 (covers SMB2's command at offset 16).
    public var microclusterWindow: Int = 24

    // MARK: Patterns

    /// Fixed regions shorter than this are kept only when anchored (at the start or end of the
    /// request) or, for binary or zero bytes, when the cluster has at least
    /// `minRowsForShortBinaryFixed` distinct requests; otherwise they are folded into the
    /// variable gap around them (a letter that happens to agree inside user names). Default 3.
    public var minFixedLength: Int = 3
    /// See `minFixedLength`. Default 4.
    public var minRowsForShortBinaryFixed: Int = 4
    /// Text fixed runs end at word boundaries: the part of a word at a fixed run's edge that
    /// continues into the neighbouring gap in some request (`CWD p` from `CWD pub` and
    /// `CWD projects`) goes to the gap (`CWD ` + a gap). A few requests sharing a letter is
    /// chance, not structure. Default true.
    public var trimPartialTokens: Bool = true
    /// Variable gaps allow `slack` bytes more (and fewer, down to 0) than the lengths seen,
    /// where `slack = max(minimumLengthSlack, ceil(relativeLengthSlack × longest))`.
    /// Binary fields seen with a single length keep exactly that length. Default 0.5.
    public var relativeLengthSlack: Double = 0.5
    /// See `relativeLengthSlack`. Default 2.
    public var minimumLengthSlack: Int = 2
    /// A cluster with fewer distinct requests than this keeps them as exact edges (one request
    /// is no evidence of what varies). Default 2.
    public var minRequestsToGeneralise: Int = 2
    /// A pattern without any fixed byte (it matches anything of its length range) is made only
    /// from at least this many distinct requests; smaller clusters without common structure
    /// keep exact edges. Default 4.
    public var minRequestsForWildcard: Int = 4
    /// A one-line text command seen once with an argument (`helo oldclient`) becomes the
    /// command, a space and a gap of 1 to max(64, twice the length seen) bytes instead of an
    /// exact edge: one sample says nothing of which arguments the server takes. Default true.
    public var generaliseLoneArguments: Bool = true
    /// A cluster of RESP arrays (Redis requests) of one command and size is generalised
    /// argument by argument: arguments equal in every request stay fixed, the others become
    /// gaps for the length digits and the value (`RespPatterns`). Default true.
    public var respArguments: Bool = true
    /// An edge's requests after which the real server closed the connection (in more than
    /// half of their visits, `State.serverCloses`) and those after which it did not get
    /// separate edges: the smaller side (by conversations) gets its own, more specific edges,
    /// the larger keeps the cluster's pattern. So `GET / HTTP/1.0` (Apache closes) keeps a
    /// state of its own beside the general `GET` of HTTP/1.1 (kept alive), and the emulator
    /// closes after the one and not the other. Default true.
    public var separateServerCloses: Bool = true

    // MARK: Limits

    /// Most edges leaving one simplified state. A state over it is re-clustered with the
    /// macroclustering threshold raised by `fanoutThresholdStep` until it fits (up to 1), then
    /// without microclustering, and as a last resort its lightest edges are merged into one
    /// catch-all edge. Values below 1 count as 1. Default 1,024 (a few hundred commands, their argument counts and spellings).
    public var maxFanout: Int = 1024
    /// Most states in the simplified machine, root included. States are made breadth-first;
    /// an edge that would need a state past the limit is not made and its weight is counted in
    /// its state's `cutRequests`. Values below 1 count as 1. Default 10,000.
    public var maxStates: Int = 10_000
    /// See `maxFanout`. Default 0.1.
    public var fanoutThresholdStep: Double = 0.1

    // MARK: Context merging (docs/simplifier.md, *Context merging*)

    /// After generalising the edges, merge the tree's states into contexts so requests are
    /// answered independently of the path that led to their context (the machine becomes a
    /// graph with cycles). Default true.
    public var mergeContexts: Bool = true
    /// A state is merged into a context only when at least this many of their commands unify
    /// with compatible replies (the evidence); 0 merges whenever nothing conflicts, trying the
    /// parent's context first. Default 0.
    public var minMergeEvidence: Int = 0
    /// Commands that leave their context unchanged and get compatible replies everywhere they
    /// occur are added to every context lacking them (as self-loops of weight 0). Default true.
    public var shareHistoryIndependentCommands: Bool = true
    /// Two binary replies are compatible when their alignment similarity over the first 64
    /// bytes is at least this (text replies compare status tokens). Default 0.75.
    public var mergeBinaryReplySimilarity: Double = 0.75
    /// Incompatible replies refuse a merge only when each side observed the command at least
    /// this many times: one observation per context differs by chance when the reply depends on
    /// the argument. Default 2 (1: every difference refuses).
    public var minConflictObservations: Int = 2
    /// Tentative merges tried at most (a bound on the work for huge machines; states left
    /// untried stay contexts of their own). Default 100,000.
    public var maxMergeAttempts: Int = 100_000
    /// The frequency test of a merge (ALERGIA): shares of the next command may differ by at
    /// most this × (1/√n₁ + 1/√n₂), n the visits. 1.36 is √(½ ln(2/α)) for α = 0.05; higher
    /// merges more, 0 only merges identical distributions. Default 1.36.
    public var mergeFrequencyBound: Double = 1.36

    // MARK: Reply fields (docs/simplifier.md, *Reply fields*)

    /// Learn the ranges of replies the server copied from the request (transaction and
    /// message ids, echoed names) and render them per request; replies equal outside them
    /// become one template. Default true.
    public var replyFields: Bool = true
    /// A field is learned only from at least this many observations (request and reply) of
    /// one reply shape in a state, every one agreeing. Default 3.
    public var minFieldObservations: Int = 3
    /// …whose values at the field are at least this many distinct ones: a constant is no
    /// evidence of a copy. Default 2.
    public var minFieldValues: Int = 2
    /// Copies shorter than this many bytes are not taken: one equal byte is chance as often
    /// as not. Default 2.
    public var minCopyLength: Int = 2
    /// Dates (text, Unix seconds, FILETIME) are time fields when they vary and either one
    /// request path was answered with several of them or they all lie within this many days
    /// of each other (a capture's span, not a file's age). Default 31.
    public var maxTimeSpreadDays: Int = 31
    /// A number that differs wherever one request path was answered twice is a counter when
    /// its values, sorted, step by at most this much on average. Default 16.
    public var maxCounterStep: Int = 16
    /// Bytes that differ wherever one request path was answered twice, unexplained by a
    /// copy, a date or a counter, are random when at least this many in a row and distinct
    /// in every observation. Default 4.
    public var minRandomLength: Int = 4
    /// Learn the length field the clients' TCP requests carry, if 90% of them do, so the
    /// emulator takes each request as the frame its header announces (docs/simplifier.md,
    /// *Request framing*). Default true.
    public var requestFraming: Bool = true

    public init() {}

    /// The defaults changed by `configure`.
    public init(_ configure: (inout SimplifierOptions) -> Void) {
        self.init()
        configure(&self)
    }

    /// Every option, in the order of the declarations above.
    public static let table = OptionTable<SimplifierOptions>(stage: "simplifier", fields: [
        .number("macroclusterThreshold", \.macroclusterThreshold),
        .integer("maxAlignedSamples", \.maxAlignedSamples),
        .integer("maxLeadingTokens", \.maxLeadingTokens),
        .integer("maxDistinctValues", \.maxDistinctValues),
        .number("minValueShare", \.minValueShare),
        .integer("minValueRequests", \.minValueRequests),
        .number("minValueCoverage", \.minValueCoverage),
        .integer("microclusterWindow", \.microclusterWindow),
        .integer("minFixedLength", \.minFixedLength),
        .integer("minRowsForShortBinaryFixed", \.minRowsForShortBinaryFixed),
        .flag("trimPartialTokens", \.trimPartialTokens),
        .number("relativeLengthSlack", \.relativeLengthSlack),
        .integer("minimumLengthSlack", \.minimumLengthSlack),
        .integer("minRequestsToGeneralise", \.minRequestsToGeneralise),
        .integer("minRequestsForWildcard", \.minRequestsForWildcard),
        .flag("generaliseLoneArguments", \.generaliseLoneArguments),
        .flag("respArguments", \.respArguments),
        .flag("separateServerCloses", \.separateServerCloses),
        .integer("maxFanout", \.maxFanout),
        .integer("maxStates", \.maxStates),
        .number("fanoutThresholdStep", \.fanoutThresholdStep),
        .flag("mergeContexts", \.mergeContexts),
        .integer("minMergeEvidence", \.minMergeEvidence),
        .flag("shareHistoryIndependentCommands", \.shareHistoryIndependentCommands),
        .number("mergeBinaryReplySimilarity", \.mergeBinaryReplySimilarity),
        .integer("minConflictObservations", \.minConflictObservations),
        .integer("maxMergeAttempts", \.maxMergeAttempts),
        .number("mergeFrequencyBound", \.mergeFrequencyBound),
        .flag("replyFields", \.replyFields),
        .integer("minFieldObservations", \.minFieldObservations),
        .integer("minFieldValues", \.minFieldValues),
        .integer("minCopyLength", \.minCopyLength),
        .integer("maxTimeSpreadDays", \.maxTimeSpreadDays),
        .integer("maxCounterStep", \.maxCounterStep),
        .integer("minRandomLength", \.minRandomLength),
        .flag("requestFraming", \.requestFraming),
    ])

    /// The options as model-file parameters (`simplifier.` + the property name).
    public var parameters: LearningParameters { Self.table.parameters(of: self) }

    /// The options recorded in a model's parameters; defaults for the ones it lacks (other
    /// stages' names are ignored).
    public init(parameters: LearningParameters) {
        self = Self.table.options(from: parameters, defaults: SimplifierOptions())
    }

    /// The macroclustering options for one attempt at `threshold`.
    func clusteringOptions(threshold: Double) -> ClusteringOptions {
        ClusteringOptions(
            threshold: threshold, maxAlignedSamples: max(2, maxAlignedSamples))
    }
}
