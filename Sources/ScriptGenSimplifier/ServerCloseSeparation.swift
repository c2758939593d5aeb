import ScriptGenEmulation
import ScriptGenModel

/// `separateServerCloses`: keeps the requests after which the real server closed the connection
/// apart from those after which it did not, so each kind reaches a state of its own and the
/// emulator closes after the one only.
///
/// Edge generalisation looks at requests only: `GET / HTTP/1.0` (Apache answers and closes) and
/// the `GET`s of HTTP/1.1 (kept alive) are one cluster and one pattern, and the pooled state
/// counts the closes of the few among the many, too few to close on. Per final cluster whose
/// requests disagree, the side with more conversations keeps the cluster's pattern (it stays as
/// general as before, for the requests training never showed) and the other side gets edges of
/// its own, more specific, which the emulator prefers for its requests: its requests
/// generalised alone when that pattern matches none of the kept side's requests and has more
/// fixed bytes than the cluster's, otherwise one exact edge per request seen in at least
/// `minConflictObservations` conversations (one observation of a request is no evidence, and
/// an exact edge per single request would only grow the model without closing on anything
/// new). Requests of neither kind stay with the cluster.
enum ServerCloseSeparation {
    /// Whether the real server closed after more than half of the visits of `targets`
    /// together: the emulator's default rule (`EmulationOptions.defaultServerCloseShare`).
    static func closes(_ targets: [StateID], in machine: StateMachine) -> Bool {
        var closes = 0, visits = 0
        for target in targets {
            closes += machine.states[target].serverCloses
            visits += machine.states[target].visits
        }
        return EmulationOptions.closes(serverCloses: closes, visits: visits)
    }

    /// `finals` with each mixed cluster split as described above, and how many edges the
    /// split sides added. Unchanged when the result would have more than `maxEdges` clusters.
    static func separated(
        _ finals: [FinalCluster], outgoing: OutgoingRequests, closing: [Bool], options: SimplifierOptions, maxEdges: Int
    ) -> (finals: [FinalCluster], added: Int) {
        var result: [FinalCluster] = []
        var added = 0
        for cluster in finals {
            let closers = cluster.members.filter { closing[$0] }
            let others = cluster.members.filter { !closing[$0] }
            guard !closers.isEmpty, !others.isEmpty else {
                result.append(cluster)
                continue
            }
            func conversations(_ members: [Int]) -> Int { members.reduce(0) { $0 + outgoing.weights[$1] } }
            let (kept, apart) = conversations(closers) > conversations(others) ? (closers, others) : (others, closers)
            let parts = specificClusters(for: apart, beside: kept, general: cluster.pattern, outgoing: outgoing, options: options)
            let separated = Set(parts.flatMap(\.members))
            result.append(FinalCluster(pattern: cluster.pattern, members: cluster.members.filter { !separated.contains($0) }))
            result += parts
            added += parts.count
        }
        guard result.count <= maxEdges else { return (finals, 0) }
        return (result, added)
    }

    /// Clusters for the `apart` requests that the emulator prefers to `general` for each of
    /// them and that match none of the `kept` requests (`apart` requests in none stay behind).
    private static func specificClusters(
        for apart: [Int], beside kept: [Int], general: Pattern, outgoing: OutgoingRequests, options: SimplifierOptions
    ) -> [FinalCluster] {
        func exact(_ members: [Int]) -> [FinalCluster] {
            members.filter { outgoing.weights[$0] >= max(1, options.minConflictObservations) }
                .map { FinalCluster(pattern: .exact(outgoing.requests[$0]), members: [$0]) }
        }
        guard apart.count >= max(2, options.minRequestsToGeneralise) else { return exact(apart) }
        var generaliser = EdgeGeneraliser(
            options: options, requests: apart.map { outgoing.requests[$0] }, weights: apart.map { outgoing.weights[$0] })
        let generalFixed = CompiledPattern(general).fixedByteCount
        var result: [FinalCluster] = []
        for part in generaliser.generalise(threshold: options.macroclusterThreshold, microclustering: true) {
            let members = part.members.map { apart[$0] }
            let compiled = CompiledPattern(part.pattern)
            let specific = part.pattern.exactBytes != nil
                || (compiled.fixedByteCount > generalFixed && !kept.contains { compiled.matches(outgoing.requests[$0]) })
            if specific {
                result.append(FinalCluster(pattern: part.pattern, members: members))
            } else {
                result += exact(members)
            }
        }
        return result
    }
}
