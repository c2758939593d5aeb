/// Figures that describe a machine's size and shape (what `inspect` and the learn summary show).
public struct MachineStatistics: Hashable, Sendable {
    public var states: Int
    /// Edges, a table shared by several states (a merged context, `edgesOf` in the file)
    /// counted once: what the model holds, not what each state sees.
    public var edges: Int
    /// Longest shortest path from the root, in edges (the tree depth for a raw prefix tree).
    public var depth: Int
    /// Most edges leaving one state.
    public var largestFanout: Int
    /// Sum of `State.cutRequests`: requests the limits kept out of the machine (`Int.max` if
    /// the sum overflows, as only a hand-edited file can make it).
    public var cutRequests: Int
    /// Sum of `State.endings` (`Int.max` if the sum overflows).
    public var endings: Int

    public init(states: Int, edges: Int, depth: Int, largestFanout: Int, cutRequests: Int, endings: Int) {
        self.states = states
        self.edges = edges
        self.depth = depth
        self.largestFanout = largestFanout
        self.cutRequests = cutRequests
        self.endings = endings
    }
}

extension StateMachine {
    public var statistics: MachineStatistics {
        var edges = 0, largestFanout = 0, cutRequests = 0, endings = 0
        var seenTables = Set<[Edge]>()
        for state in states {
            if state.edges.count <= 1 || seenTables.insert(state.edges).inserted { edges += state.edges.count }
            largestFanout = max(largestFanout, state.edges.count)
            cutRequests = cutRequests.addingSaturating(state.cutRequests)
            endings = endings.addingSaturating(state.endings)
        }
        return MachineStatistics(
            states: states.count, edges: edges, depth: depthByState().compactMap { $0 }.max() ?? 0,
            largestFanout: largestFanout, cutRequests: cutRequests, endings: endings
        )
    }

    /// Shortest distance in edges from the root to each state; nil for unreachable states.
    /// Breadth-first, so it terminates on machines with cycles (a simplified machine may have them).
    public func depthByState() -> [Int?] {
        var depth = [Int?](repeating: nil, count: states.count)
        guard !states.isEmpty else { return depth }
        depth[Self.root] = 0
        var frontier = [Self.root]
        var level = 0
        while !frontier.isEmpty {
            level += 1
            var next = [StateID]()
            for state in frontier {
                for edge in states[state].edges where states.indices.contains(edge.target) && depth[edge.target] == nil {
                    depth[edge.target] = level
                    next.append(edge.target)
                }
            }
            frontier = next
        }
        return depth
    }
}
