import ScriptGenModel

// Utilities of state machines that the context merger and the simplifier both use.

extension ObservedReply {
    /// Replies of several states pooled: identical replies' counts summed, most frequent first,
    /// ties by first seen.
    static func pooled(_ lists: [[ObservedReply]]) -> [ObservedReply] {
        var replies: [ObservedReply] = []
        var index: [Reply: Int] = [:]
        for list in lists {
            for observed in list {
                if let existing = index[observed.reply] {
                    replies[existing].count += observed.count
                } else {
                    index[observed.reply] = replies.count
                    replies.append(observed)
                }
            }
        }
        return replies.enumerated()
            .sorted { ($0.element.count, $1.offset) > ($1.element.count, $0.offset) }
            .map(\.element)
    }
}

extension StateMachine {
    /// Depth-first preorder numbering along each state's edge order, each state once (a merged
    /// graph has cycles; a tree is numbered as a plain preorder); states unreachable from the
    /// root keep their relative order at the end. The simplifier numbers its trees with it too.
    func renumberedDepthFirst() -> (machine: StateMachine, newIndex: [Int]) {
        let machine = self
        var newIndex = [Int](repeating: -1, count: machine.states.count)
        var order: [Int] = []
        var stack = [StateMachine.root]
        while let old = stack.popLast() {
            guard newIndex[old] < 0 else { continue }
            newIndex[old] = order.count
            order.append(old)
            stack.append(contentsOf: machine.states[old].edges.reversed().map(\.target).filter { newIndex[$0] < 0 })
        }
        for old in machine.states.indices where newIndex[old] < 0 {
            newIndex[old] = order.count
            order.append(old)
        }
        var renumbered = machine
        renumbered.states = order.map { old in
            var state = machine.states[old]
            for index in state.edges.indices { state.edges[index].target = newIndex[state.edges[index].target] }
            return state
        }
        return (renumbered, newIndex)
    }
}
