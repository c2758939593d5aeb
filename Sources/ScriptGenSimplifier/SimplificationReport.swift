import ScriptGenModel

/// What the simplifier did to one machine: its size before and after, and every decision that
/// changed the result (splits, sampling, limits).
public struct SimplificationReport: Hashable, Sendable {
    /// A state whose edges exceeded `maxFanout` and what was done about it.
    public struct FanoutAction: Hashable, Sendable {
        /// The simplified state (its final number).
        public var state: StateID
        /// Edges of the first attempt at the configured threshold.
        public var edgesBefore: Int
        /// Edges in the end.
        public var edgesAfter: Int
        /// The macroclustering threshold that was finally used.
        public var threshold: Double
        /// Microclustering was switched off for this state.
        public var microclusteringDisabled: Bool
        /// Edges merged into one catch-all edge as the last resort (0 if none).
        public var edgesMergedIntoCatchAll: Int

        public init(state: StateID, edgesBefore: Int, edgesAfter: Int, threshold: Double, microclusteringDisabled: Bool, edgesMergedIntoCatchAll: Int) {
            self.state = state
            self.edgesBefore = edgesBefore
            self.edgesAfter = edgesAfter
            self.threshold = threshold
            self.microclusteringDisabled = microclusteringDisabled
            self.edgesMergedIntoCatchAll = edgesMergedIntoCatchAll
        }
    }

    public var transport: StateMachine.Transport
    public var port: UInt16
    public var rawStates: Int
    public var rawEdges: Int
    public var states: Int
    public var edges: Int
    /// Macroclusters formed over all states (UPGMA cuts).
    public var macroclusters: Int
    /// Microclustering splits (one per region that split a cluster).
    public var microclusterSplits: Int
    /// Parts made by splitting a text cluster on its leading token (see docs/simplifier.md).
    public var leadingTokenSplits: Int
    /// Edges whose pattern has at least one variable element.
    public var generalisedEdges: Int
    /// Edges kept as one exact request.
    public var exactEdges: Int
    /// Distinct requests aligned pairwise, over all states.
    public var sampledRequests: Int
    /// Distinct requests placed by nearest representative because a state exceeded
    /// `maxAlignedSamples`; each then went to the final edge whose pattern matches it.
    public var assignedRequests: Int
    /// Of those, requests no final pattern matched: a pattern's gaps were widened to take them.
    public var patternsWidened: Int
    /// Of those, requests that matched nothing and could not be fitted: kept as exact edges.
    public var unassignedKeptExact: Int
    /// Distinct requests moved to another edge of their state because the emulator's
    /// preference (most fixed bytes, then weight) would route them there.
    public var requestsRerouted: Int
    /// Edges left without requests by rerouting (dropped).
    public var edgesEmptiedByRerouting: Int
    /// Edges made for the requests after which the real server closed (or did not) apart from
    /// the rest of their cluster (`separateServerCloses`).
    public var edgesSeparatedByServerClose: Int
    public var fanoutActions: [FanoutAction]
    /// Edges not made because the machine had `maxStates` states, and the conversations
    /// (weight) they carried, counted in their state's `cutRequests`.
    public var edgesCutByStateLimit: Int
    public var requestsCutByStateLimit: Int
    /// Context merging (0 when off): contexts in the end, tree states merged into a context,
    /// tentative merges refused (conflicting replies or too little evidence), and edges added
    /// for history-independent commands.
    public var contexts: Int
    public var mergesAccepted: Int
    public var mergesRefused: Int
    public var sharedEdgesAdded: Int
    /// Context merging would have exceeded `maxStates` or `maxFanout`: the tree was kept.
    public var contextMergingSkipped: Bool
    /// Edges of one-line commands seen once whose argument became a gap
    /// (`generaliseLoneArguments`; a command shared by several states counts once per state).
    public var loneArgumentsGeneralised: Int
    /// Variadic edges added for RESP commands (`RespVariadicEdges`; per state, like shared edges).
    public var respVariadicEdgesAdded: Int
    /// Reply fields learned, by class name (`ReplyField.classNames`; `ReplyFieldInference`).
    public var replyFields: [String: Int]
    /// Replies that joined another's template: equal outside their fields.
    public var repliesJoinedIntoTemplates: Int
    /// Runs of reply bytes that differed between observations of one reply shape in a state
    /// and that no field explains: replayed as observed.
    public var unexplainedReplyRuns: Int
    /// The length field the clients' requests carry, if they do (`requestFraming`).
    public var requestFraming: LengthFraming?

    public init(transport: StateMachine.Transport, port: UInt16, rawStates: Int, rawEdges: Int) {
        self.transport = transport
        self.port = port
        self.rawStates = rawStates
        self.rawEdges = rawEdges
        states = 0
        edges = 0
        macroclusters = 0
        microclusterSplits = 0
        leadingTokenSplits = 0
        generalisedEdges = 0
        exactEdges = 0
        sampledRequests = 0
        assignedRequests = 0
        patternsWidened = 0
        unassignedKeptExact = 0
        requestsRerouted = 0
        edgesEmptiedByRerouting = 0
        edgesSeparatedByServerClose = 0
        fanoutActions = []
        edgesCutByStateLimit = 0
        requestsCutByStateLimit = 0
        contexts = 0
        mergesAccepted = 0
        mergesRefused = 0
        sharedEdgesAdded = 0
        contextMergingSkipped = false
        loneArgumentsGeneralised = 0
        respVariadicEdgesAdded = 0
        replyFields = [:]
        repliesJoinedIntoTemplates = 0
        requestFraming = nil
        unexplainedReplyRuns = 0
    }

    /// One line per figure, for the CLI and logs.
    public var summary: String {
        var lines = [
            "\(transport.rawValue)/\(port): \(rawStates) states, \(rawEdges) edges -> \(states) states, \(edges) edges",
            "  \(macroclusters) macroclusters, \(microclusterSplits) microcluster splits, \(leadingTokenSplits) leading-token splits",
            "  \(generalisedEdges) generalised edges, \(exactEdges) exact edges",
            "  \(sampledRequests) requests aligned, \(assignedRequests) assigned by nearest representative (\(patternsWidened) widened, \(unassignedKeptExact) kept exact)",
            "  \(requestsRerouted) requests rerouted to the edge the emulator prefers (\(edgesEmptiedByRerouting) edges emptied)",
        ]
        if edgesSeparatedByServerClose > 0 {
            lines.append("  \(edgesSeparatedByServerClose) edges for requests the server closed after (or not), apart from their cluster")
        }
        for action in fanoutActions {
            lines.append("  state \(action.state): \(action.edgesBefore) edges over the fan-out limit -> \(action.edgesAfter) (threshold \(action.threshold)\(action.microclusteringDisabled ? ", microclustering off" : "")\(action.edgesMergedIntoCatchAll > 0 ? ", \(action.edgesMergedIntoCatchAll) merged into a catch-all" : ""))")
        }
        if contexts > 0 {
            lines.append("  \(contexts) contexts: \(mergesAccepted) states merged, \(mergesRefused) merges refused, \(sharedEdgesAdded) edges shared")
        }
        if contextMergingSkipped {
            lines.append("  context merging skipped: it would exceed maxStates or maxFanout")
        }
        if loneArgumentsGeneralised > 0 {
            lines.append("  \(loneArgumentsGeneralised) edges of commands seen once got a gap for their argument")
        }
        if respVariadicEdgesAdded > 0 {
            lines.append("  \(respVariadicEdgesAdded) variadic edges added for RESP commands")
        }
        let fields = ReplyField.classNames.map { "\(replyFields[$0, default: 0]) \($0)" }.joined(separator: ", ")
        lines.append("  reply fields: \(fields); \(repliesJoinedIntoTemplates) replies joined into templates; \(unexplainedReplyRuns) varying runs replayed as observed")
        if let framing = requestFraming {
            lines.append("  requests framed by a \(framing.encoding.name) length at byte \(framing.offset), counting from byte \(framing.spanStart)")
        }
        if edgesCutByStateLimit > 0 {
            lines.append("  \(edgesCutByStateLimit) edges (\(requestsCutByStateLimit) conversations) cut by the state limit")
        }
        return lines.joined(separator: "\n")
    }
}
