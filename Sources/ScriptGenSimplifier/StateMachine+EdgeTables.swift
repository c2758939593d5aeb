import ScriptGenModel

extension StateMachine {
    /// The machine with every state's edges replaced by `transform(edges)`, computed once per
    /// distinct edge table (the states of a merged context share one, and keep sharing it), and
    /// the sum of the counts `transform` returns, per state.
    func mappingEdgeTables(_ transform: ([Edge]) -> (edges: [Edge], count: Int)) -> (machine: StateMachine, count: Int) {
        var machine = self
        var total = 0
        var done: [[Edge]: (edges: [Edge], count: Int)] = [:]
        for index in machine.states.indices {
            let edges = machine.states[index].edges
            let result = done[edges] ?? transform(edges)
            done[edges] = result
            machine.states[index].edges = result.edges
            total += result.count
        }
        return (machine, total)
    }
}
