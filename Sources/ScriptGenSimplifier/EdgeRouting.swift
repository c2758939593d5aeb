import ScriptGenEmulation
import ScriptGenModel

/// Makes each training request follow, in the simplified state, the edge the emulator will
/// choose for it: among the edges whose pattern matches it, the one with the most fixed bytes,
/// then the highest weight, then the lowest index (`CompiledMachine.matchingEdge`).
///
/// A request whose own edge is not that edge moves to it (it matches it, so every request
/// still matches its edge). Moving changes weights and so the order, hence rounds until nothing
/// moves (bounded; in practice two rounds). Edges left empty are dropped.
struct EdgeRouting {
    private var finals: [FinalCluster]
    private let compiled: [CompiledPattern]
    private let weights: [Int]
    private let requests: [[UInt8]]
    private(set) var moves = 0
    private(set) var emptied = 0
    /// Rounds before giving up on a fixed point (the last assignment then stands).
    static let maxRounds = 16

    init(finals: [FinalCluster], outgoing: OutgoingRequests) {
        self.finals = finals
        self.compiled = finals.map { CompiledPattern($0.pattern) }
        self.weights = outgoing.weights
        self.requests = outgoing.requests
    }

    mutating func route() {
        // Which edges match each request does not change: computed once.
        var owner: [Int: Int] = [:]
        for (edge, cluster) in finals.enumerated() {
            for request in cluster.members { owner[request] = edge }
        }
        let requestList = owner.keys.sorted()
        let matching = requestList.map { request in
            compiled.indices.filter { compiled[$0].matches(requests[request]) }
        }
        for _ in 0..<Self.maxRounds {
            let rank = ranks()
            var moved = false
            for (position, request) in requestList.enumerated() {
                let current = owner[request]!
                guard let preferred = matching[position].min(by: { better($0, than: $1, rank: rank) }) else { continue }
                if preferred != current && better(preferred, than: current, rank: rank) {
                    owner[request] = preferred
                    moves += 1
                    moved = true
                }
            }
            for index in finals.indices { finals[index].members = [] }
            for request in requestList { finals[owner[request]!].members.append(request) }
            if !moved { break }
        }
        emptied = finals.filter(\.members.isEmpty).count
    }

    /// Whether edge `a` beats edge `b` for a request both match.
    private func better(_ a: Int, than b: Int, rank: [Int]) -> Bool {
        let fixedA = compiled[a].fixedByteCount, fixedB = compiled[b].fixedByteCount
        if fixedA != fixedB { return fixedA > fixedB }
        return rank[a] < rank[b]
    }

    private func weight(_ edge: Int) -> Int {
        finals[edge].members.reduce(0) { $0 + weights[$1] }
    }

    /// Each edge's index in the final order: heaviest first, ties by first request.
    private func ranks() -> [Int] {
        let order = finalOrder()
        var rank = [Int](repeating: Int.max, count: finals.count)
        for (position, edge) in order.enumerated() { rank[edge] = position }
        return rank
    }

    private func finalOrder() -> [Int] {
        let weight = finals.indices.map(weight)
        return finals.indices.filter { !finals[$0].members.isEmpty }.sorted {
            weight[$0] != weight[$1] ? weight[$0] > weight[$1] : finals[$0].members.min()! < finals[$1].members.min()!
        }
    }

    /// The non-empty edges in the emulator's index order.
    func orderedEdges() -> [Simplifier.PlannedEdge] {
        finalOrder().map { edge in
            Simplifier.PlannedEdge(pattern: finals[edge].pattern, weight: weight(edge), requests: finals[edge].members.sorted())
        }
    }
}
