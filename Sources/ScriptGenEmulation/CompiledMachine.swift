import ScriptGenModel

/// A `StateMachine` whose edge patterns are compiled once, shared by every conversation that
/// serves it (copying it is cheap: arrays are shared until written).
public struct CompiledMachine: Hashable, Sendable {
    public let machine: StateMachine
    /// `patterns[state][edge]` is the compiled pattern of `machine.states[state].edges[edge]`.
    public let patterns: [[CompiledPattern]]
    /// Some reply names its client (`ReplyField.Source.clientAddress`): drivers pass the
    /// client's address only then.
    public let namesClient: Bool

    /// Fails when the machine has no root state or an edge points outside `states`.
    public init(_ machine: StateMachine) throws(InvalidMachineError) {
        guard !machine.states.isEmpty else { throw InvalidMachineError(reason: .noRootState, state: nil, edge: nil) }
        for (stateIndex, state) in machine.states.enumerated() {
            for (edgeIndex, edge) in state.edges.enumerated() where !machine.states.indices.contains(edge.target) {
                throw InvalidMachineError(reason: .edgeTargetOutOfRange(edge.target), state: stateIndex, edge: edgeIndex)
            }
        }
        self.machine = machine
        self.namesClient = machine.states.contains { state in
            state.replies.contains { reply in reply.fields.contains { $0.source == .clientAddress } }
        }
        // States of a merged context share one edge table (the same array storage, as the
        // model reader and the simplifier make them): compiled once, stored once. Keyed by the
        // storage, not the contents: hashing every state's table cost more than compiling.
        var compiledTables: [UnsafeRawPointer: [CompiledPattern]] = [:]
        self.patterns = machine.states.map { state in
            let storage = state.edges.withUnsafeBufferPointer { $0.baseAddress.map(UnsafeRawPointer.init) }
            if let storage, let compiled = compiledTables[storage] { return compiled }
            let compiled = state.edges.map { CompiledPattern($0.pattern) }
            if let storage { compiledTables[storage] = compiled }
            return compiled
        }
    }

    /// The edge of `state` that a complete request follows, or nil when none matches. Among
    /// several matching edges: the most specific (most fixed bytes), then the highest weight,
    /// then the lowest index.
    public func matchingEdge(for request: some Collection<UInt8>, in state: StateID) -> Int? {
        withContiguousBytes(request) { bytes in
            var scratch = ScanScratch()
            var best: Int?
            // In place: no copy of each pattern.
            patterns[state].withUnsafeBufferPointer { patterns in
                for index in patterns.indices where patterns[index].scan(bytes, scratch: &scratch).longestMatch == bytes.count {
                    if best.map({ isPreferred(index, over: $0, in: state) }) ?? true { best = index }
                }
            }
            return best
        }
    }

    /// The edge of `state` most similar to `request` (see `CompiledPattern.similarity(to:)`),
    /// ties broken like `matchingEdge`; nil when the state has no edges.
    public func closestEdge(to request: some Collection<UInt8>, in state: StateID) -> (edge: Int, score: Double)? {
        withContiguousBytes(request) { bytes in
            var best: (edge: Int, score: Double)?
            for index in patterns[state].indices {
                let score = patterns[state][index].similarity(to: bytes)
                if let current = best {
                    if score > current.score || (score == current.score && isPreferred(index, over: current.edge, in: state)) {
                        best = (index, score)
                    }
                } else {
                    best = (index, score)
                }
            }
            return best
        }
    }

    /// Whether edge `candidate` beats edge `incumbent` of the same state when both qualify.
    func isPreferred(_ candidate: Int, over incumbent: Int, in state: StateID) -> Bool {
        let edges = machine.states[state].edges
        return EdgePreference(fixedBytes: patterns[state][candidate].fixedByteCount, weight: edges[candidate].weight, order: candidate)
            .beats(EdgePreference(fixedBytes: patterns[state][incumbent].fixedByteCount, weight: edges[incumbent].weight, order: incumbent))
    }
}

/// The one rule for which of two edges of a state, both matching a request, the emulator
/// follows: the one with more fixed bytes, then the heavier, then the earlier. The simplifier
/// routes its training requests by it too (`EdgeRouting`), so each request lands on the edge
/// that will answer it.
package struct EdgePreference: Sendable {
    package var fixedBytes: Int
    package var weight: Int
    /// Lower first: the edge's index, or the order the edges will be given.
    package var order: Int

    package init(fixedBytes: Int, weight: Int, order: Int) {
        self.fixedBytes = fixedBytes
        self.weight = weight
        self.order = order
    }

    package func beats(_ other: EdgePreference) -> Bool {
        if fixedBytes != other.fixedBytes { return fixedBytes > other.fixedBytes }
        if weight != other.weight { return weight > other.weight }
        return order < other.order
    }
}

/// A machine the emulator cannot serve.
public struct InvalidMachineError: Error, Hashable, Sendable {
    public enum Reason: Hashable, Sendable {
        case noRootState
        case edgeTargetOutOfRange(StateID)
    }

    public var reason: Reason
    /// The state and edge index holding the problem, when there is one.
    public var state: StateID?
    public var edge: Int?
}
