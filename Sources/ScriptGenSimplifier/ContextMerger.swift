import ScriptGenEmulation
import ScriptGenModel

/// Turns the simplified prefix tree into a graph whose states stand for **contexts** (what the
/// conversation so far means to the server: before login, logged in, inside a mail
/// transaction), so a request is answered the same way whichever path led to its context.
/// docs/simplifier.md, *Context merging*, has the rules; in short:
///
/// 1. **Mealy view.** Each tree state is a context holding **commands**: its edges, each with
///    its patterns, the training requests that took it, the replies it got (the target's) and
///    the target state.
/// 2. **Folding merge.** Merging two contexts unions their commands; two commands **unify**
///    when a pattern of one has the same fixed structure as a pattern of the other (gap bounds
///    aside) or matches one of the other's training requests. Unified commands must have
///    compatible replies (`ReplyCompatibility`), otherwise the merge is refused; their targets
///    are merged in turn (recursively). Every unification counts as one piece of evidence.
/// 3. **Blue-fringe order.** Tree states breadth-first; each one not yet merged is tried against
///    the context of its parent (most commands do not change the context), then against each
///    kept context, and merged into the one with the most evidence (at least
///    `minMergeEvidence`; ties: the parent, then the earliest kept). A state without commands
///    (the conversation ended there) joins its parent's context: nothing says it differs.
///    Otherwise it is kept as a context of its own.
/// 4. **Shared commands.** A command that, everywhere it occurs, leaves its context unchanged
///    and gets compatible replies does not depend on history (`NOOP`, `PWD`, `TYPE I`); it is
///    added as a self-loop to every context that has no command unifying with it (while the
///    context has fewer than `maxFanout` commands), with weight 0: no training conversation
///    took it there. Each such loop is a state of its own in step 5, so they are added, the
///    most taken command first, only while the machine stays no larger than the raw tree.
/// 5. **Moore form.** The model puts replies on states, so each command becomes one state (its
///    target context's edges, its own pooled replies), the root its own. Edge weights count
///    the context's training traffic, so all states of a context share one edge table.
///
/// Training requests still follow an edge to the state holding their reply: commands of one
/// context never overlap on a training request (overlapping ones unify), and shared commands
/// are only added where they overlap nothing.
struct ContextMerger {
    struct Command {
        var patterns: [Pattern]
        var compiled: [CompiledPattern]
        var skeletons: [[Pattern.Element]]
        /// Distinct training requests that took the command (in any merged context).
        var requests: [[UInt8]]
        var replies: [ObservedReply]
        /// Tree states this command leads to (all in one context once merged).
        var members: [StateID]
        /// The earliest tree state among the members: a stable order for commands.
        var firstMember: StateID
        var isShared = false
    }

    struct Result {
        var machine: StateMachine
        /// For each tree state, the merged state it became (the state its incoming command leads to).
        var stateOfTree: [StateID]
        var contexts: Int
        var mergesAccepted: Int
        var mergesRefused: Int
        var sharedEdgesAdded: Int
    }

    private struct EdgeKey: Hashable {
        var target: Int
        var pattern: Int
    }

    let tree: StateMachine
    /// The merged machine has at most this many states (the raw tree's).
    let maxStates: Int
    let options: SimplifierOptions
    let compatibility: ReplyCompatibility

    private var parent: [StateID]
    private var commands: [[Command]]
    /// Undo log of one tentative merge: (state, its parent before, its commands before).
    private var log: [(StateID, StateID, [Command])] = []
    private var evidence = 0

    /// `incoming[t]`: the training requests of the tree edge leading to state `t`.
    init(tree: StateMachine, incoming: [[[UInt8]]], maxStates: Int, options: SimplifierOptions) {
        self.tree = tree
        self.maxStates = maxStates
        self.options = options
        self.compatibility = ReplyCompatibility(binarySimilarity: options.mergeBinaryReplySimilarity, minConflictObservations: options.minConflictObservations)
        parent = Array(tree.states.indices)
        commands = tree.states.map { state in
            state.edges.map { edge in
                Command(
                    patterns: [edge.pattern], compiled: [CompiledPattern(edge.pattern)], skeletons: [Self.skeleton(edge.pattern)],
                    requests: incoming[edge.target].isEmpty ? (edge.pattern.exactBytes.map { [$0] } ?? []) : incoming[edge.target],
                    replies: tree.states[edge.target].replies, members: [edge.target], firstMember: edge.target)
            }
        }
    }

    /// The pattern with its gap bounds erased: what "the same command" means structurally.
    static func skeleton(_ pattern: Pattern) -> [Pattern.Element] {
        pattern.elements.map { element in
            if case .fixed = element { return element }
            return .variable(min: 0, max: 0)
        }
    }

    // MARK: Union-find with undo

    private func find(_ state: StateID) -> StateID {
        var state = state
        while parent[state] != state { state = parent[state] }
        return state
    }

    private mutating func record(_ state: StateID) {
        log.append((state, parent[state], commands[state]))
    }

    private mutating func rollback() {
        while let (state, oldParent, oldCommands) = log.popLast() {
            parent[state] = oldParent
            commands[state] = oldCommands
        }
    }

    private func unifies(_ a: Command, _ b: Command) -> Bool {
        for skeleton in a.skeletons where b.skeletons.contains(skeleton) { return true }
        for pattern in a.compiled where b.requests.contains(where: { pattern.matches($0) }) { return true }
        for pattern in b.compiled where a.requests.contains(where: { pattern.matches($0) }) { return true }
        return false
    }

    /// Whether the real server closed after both commands or after neither (more than half of
    /// their targets' visits; `ServerCloseSeparation.closes`). Always true with
    /// `separateServerCloses` off.
    private func closesAlike(_ a: Command, _ b: Command) -> Bool {
        guard options.separateServerCloses else { return true }
        return ServerCloseSeparation.closes(a.members, in: tree) == ServerCloseSeparation.closes(b.members, in: tree)
    }

    /// Two unifying commands can live side by side in one context when one has only exact
    /// patterns and no request is in both: each training request still reaches its own.
    private static func canStayApart(_ a: Command, _ b: Command) -> Bool {
        let exact = { (command: Command) in command.patterns.allSatisfy { $0.exactBytes != nil } }
        return (exact(a) || exact(b)) && !a.requests.contains(where: b.requests.contains)
    }

    private static func combined(_ a: Command, _ b: Command) -> Command {
        var result = a
        for (index, pattern) in b.patterns.enumerated() where !result.patterns.contains(pattern) {
            result.patterns.append(pattern)
            result.compiled.append(b.compiled[index])
            result.skeletons.append(b.skeletons[index])
        }
        for request in b.requests where !result.requests.contains(request) { result.requests.append(request) }
        result.replies = ObservedReply.pooled([a.replies, b.replies])
        result.members = (a.members + b.members).sorted()
        result.firstMember = min(a.firstMember, b.firstMember)
        result.isShared = a.isShared && b.isShared
        return result
    }

    /// Folds context `y` into context `x` (and, recursively, the targets of the commands they
    /// unify). False when two unified commands have incompatible replies; the caller rolls back.
    private mutating func merge(_ x: StateID, _ y: StateID) -> Bool {
        var pending = [(x, y)]
        while let (first, second) = pending.popLast() {
            let a = find(first), b = find(second)
            if a == b { continue }
            let (keep, drop) = a < b ? (a, b) : (b, a)
            var merged = commands[keep]
            for command in commands[drop] {
                var overlapping = merged.indices.filter { unifies(merged[$0], command) }
                // Incompatible answers: evidence refuses the merge; without it the two stay
                // separate commands when one is exact and they share no request (the emulator
                // prefers the exact one for its own bytes: `GET /` keeps its 200 beside a
                // general `GET <path>` answered 404), else they unify. A command the server
                // closed after and one it did not also stay apart that way
                // (`separateServerCloses`: `GET / HTTP/1.0` beside `GET` of HTTP/1.1), but
                // never refuse a merge.
                for index in overlapping where !compatibility.defaultsCompatible(merged[index].replies, command.replies) {
                    if compatibility.conflictIsEvident(merged[index].replies, command.replies) { return false }
                }
                overlapping.removeAll { index in
                    (!compatibility.defaultsCompatible(merged[index].replies, command.replies) || !closesAlike(merged[index], command))
                        && Self.canStayApart(merged[index], command)
                }
                guard let position = overlapping.first else {
                    merged.append(command)
                    continue
                }
                var union = command
                for index in overlapping {
                    evidence += 1
                    pending.append((merged[index].members[0], union.members[0]))
                    union = Self.combined(merged[index], union)
                }
                for index in overlapping.reversed() { merged.remove(at: index) }
                merged.insert(union, at: position)
            }
            record(keep)
            record(drop)
            parent[drop] = keep
            commands[keep] = merged
            commands[drop] = []
        }
        return true
    }

    /// Tries the merge; keeps it only when `commit(evidence)` says so.
    private mutating func attempt(_ x: StateID, _ y: StateID, commit: (Int) -> Bool) -> Int? {
        log.removeAll(keepingCapacity: true)
        evidence = 0
        let ok = merge(x, y)
        let found = evidence
        if ok && commit(found) {
            log.removeAll(keepingCapacity: true)
            return found
        }
        rollback()
        return ok ? found : nil
    }

    // MARK: The whole step

    mutating func run() -> Result? {
        guard !tree.states.isEmpty else { return nil }
        var treeParent = [StateID?](repeating: nil, count: tree.states.count)
        var order = [StateMachine.root]
        var head = 0
        while head < order.count {
            for edge in tree.states[order[head]].edges where treeParent[edge.target] == nil && edge.target != StateMachine.root {
                treeParent[edge.target] = order[head]
                order.append(edge.target)
            }
            head += 1
        }
        var kept = [StateMachine.root]
        var accepted = 0, refused = 0, attempts = 0
        let minEvidence = max(0, options.minMergeEvidence)
        for state in order.dropFirst() where find(state) == state {
            let parentContext = find(treeParent[state] ?? StateMachine.root)
            if commands[state].isEmpty {
                _ = attempt(parentContext, state) { _ in true }
                accepted += 1
                continue
            }
            var candidates = [parentContext]
            for context in kept.map(find) where !candidates.contains(context) { candidates.append(context) }
            var best: (context: StateID, evidence: Int)?
            for candidate in candidates where attempts < options.maxMergeAttempts {
                attempts += 1
                if let found = attempt(candidate, state, commit: { _ in false }), found >= minEvidence, found > (best?.evidence ?? -1),
                   found > 0 || frequenciesAgree(state, candidate) {
                    best = (candidate, found)
                } else {
                    refused += 1
                }
            }
            if let best {
                _ = attempt(best.context, state) { _ in true }
                accepted += 1
            } else {
                kept.append(state)
            }
        }
        let sharedAdded = addSharedCommands()
        return materialised(order: order, mergesAccepted: accepted, mergesRefused: refused, sharedEdgesAdded: sharedAdded)
    }

    /// The ALERGIA test (Hoeffding bound) on what follows: for the ending and for each command,
    /// the share of the tree state's visits that took it and the share of the context's
    /// visits must differ by at most `mergeFrequencyBound` × (1/√n₁ + 1/√n₂). A step many
    /// conversations take and the context never saw (`PASS` after `USER`, never at the root)
    /// is evidence of a different context; a sparse state has no power to tell.
    private func frequenciesAgree(_ state: StateID, _ context: StateID) -> Bool {
        let members = tree.states.indices.filter { find($0) == context }
        let visitsState = Double(tree.states[state].visits)
        let visitsContext = Double(members.reduce(0) { $0 + tree.states[$1].visits })
        guard visitsState > 0, visitsContext > 0 else { return true }
        let bound = max(0, options.mergeFrequencyBound) * (1 / visitsState.squareRoot() + 1 / visitsContext.squareRoot())
        func weight(_ command: Command) -> Double { Double(command.members.reduce(0) { $0 + tree.states[$1].visits }) }
        let endingsContext = Double(members.reduce(0) { $0 + tree.states[$1].endings })
        if abs(Double(tree.states[state].endings) / visitsState - endingsContext / visitsContext) > bound { return false }
        for command in commands[state] {
            let other = commands[context].filter { unifies($0, command) }.reduce(0) { $0 + weight($1) }
            if abs(weight(command) / visitsState - other / visitsContext) > bound { return false }
        }
        for command in commands[context] where !commands[state].contains(where: { unifies($0, command) }) {
            if weight(command) / visitsContext > bound { return false }
        }
        return true
    }

    /// Step 4: history-independent commands become self-loops of every context lacking them.
    private mutating func addSharedCommands() -> Int {
        guard options.shareHistoryIndependentCommands else { return 0 }
        let contexts = tree.states.indices.filter { find($0) == $0 }
        // Group the self-loop commands of all contexts by unification.
        var groups: [Command] = []
        for context in contexts {
            for command in commands[context] where find(command.members[0]) == context {
                if let index = groups.firstIndex(where: { unifies($0, command) }) {
                    groups[index] = Self.combined(groups[index], command)
                } else {
                    groups.append(command)
                }
            }
        }
        // Independent: every occurrence anywhere is a self-loop with compatible replies.
        let all = contexts.flatMap { context in commands[context].map { (context, $0) } }
        let independent = groups.filter { group in
            all.allSatisfy { context, command in
                !unifies(group, command)
                    || (find(command.members[0]) == context && compatibility.defaultsCompatible(group.replies, command.replies))
            }
        }
        // Each shared command becomes a state of every context it joins (step 5): never more
        // than `maxStates` in all, so merging never grows the machine past the raw tree. The
        // most taken commands first (weight, then first seen), each into every context that
        // lacks it.
        var room = maxStates - 1 - contexts.reduce(0) { $0 + commands[$1].count }
        let ranked = independent.enumerated().sorted { (weight(of: $0.element), $1.offset) > (weight(of: $1.element), $0.offset) }.map(\.element)
        var added = 0
        for group in ranked {
            for context in contexts where room > 0 && commands[context].count < max(1, options.maxFanout) {
                guard !commands[context].contains(where: { unifies($0, group) }) else { continue }
                var shared = group
                shared.members = []
                shared.isShared = true
                commands[context].append(shared)
                added += shared.patterns.count
                room -= 1
            }
        }
        return added
    }

    /// The tree visits behind a command: how often training took it.
    private func weight(of command: Command) -> Int {
        command.members.reduce(0) { $0 + tree.states[$1].visits }
    }

    /// Step 5: one state per command plus the root; numbered depth-first along edge order.
    private func materialised(order: [StateID], mergesAccepted: Int, mergesRefused: Int, sharedEdgesAdded: Int) -> Result? {
        let contexts = tree.states.indices.filter { find($0) == $0 }
        // State 0 is the root; then one per (context, command) in context order.
        var stateOfCommand: [[Int]] = Array(repeating: [], count: tree.states.count)
        var contextOfState = [find(StateMachine.root)]
        var states = [tree.states[StateMachine.root]]
        states[0].edges = []
        var stateOfTree = [StateID](repeating: 0, count: tree.states.count)
        for context in contexts {
            for command in commands[context] {
                stateOfCommand[context].append(states.count)
                var state = State(replies: command.replies)
                for member in command.members {
                    state.visits += tree.states[member].visits
                    state.endings += tree.states[member].endings
                    state.serverCloses += tree.states[member].serverCloses
                    state.cutRequests += tree.states[member].cutRequests
                    stateOfTree[member] = states.count
                }
                state.replies = ObservedReply.pooled(command.members.map { tree.states[$0].replies })
                if command.members.isEmpty { state.replies = command.replies }
                contextOfState.append(command.isShared ? context : find(command.members[0]))
                states.append(state)
            }
        }
        guard states.count <= max(1, options.maxStates) else { return nil }
        // Weights: the tree traffic each context sends through each (command, pattern). Per
        // context rather than per state, so every state of a context has the same edges (one
        // table in memory, and once in the model file).
        var weight: [StateID: [EdgeKey: Int]] = [:]  // context -> (target, pattern index) -> weight
        var commandOfMember = [Int: (context: StateID, index: Int)]()
        for context in contexts {
            for (index, command) in commands[context].enumerated() {
                for member in command.members { commandOfMember[member] = (context, index) }
            }
        }
        // Each command keeps the fewest patterns that cover its training requests.
        var kept: [StateID: [[Int]]] = [:]
        for context in contexts { kept[context] = commands[context].map(Self.coveringPatterns) }
        for (treeState, state) in tree.states.enumerated() {
            for edge in state.edges {
                guard let (context, index) = commandOfMember[edge.target] else { continue }
                let command = commands[context][index]
                let keptPatterns = kept[context]![index]
                let sample = edge.pattern.exactBytes ?? command.requests.first { CompiledPattern(edge.pattern).matches($0) }
                let pattern = keptPatterns.first { $0 == command.patterns.firstIndex(of: edge.pattern) }
                    ?? keptPatterns.first { sample.map(command.compiled[$0].matches) ?? false } ?? keptPatterns[0]
                let key = EdgeKey(target: stateOfCommand[context][index], pattern: pattern)
                weight[contextOfState[stateOfTree[treeState]], default: [:]][key, default: 0] += edge.weight
            }
        }
        var edgesOfContext: [StateID: [Edge]] = [:]
        for index in states.indices {
            let context = contextOfState[index]
            if let shared = edgesOfContext[context] {
                states[index].edges = shared
                continue
            }
            var edges: [(edge: Edge, order: Int)] = []
            for (commandIndex, command) in commands[context].enumerated() {
                let target = stateOfCommand[context][commandIndex]
                for patternIndex in kept[context]![commandIndex] {
                    let pattern = command.patterns[patternIndex]
                    let taken = weight[context]?[EdgeKey(target: target, pattern: patternIndex)] ?? 0
                    edges.append((Edge(pattern: pattern, weight: taken, target: target), edges.count))
                }
            }
            guard edges.count <= max(1, options.maxFanout) else { return nil }
            states[index].edges = edges.sorted { ($0.edge.weight, $1.order) > ($1.edge.weight, $0.order) }.map(\.edge)
            edgesOfContext[context] = states[index].edges
        }
        var machine = tree
        machine.states = states
        let renumbered = machine.renumberedDepthFirst()
        return Result(
            machine: renumbered.machine, stateOfTree: stateOfTree.map { renumbered.newIndex[$0] },
            contexts: Set(contextOfState).count, mergesAccepted: mergesAccepted, mergesRefused: mergesRefused,
            sharedEdgesAdded: sharedEdgesAdded)
    }

    /// Indices of the patterns kept for a command: greedily the one matching most of the
    /// still uncovered training requests (ties: the earliest), until all are covered. Requests
    /// of a dropped pattern match a kept one of the same command, and no other command's
    /// pattern matches them (it would have unified), so they still reach the same state.
    static func coveringPatterns(_ command: Command) -> [Int] {
        guard command.patterns.count > 1, !command.requests.isEmpty else { return Array(command.patterns.indices) }
        let matches = command.compiled.map { pattern in Set(command.requests.indices.filter { pattern.matches(command.requests[$0]) }) }
        var uncovered = Set(command.requests.indices)
        var chosen: [Int] = []
        while !uncovered.isEmpty {
            let best = command.patterns.indices.max { matches[$0].intersection(uncovered).count < matches[$1].intersection(uncovered).count || (matches[$0].intersection(uncovered).count == matches[$1].intersection(uncovered).count && $0 > $1) }!
            guard !matches[best].intersection(uncovered).isEmpty else { break }
            chosen.append(best)
            uncovered.subtract(matches[best])
        }
        // Patterns without a known request (an already simplified input) are kept as they are.
        for index in command.patterns.indices where matches[index].isEmpty && !chosen.contains(index) { chosen.append(index) }
        return chosen.isEmpty ? Array(command.patterns.indices) : chosen.sorted()
    }
}
