import ScriptGenEmulation
import ScriptGenModel

/// The State Machine Simplifier (docs/simplifier.md): replaces the exact edges of a raw prefix tree by a
/// few generalised edges, merging the subtrees behind the edges of each cluster.
///
/// Top-down from the root, one group of merged raw states at a time (breadth-first): the
/// group's replies, visits, endings, server closes and cut requests are pooled; its outgoing
/// requests are macroclustered, aligned, analysed and microclustered into final clusters, one
/// edge each; the raw targets of an edge's requests form the next group. docs/simplifier.md
/// has the rules. Pure and deterministic: the same machine and options give the same result.
public enum Simplifier {
    /// The simplified machine and what was done. States are numbered depth-first from the root
    /// along the edge order (heaviest first), like the builder's, so every subtree is a
    /// contiguous range.
    /// `observers`: per raw state, the client addresses that observed each reply
    /// (`BuiltMachine.observers`), for replies that name their client.
    public static func simplify(_ machine: StateMachine, options: SimplifierOptions = SimplifierOptions(),
                                observers: [[Reply: [[UInt8]]]] = []) -> (StateMachine, SimplificationReport) {
        let result = simplifyTracing(machine, options: options, observers: observers)
        return (result.machine, result.report)
    }

    /// `simplify`, plus for every raw state the simplified state it was merged into (nil for
    /// raw states behind edges cut by `maxStates`).
    static func simplifyTracing(_ machine: StateMachine, options: SimplifierOptions, observers: [[Reply: [[UInt8]]]] = []) -> (machine: StateMachine, report: SimplificationReport, stateOfRaw: [StateID?]) {
        let rawStatistics = machine.statistics
        var report = SimplificationReport(transport: machine.transport, port: machine.port, rawStates: rawStatistics.states, rawEdges: rawStatistics.edges)
        guard !machine.states.isEmpty else {
            return (machine, report, [])
        }
        let maxStates = max(1, options.maxStates)
        // Breadth-first: groups[i] are the raw states merged into new state i.
        var groups: [[StateID]] = [[StateMachine.root]]
        var states: [State] = [pooled(groups[0], in: machine)]
        var head = 0
        while head < groups.count {
            let outgoing = OutgoingRequests(group: groups[head], machine: machine)
            let closing = options.separateServerCloses
                ? outgoing.requests.indices.map { ServerCloseSeparation.closes(outgoing.targets[$0], in: machine) } : []
            let edges = generalisedEdges(outgoing, closing: closing, state: head, options: options, report: &report)
            for edge in edges {
                if groups.count >= maxStates {
                    states[head].cutRequests += edge.weight
                    report.edgesCutByStateLimit += 1
                    report.requestsCutByStateLimit += edge.weight
                    continue
                }
                let targets = edge.requests.flatMap { outgoing.targets[$0] }.sorted()
                groups.append(targets)
                states.append(pooled(targets, in: machine))
                states[head].edges.append(Edge(pattern: edge.pattern, weight: edge.weight, target: groups.count - 1))
                if edge.pattern.exactBytes == nil { report.generalisedEdges += 1 } else { report.exactEdges += 1 }
            }
            head += 1
        }
        let simplified = StateMachine(
            transport: machine.transport, port: machine.port, states: states, conversations: machine.conversations
        ).renumberedDepthFirst()
        // Fan-out actions were recorded with breadth-first numbers.
        report.fanoutActions = report.fanoutActions.map { action in
            var action = action
            action.state = simplified.newIndex[action.state]
            return action
        }
        var stateOfRaw = [StateID?](repeating: nil, count: machine.states.count)
        for (index, group) in groups.enumerated() {
            for raw in group { stateOfRaw[raw] = simplified.newIndex[index] }
        }
        var result = simplified.machine
        if options.mergeContexts {
            if let merged = mergedContexts(result, raw: machine, stateOfRaw: stateOfRaw, options: options, report: &report) {
                result = merged.machine
                stateOfRaw = stateOfRaw.map { $0.map { merged.stateOfTree[$0] } }
            }
        }
        if options.generaliseLoneArguments {
            let lone = LoneArguments.generalised(result)
            result = lone.machine
            report.loneArgumentsGeneralised = lone.count
        }
        if options.respArguments {
            let variadic = RespVariadicEdges.added(to: result, maxFanout: options.maxFanout)
            result = variadic.machine
            report.respVariadicEdgesAdded = variadic.count
        }
        let fields = ReplyFieldInference.inferred(result, raw: machine, stateOfRaw: stateOfRaw, observers: observers, options: options)
        result = fields.machine
        if options.requestFraming, machine.transport == .tcp {
            let requests = machine.states.flatMap { $0.edges.compactMap(\.pattern.exactBytes) }.filter { !$0.isEmpty }
            result.requestFraming = LengthFramingInference.framingRules(requests, options: options).first
            report.requestFraming = result.requestFraming
        }
        report.replyFields = fields.fieldsByClass
        report.repliesJoinedIntoTemplates = fields.repliesJoined
        report.unexplainedReplyRuns = fields.unexplainedRuns
        let statistics = result.statistics
        report.states = statistics.states
        report.edges = statistics.edges
        return (result, report, stateOfRaw)
    }

    /// Context merging (`ContextMerger`) on the simplified tree; nil when it would exceed
    /// `maxStates` or `maxFanout` (the tree is kept, `report.contextMergingSkipped` says so).
    static func mergedContexts(_ tree: StateMachine, raw: StateMachine, stateOfRaw: [StateID?], options: SimplifierOptions, report: inout SimplificationReport) -> ContextMerger.Result? {
        // The training requests of each tree edge, by the tree state it leads to.
        var incoming = [[[UInt8]]](repeating: [], count: tree.states.count)
        for (rawState, state) in raw.states.enumerated() where stateOfRaw[rawState] != nil {
            for edge in state.edges {
                guard let request = edge.pattern.exactBytes, let target = stateOfRaw[edge.target] else { continue }
                if !incoming[target].contains(request) { incoming[target].append(request) }
            }
        }
        // Never larger than the raw tree: no simplification grows a machine.
        var merger = ContextMerger(tree: tree, incoming: incoming, maxStates: raw.states.count, options: options)
        guard let merged = merger.run() else {
            report.contextMergingSkipped = true
            return nil
        }
        report.contexts = merged.contexts
        report.mergesAccepted = merged.mergesAccepted
        report.mergesRefused = merged.mergesRefused
        report.sharedEdgesAdded = merged.sharedEdgesAdded
        return merged
    }

    /// One state's new edge before its target exists.
    struct PlannedEdge {
        var pattern: Pattern
        var weight: Int
        /// Indices into `OutgoingRequests.requests`, ascending.
        var requests: [Int]
    }

    /// The edges of one group: generalised, within the fan-out, requests the server closed
    /// after kept apart (`closing`, per request; empty: not), routed the way the emulator will
    /// route them, heaviest first (ties: the edge whose first request was seen first).
    static func generalisedEdges(
        _ outgoing: OutgoingRequests, closing: [Bool] = [], state: StateID, options: SimplifierOptions, report: inout SimplificationReport
    ) -> [PlannedEdge] {
        let maxFanout = max(1, options.maxFanout)
        var generaliser = EdgeGeneraliser(options: options, requests: outgoing.requests, weights: outgoing.weights)
        var threshold = options.macroclusterThreshold
        var microclustering = true
        var finals = generaliser.generalise(threshold: threshold, microclustering: microclustering)
        let firstCount = finals.count + outgoing.opaque.count
        var mergedIntoCatchAll = 0
        if firstCount > maxFanout {
            // Raise the threshold step by step, then drop microclustering, then merge.
            let step = max(0.01, options.fanoutThresholdStep)
            while finals.count + outgoing.opaque.count > maxFanout && threshold < 1 {
                threshold = min(1, threshold + step)
                finals = generaliser.generalise(threshold: threshold, microclustering: true)
            }
            if finals.count + outgoing.opaque.count > maxFanout {
                microclustering = false
                finals = generaliser.generalise(threshold: threshold, microclustering: false)
            }
            let room = max(0, maxFanout - 1 - outgoing.opaque.count)
            if finals.count + outgoing.opaque.count > maxFanout {
                let order = finals.indices.sorted { weight(of: finals[$0], outgoing) > weight(of: finals[$1], outgoing) || (weight(of: finals[$0], outgoing) == weight(of: finals[$1], outgoing) && $0 < $1) }
                let kept = Set(order.prefix(room))
                let merged = finals.indices.filter { !kept.contains($0) }
                mergedIntoCatchAll = merged.count
                let members = merged.flatMap { finals[$0].members }.sorted()
                let catchAll = FinalCluster(
                    pattern: Pattern(elements: [PatternBuilder(options: options).gap(for: members.map { outgoing.requests[$0] })]),
                    members: members)
                finals = finals.indices.filter { kept.contains($0) }.map { finals[$0] } + [catchAll]
            }
        }
        report.macroclusters += generaliser.tally.macroclusters
        report.microclusterSplits += generaliser.tally.microclusterSplits
        report.leadingTokenSplits += generaliser.tally.leadingTokenSplits
        report.sampledRequests += generaliser.tally.sampled
        report.assignedRequests += generaliser.tally.assigned
        report.patternsWidened += generaliser.tally.widened
        report.unassignedKeptExact += generaliser.tally.keptExact
        if !closing.isEmpty {
            let separation = ServerCloseSeparation.separated(
                finals, outgoing: outgoing, closing: closing, options: options, maxEdges: maxFanout - outgoing.opaque.count)
            finals = separation.finals
            report.edgesSeparatedByServerClose += separation.added
        }

        var routing = EdgeRouting(finals: finals, outgoing: outgoing)
        routing.route()
        report.requestsRerouted += routing.moves
        report.edgesEmptiedByRerouting += routing.emptied
        var edges = routing.orderedEdges()
        for opaque in outgoing.opaque {
            edges.append(PlannedEdge(pattern: opaque.pattern, weight: outgoing.weights[opaque.request], requests: [opaque.request]))
        }
        let finalCount = edges.count
        if firstCount > maxFanout {
            report.fanoutActions.append(SimplificationReport.FanoutAction(
                state: state, edgesBefore: firstCount, edgesAfter: finalCount, threshold: threshold,
                microclusteringDisabled: !microclustering, edgesMergedIntoCatchAll: mergedIntoCatchAll))
        }
        return edges
    }

    static func weight(of cluster: FinalCluster, _ outgoing: OutgoingRequests) -> Int {
        cluster.members.reduce(0) { $0 + outgoing.weights[$1] }
    }

    /// The state standing for a group of raw states: replies pooled (identical replies' counts
    /// summed; most frequent first, ties by first seen in the group's order), visits, endings,
    /// server closes and cut requests summed. Edges are added later.
    static func pooled(_ group: [StateID], in machine: StateMachine) -> State {
        var state = State()
        for raw in group {
            state.visits += machine.states[raw].visits
            state.endings += machine.states[raw].endings
            state.serverCloses += machine.states[raw].serverCloses
            state.cutRequests += machine.states[raw].cutRequests
        }
        state.replies = ObservedReply.pooled(group.map { machine.states[$0].replies })
        return state
    }
}

/// The requests leaving a group of raw states: identical request bytes merged (weights summed,
/// targets collected), in order of first appearance (raw states ascending, then edge order).
struct OutgoingRequests {
    var requests: [[UInt8]] = []
    var weights: [Int] = []
    /// Raw target states per request.
    var targets: [[StateID]] = []
    /// Edges whose pattern is not exact (an already simplified machine): kept as they are, one
    /// edge per distinct pattern. `request` indexes `weights` and `targets` (its `requests`
    /// entry is empty).
    var opaque: [(pattern: Pattern, request: Int)] = []

    init(group: [StateID], machine: StateMachine) {
        var index: [[UInt8]: Int] = [:]
        var opaqueIndex: [Pattern: Int] = [:]
        var exactRequests: [[UInt8]] = [], exactWeights: [Int] = [], exactTargets: [[StateID]] = []
        var opaqueWeights: [Int] = [], opaqueTargets: [[StateID]] = [], opaquePatterns: [Pattern] = []
        for raw in group {
            for edge in machine.states[raw].edges {
                if let bytes = edge.pattern.exactBytes {
                    if let existing = index[bytes] {
                        exactWeights[existing] += edge.weight
                        exactTargets[existing].append(edge.target)
                    } else {
                        index[bytes] = exactRequests.count
                        exactRequests.append(bytes)
                        exactWeights.append(edge.weight)
                        exactTargets.append([edge.target])
                    }
                } else if let existing = opaqueIndex[edge.pattern] {
                    opaqueWeights[existing] += edge.weight
                    opaqueTargets[existing].append(edge.target)
                } else {
                    opaqueIndex[edge.pattern] = opaquePatterns.count
                    opaquePatterns.append(edge.pattern)
                    opaqueWeights.append(edge.weight)
                    opaqueTargets.append([edge.target])
                }
            }
        }
        requests = exactRequests
        weights = exactWeights + opaqueWeights
        targets = exactTargets + opaqueTargets
        opaque = opaquePatterns.enumerated().map { ($0.element, exactRequests.count + $0.offset) }
    }
}
