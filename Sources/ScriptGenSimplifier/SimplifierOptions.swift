import ScriptGenAlignment
import ScriptGenModel

/// The parameters of the State Machine Simplifier (docs/simplifier.md), each named, documented and
/// defaulted. docs/simplifier.md explains how each one acts, with examples.
public struct SimplifierOptions: Hashable, Sendable {
    // MARK: Defaults

    public static let defaultMacroclusterThreshold = 0.6
    public static let defaultMaxAlignedSamples = 2_000
    public static let defaultMaxDistinctValues = 8
    public static let defaultMinValueShare = 0.05
    public static let defaultMinValueRequests = 2
    public static let defaultMinValueCoverage = 0.5
    public static let defaultMicroclusterWindow = 24
    public static let defaultMaxLeadingTokens = 256
    public static let defaultMinFixedLength = 3
    public static let defaultMinRowsForShortBinaryFixed = 4
    public static let defaultTrimPartialTokens = true
    public static let defaultGeneraliseLoneArguments = true
    public static let defaultRespArguments = true
    public static let defaultSeparateServerCloses = true
    public static let defaultMinConflictObservations = 2
    public static let defaultRelativeLengthSlack = 0.5
    public static let defaultMinimumLengthSlack = 2
    public static let defaultMinRequestsToGeneralise = 2
    public static let defaultMinRequestsForWildcard = 4
    public static let defaultMaxFanout = 1024
    public static let defaultMaxStates = 10_000
    public static let defaultFanoutThresholdStep = 0.1
    public static let defaultMergeContexts = true
    public static let defaultMinMergeEvidence = 0
    public static let defaultShareHistoryIndependentCommands = true
    public static let defaultMergeBinaryReplySimilarity = 0.75
    public static let defaultMaxMergeAttempts = 100_000
    public static let defaultMergeFrequencyBound = 1.36

    // MARK: Macroclustering

    /// UPGMA cut of the PI macroclustering: requests leaving a state stay in one cluster while
    /// their average distance (1 − LCS / longer length) is at most this. Higher: fewer, more
    /// general edges. Default 0.6 (see `ClusteringOptions.threshold`).
    public var macroclusterThreshold: Double
    /// At most this many distinct requests of one state are aligned pairwise; the others are
    /// assigned to the cluster of their nearest representative and then to the final edge
    /// whose pattern matches them (`ClusteringOptions.maxAlignedSamples`). Default 2,000.
    public var maxAlignedSamples: Int

    /// Text requests are first grouped by their leading token (their first word: the command)
    /// when a state's text requests have at most this many distinct tokens; each group is then
    /// one macrocluster. With more tokens (no command structure) PI macroclustering groups
    /// them like binary requests. Default 256 (a protocol has up to a few hundred commands).
    public var maxLeadingTokens: Int

    // MARK: Microclustering

    /// A mutating region splits its cluster only when it has at most this many frequent
    /// values. Default 8.
    public var maxDistinctValues: Int
    /// A value is frequent when it carries at least this share of the cluster's distinct
    /// requests. Default 0.05.
    public var minValueShare: Double
    /// …and at least this many distinct requests. Counting distinct requests, not
    /// conversations, is what tells a command from a field: `GET` is followed by many different
    /// requests, while a user name seen in 11 logins is still one request. Default 2.
    public var minValueRequests: Int
    /// The frequent values must together cover at least this share of the cluster's distinct
    /// requests (the rest form one remainder part). Default 0.5.
    public var minValueCoverage: Double
    /// Only mutating regions that start within the first this-many bytes of at least one
    /// request may split a cluster: commands, methods and opcodes sit at the start of a
    /// message or in its header, while later few-valued fields (user agents, header values)
    /// stay variable. Default 24 (covers SMB2's command at offset 16).
    public var microclusterWindow: Int

    // MARK: Patterns

    /// Fixed regions shorter than this are kept only when anchored (at the start or end of the
    /// request) or, for binary or zero bytes, when the cluster has at least
    /// `minRowsForShortBinaryFixed` distinct requests; otherwise they are folded into the
    /// variable gap around them (a letter that happens to agree inside user names). Default 3.
    public var minFixedLength: Int
    /// See `minFixedLength`. Default 4.
    public var minRowsForShortBinaryFixed: Int
    /// Text fixed runs end at word boundaries: the part of a word at a fixed run's edge that
    /// continues into the neighbouring gap in some request (`CWD p` from `CWD pub` and
    /// `CWD projects`) goes to the gap (`CWD ` + a gap). A few requests sharing a letter is
    /// chance, not structure. Default true.
    public var trimPartialTokens: Bool
    /// Variable gaps allow `slack` bytes more (and fewer, down to 0) than the lengths seen,
    /// where `slack = max(minimumLengthSlack, ceil(relativeLengthSlack × longest))`.
    /// Binary fields seen with a single length keep exactly that length. Default 0.5.
    public var relativeLengthSlack: Double
    /// See `relativeLengthSlack`. Default 2.
    public var minimumLengthSlack: Int
    /// A cluster with fewer distinct requests than this keeps them as exact edges (one request
    /// is no evidence of what varies). Default 2.
    public var minRequestsToGeneralise: Int
    /// A pattern without any fixed byte (it matches anything of its length range) is made only
    /// from at least this many distinct requests; smaller clusters without common structure
    /// keep exact edges. Default 4.
    public var minRequestsForWildcard: Int
    /// A one-line text command seen once with an argument (`helo oldclient`) becomes the
    /// command, a space and a gap of 1 to max(64, twice the length seen) bytes instead of an
    /// exact edge: one sample says nothing of which arguments the server takes. Default true.
    public var generaliseLoneArguments: Bool
    /// A cluster of RESP arrays (Redis requests) of one command and size is generalised
    /// argument by argument: arguments equal in every request stay fixed, the others become
    /// gaps for the length digits and the value (`RespPatterns`). Default true.
    public var respArguments: Bool
    /// An edge's requests after which the real server closed the connection (in more than
    /// half of their visits, `State.serverCloses`) and those after which it did not get
    /// separate edges: the smaller side (by conversations) gets its own, more specific edges,
    /// the larger keeps the cluster's pattern. So `GET / HTTP/1.0` (Apache closes) keeps a
    /// state of its own beside the general `GET` of HTTP/1.1 (kept alive), and the emulator
    /// closes after the one and not the other. Default true.
    public var separateServerCloses: Bool

    // MARK: Limits

    /// Most edges leaving one simplified state. A state over it is re-clustered with the
    /// macroclustering threshold raised by `fanoutThresholdStep` until it fits (up to 1), then
    /// without microclustering, and as a last resort its lightest edges are merged into one
    /// catch-all edge. Values below 1 count as 1. Default 1,024 (a few hundred commands, their argument counts and spellings).
    public var maxFanout: Int
    /// Most states in the simplified machine, root included. States are made breadth-first;
    /// an edge that would need a state past the limit is not made and its weight is counted in
    /// its state's `cutRequests`. Values below 1 count as 1. Default 10,000.
    public var maxStates: Int
    /// See `maxFanout`. Default 0.1.
    public var fanoutThresholdStep: Double

    // MARK: Context merging (docs/simplifier.md, *Context merging*)

    /// After generalising the edges, merge the tree's states into contexts so requests are
    /// answered independently of the path that led to their context (the machine becomes a
    /// graph with cycles). Default true.
    public var mergeContexts: Bool
    /// A state is merged into a context only when at least this many of their commands unify
    /// with compatible replies (the evidence); 0 merges whenever nothing conflicts, trying the
    /// parent's context first. Default 0.
    public var minMergeEvidence: Int
    /// Commands that leave their context unchanged and get compatible replies everywhere they
    /// occur are added to every context lacking them (as self-loops of weight 0). Default true.
    public var shareHistoryIndependentCommands: Bool
    /// Two binary replies are compatible when their alignment similarity over the first 64
    /// bytes is at least this (text replies compare status tokens). Default 0.75.
    public var mergeBinaryReplySimilarity: Double
    /// Incompatible replies refuse a merge only when each side observed the command at least
    /// this many times: one observation per context differs by chance when the reply depends on
    /// the argument. Default 2 (1: every difference refuses).
    public var minConflictObservations: Int
    /// Tentative merges tried at most (a bound on the work for huge machines; states left
    /// untried stay contexts of their own). Default 100,000.
    public var maxMergeAttempts: Int
    /// The frequency test of a merge (ALERGIA): shares of the next command may differ by at
    /// most this × (1/√n₁ + 1/√n₂), n the visits. 1.36 is √(½ ln(2/α)) for α = 0.05; higher
    /// merges more, 0 only merges identical distributions. Default 1.36.
    public var mergeFrequencyBound: Double

    public init(
        macroclusterThreshold: Double = Self.defaultMacroclusterThreshold,
        maxAlignedSamples: Int = Self.defaultMaxAlignedSamples,
        maxLeadingTokens: Int = Self.defaultMaxLeadingTokens,
        maxDistinctValues: Int = Self.defaultMaxDistinctValues,
        minValueShare: Double = Self.defaultMinValueShare,
        minValueRequests: Int = Self.defaultMinValueRequests,
        minValueCoverage: Double = Self.defaultMinValueCoverage,
        microclusterWindow: Int = Self.defaultMicroclusterWindow,
        minFixedLength: Int = Self.defaultMinFixedLength,
        minRowsForShortBinaryFixed: Int = Self.defaultMinRowsForShortBinaryFixed,
        trimPartialTokens: Bool = Self.defaultTrimPartialTokens,
        relativeLengthSlack: Double = Self.defaultRelativeLengthSlack,
        minimumLengthSlack: Int = Self.defaultMinimumLengthSlack,
        minRequestsToGeneralise: Int = Self.defaultMinRequestsToGeneralise,
        minRequestsForWildcard: Int = Self.defaultMinRequestsForWildcard,
        generaliseLoneArguments: Bool = Self.defaultGeneraliseLoneArguments,
        respArguments: Bool = Self.defaultRespArguments,
        separateServerCloses: Bool = Self.defaultSeparateServerCloses,
        maxFanout: Int = Self.defaultMaxFanout,
        maxStates: Int = Self.defaultMaxStates,
        fanoutThresholdStep: Double = Self.defaultFanoutThresholdStep,
        mergeContexts: Bool = Self.defaultMergeContexts,
        minMergeEvidence: Int = Self.defaultMinMergeEvidence,
        shareHistoryIndependentCommands: Bool = Self.defaultShareHistoryIndependentCommands,
        mergeBinaryReplySimilarity: Double = Self.defaultMergeBinaryReplySimilarity,
        minConflictObservations: Int = Self.defaultMinConflictObservations,
        maxMergeAttempts: Int = Self.defaultMaxMergeAttempts,
        mergeFrequencyBound: Double = Self.defaultMergeFrequencyBound
    ) {
        self.macroclusterThreshold = macroclusterThreshold
        self.maxAlignedSamples = maxAlignedSamples
        self.maxLeadingTokens = maxLeadingTokens
        self.maxDistinctValues = maxDistinctValues
        self.minValueShare = minValueShare
        self.minValueRequests = minValueRequests
        self.minValueCoverage = minValueCoverage
        self.microclusterWindow = microclusterWindow
        self.minFixedLength = minFixedLength
        self.minRowsForShortBinaryFixed = minRowsForShortBinaryFixed
        self.trimPartialTokens = trimPartialTokens
        self.relativeLengthSlack = relativeLengthSlack
        self.minimumLengthSlack = minimumLengthSlack
        self.minRequestsToGeneralise = minRequestsToGeneralise
        self.minRequestsForWildcard = minRequestsForWildcard
        self.generaliseLoneArguments = generaliseLoneArguments
        self.respArguments = respArguments
        self.separateServerCloses = separateServerCloses
        self.maxFanout = maxFanout
        self.maxStates = maxStates
        self.fanoutThresholdStep = fanoutThresholdStep
        self.mergeContexts = mergeContexts
        self.minMergeEvidence = minMergeEvidence
        self.shareHistoryIndependentCommands = shareHistoryIndependentCommands
        self.mergeBinaryReplySimilarity = mergeBinaryReplySimilarity
        self.minConflictObservations = minConflictObservations
        self.maxMergeAttempts = maxMergeAttempts
        self.mergeFrequencyBound = mergeFrequencyBound
    }

    // MARK: Model-file parameters

    /// Parameter names in the model file (`simplifier.` + the property name).
    public enum ParameterName {
        public static let macroclusterThreshold = "simplifier.macroclusterThreshold"
        public static let maxAlignedSamples = "simplifier.maxAlignedSamples"
        public static let maxLeadingTokens = "simplifier.maxLeadingTokens"
        public static let maxDistinctValues = "simplifier.maxDistinctValues"
        public static let minValueShare = "simplifier.minValueShare"
        public static let minValueRequests = "simplifier.minValueRequests"
        public static let minValueCoverage = "simplifier.minValueCoverage"
        public static let microclusterWindow = "simplifier.microclusterWindow"
        public static let minFixedLength = "simplifier.minFixedLength"
        public static let minRowsForShortBinaryFixed = "simplifier.minRowsForShortBinaryFixed"
        public static let trimPartialTokens = "simplifier.trimPartialTokens"
        public static let relativeLengthSlack = "simplifier.relativeLengthSlack"
        public static let minimumLengthSlack = "simplifier.minimumLengthSlack"
        public static let minRequestsToGeneralise = "simplifier.minRequestsToGeneralise"
        public static let minRequestsForWildcard = "simplifier.minRequestsForWildcard"
        public static let generaliseLoneArguments = "simplifier.generaliseLoneArguments"
        public static let respArguments = "simplifier.respArguments"
        public static let separateServerCloses = "simplifier.separateServerCloses"
        public static let maxFanout = "simplifier.maxFanout"
        public static let maxStates = "simplifier.maxStates"
        public static let fanoutThresholdStep = "simplifier.fanoutThresholdStep"
        public static let mergeContexts = "simplifier.mergeContexts"
        public static let minMergeEvidence = "simplifier.minMergeEvidence"
        public static let shareHistoryIndependentCommands = "simplifier.shareHistoryIndependentCommands"
        public static let mergeBinaryReplySimilarity = "simplifier.mergeBinaryReplySimilarity"
        public static let minConflictObservations = "simplifier.minConflictObservations"
        public static let maxMergeAttempts = "simplifier.maxMergeAttempts"
        public static let mergeFrequencyBound = "simplifier.mergeFrequencyBound"
    }

    /// The options as model-file parameters.
    public var parameters: LearningParameters {
        typealias Name = ParameterName
        return LearningParameters([
            Name.macroclusterThreshold: .number(macroclusterThreshold),
            Name.maxAlignedSamples: .integer(maxAlignedSamples),
            Name.maxLeadingTokens: .integer(maxLeadingTokens),
            Name.maxDistinctValues: .integer(maxDistinctValues),
            Name.minValueShare: .number(minValueShare),
            Name.minValueRequests: .integer(minValueRequests),
            Name.minValueCoverage: .number(minValueCoverage),
            Name.microclusterWindow: .integer(microclusterWindow),
            Name.minFixedLength: .integer(minFixedLength),
            Name.minRowsForShortBinaryFixed: .integer(minRowsForShortBinaryFixed),
            Name.trimPartialTokens: .integer(trimPartialTokens ? 1 : 0),
            Name.relativeLengthSlack: .number(relativeLengthSlack),
            Name.minimumLengthSlack: .integer(minimumLengthSlack),
            Name.minRequestsToGeneralise: .integer(minRequestsToGeneralise),
            Name.minRequestsForWildcard: .integer(minRequestsForWildcard),
            Name.generaliseLoneArguments: .integer(generaliseLoneArguments ? 1 : 0),
            Name.respArguments: .integer(respArguments ? 1 : 0),
            Name.separateServerCloses: .integer(separateServerCloses ? 1 : 0),
            Name.maxFanout: .integer(maxFanout),
            Name.maxStates: .integer(maxStates),
            Name.fanoutThresholdStep: .number(fanoutThresholdStep),
            // Switches as integers 0/1, so `--simplifier mergeContexts=0` can set them.
            Name.mergeContexts: .integer(mergeContexts ? 1 : 0),
            Name.minMergeEvidence: .integer(minMergeEvidence),
            Name.shareHistoryIndependentCommands: .integer(shareHistoryIndependentCommands ? 1 : 0),
            Name.mergeBinaryReplySimilarity: .number(mergeBinaryReplySimilarity),
            Name.minConflictObservations: .integer(minConflictObservations),
            Name.maxMergeAttempts: .integer(maxMergeAttempts),
            Name.mergeFrequencyBound: .number(mergeFrequencyBound),
        ])
    }

    /// The options recorded in a model's parameters; defaults for the ones it lacks (other
    /// stages' names are ignored).
    public init(parameters: LearningParameters) {
        typealias Name = ParameterName
        self.init(
            macroclusterThreshold: parameters.number(Name.macroclusterThreshold) ?? Self.defaultMacroclusterThreshold,
            maxAlignedSamples: parameters.integer(Name.maxAlignedSamples) ?? Self.defaultMaxAlignedSamples,
            maxLeadingTokens: parameters.integer(Name.maxLeadingTokens) ?? Self.defaultMaxLeadingTokens,
            maxDistinctValues: parameters.integer(Name.maxDistinctValues) ?? Self.defaultMaxDistinctValues,
            minValueShare: parameters.number(Name.minValueShare) ?? Self.defaultMinValueShare,
            minValueRequests: parameters.integer(Name.minValueRequests) ?? Self.defaultMinValueRequests,
            minValueCoverage: parameters.number(Name.minValueCoverage) ?? Self.defaultMinValueCoverage,
            microclusterWindow: parameters.integer(Name.microclusterWindow) ?? Self.defaultMicroclusterWindow,
            minFixedLength: parameters.integer(Name.minFixedLength) ?? Self.defaultMinFixedLength,
            minRowsForShortBinaryFixed: parameters.integer(Name.minRowsForShortBinaryFixed) ?? Self.defaultMinRowsForShortBinaryFixed,
            trimPartialTokens: Self.switchValue(parameters, Name.trimPartialTokens) ?? Self.defaultTrimPartialTokens,
            relativeLengthSlack: parameters.number(Name.relativeLengthSlack) ?? Self.defaultRelativeLengthSlack,
            minimumLengthSlack: parameters.integer(Name.minimumLengthSlack) ?? Self.defaultMinimumLengthSlack,
            minRequestsToGeneralise: parameters.integer(Name.minRequestsToGeneralise) ?? Self.defaultMinRequestsToGeneralise,
            minRequestsForWildcard: parameters.integer(Name.minRequestsForWildcard) ?? Self.defaultMinRequestsForWildcard,
            generaliseLoneArguments: Self.switchValue(parameters, Name.generaliseLoneArguments) ?? Self.defaultGeneraliseLoneArguments,
            respArguments: Self.switchValue(parameters, Name.respArguments) ?? Self.defaultRespArguments,
            separateServerCloses: Self.switchValue(parameters, Name.separateServerCloses) ?? Self.defaultSeparateServerCloses,
            maxFanout: parameters.integer(Name.maxFanout) ?? Self.defaultMaxFanout,
            maxStates: parameters.integer(Name.maxStates) ?? Self.defaultMaxStates,
            fanoutThresholdStep: parameters.number(Name.fanoutThresholdStep) ?? Self.defaultFanoutThresholdStep,
            mergeContexts: Self.switchValue(parameters, Name.mergeContexts) ?? Self.defaultMergeContexts,
            minMergeEvidence: parameters.integer(Name.minMergeEvidence) ?? Self.defaultMinMergeEvidence,
            shareHistoryIndependentCommands: Self.switchValue(parameters, Name.shareHistoryIndependentCommands) ?? Self.defaultShareHistoryIndependentCommands,
            mergeBinaryReplySimilarity: parameters.number(Name.mergeBinaryReplySimilarity) ?? Self.defaultMergeBinaryReplySimilarity,
            minConflictObservations: parameters.integer(Name.minConflictObservations) ?? Self.defaultMinConflictObservations,
            maxMergeAttempts: parameters.integer(Name.maxMergeAttempts) ?? Self.defaultMaxMergeAttempts,
            mergeFrequencyBound: parameters.number(Name.mergeFrequencyBound) ?? Self.defaultMergeFrequencyBound
        )
    }

    /// A switch stored as an integer (0 off, anything else on) or a flag.
    private static func switchValue(_ parameters: LearningParameters, _ name: String) -> Bool? {
        switch parameters[name] {
        case .integer(let value): value != 0
        case .flag(let value): value
        default: nil
        }
    }

    /// The macroclustering options for one attempt at `threshold`.
    func clusteringOptions(threshold: Double) -> ClusteringOptions {
        ClusteringOptions(
            threshold: threshold, maxAlignedSamples: max(2, maxAlignedSamples))
    }
}
