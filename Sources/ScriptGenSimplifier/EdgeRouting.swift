import ScriptGenEmulation
import ScriptGenModel

/// Makes each training request follow, in the simplified state, the edge the emulator will
/// choose for it: among the edges whose pattern matches it, the one `EdgePreference` prefers
/// (the emulator's rule: most fixed bytes, then the highest weight, then the lowest index).
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
            let preference = preferences()
            var moved = false
            for (position, request) in requestList.enumerated() {
                let current = owner[request]!
                guard let preferred = matching[position].min(by: { preference[$0].beats(preference[$1]) }) else { continue }
                if preferred != current && preference[preferred].beats(preference[current]) {
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

    private func weight(_ edge: Int) -> Int {
        finals[edge].members.reduce(0) { $0 + weights[$1] }
    }

    /// Each edge as the emulator will weigh it: its weight now and, as its order, its first
    /// request (the final order sorts ties by it); an emptied edge loses every tie.
    private func preferences() -> [EdgePreference] {
        finals.indices.map { edge in
            EdgePreference(fixedBytes: compiled[edge].fixedByteCount, weight: weight(edge), order: finals[edge].members.min() ?? Int.max)
        }
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
