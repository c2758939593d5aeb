import ScriptGenAlignment
import ScriptGenEmulation
import ScriptGenModel
@testable import ScriptGenSimplifier
import Testing
import ScriptGenTestSupport


/// The fixed elements of a pattern, in order.
func fixedParts(_ pattern: Pattern) -> [[UInt8]] {
    pattern.elements.compactMap { if case .fixed(let bytes) = $0 { return bytes } else { return nil } }
}

func startsWithFixed(_ pattern: Pattern, _ text: String) -> Bool {
    guard case .fixed(let first)? = pattern.elements.first else { return false }
    return first.starts(with: bytes(text))
}

func endsWithFixed(_ pattern: Pattern, _ text: String) -> Bool {
    guard case .fixed(let last)? = pattern.elements.last else { return false }
    return last.reversed().starts(with: bytes(text).reversed())
}

/// A one-state machine whose root has one exact edge per distinct request (weights: how often
/// each occurs), the shape of a state before simplification.
func flatMachine(_ requests: [[UInt8]], port: UInt16 = 9) -> StateMachine {
    var counts: [[UInt8]: Int] = [:]
    var order: [[UInt8]] = []
    for request in requests {
        if counts[request] == nil { order.append(request) }
        counts[request, default: 0] += 1
    }
    var machine = StateMachine(transport: .tcp, port: port, conversations: requests.count)
    machine.states[0].visits = requests.count
    for request in order {
        machine.states[0].edges.append(Edge(pattern: .exact(request), weight: counts[request]!, target: machine.states.count))
        machine.states.append(State(replies: [ObservedReply(reply: Reply(messages: [request]), count: counts[request]!)], visits: counts[request]!, endings: counts[request]!))
    }
    return machine
}

/// Simplifies `raw` and checks the central property: every raw edge's request, in the
/// simplified state its raw state was merged into, matches an edge, and the edge the emulator
/// prefers among the matching ones leads to the state the raw target was merged into.
/// Returns the simplified machine and report.
@discardableResult
func simplifyChecked(_ raw: StateMachine, options: SimplifierOptions = SimplifierOptions(), sourceLocation: SourceLocation = #_sourceLocation) throws -> (StateMachine, SimplificationReport) {
    let (machine, report, stateOfRaw) = Simplifier.simplifyTracing(raw, options: options)
    let compiled = try CompiledMachine(machine)
    var checked = 0, mismatches = 0
    for (rawState, state) in raw.states.enumerated() {
        guard let simplifiedState = stateOfRaw[rawState] else { continue }
        for edge in state.edges {
            guard let request = edge.pattern.exactBytes, let target = stateOfRaw[edge.target] else { continue }
            checked += 1
            guard let chosen = compiled.matchingEdge(for: request, in: simplifiedState) else {
                mismatches += 1
                Issue.record("no edge of state \(simplifiedState) matches \(ModelRendering.preview(request))", sourceLocation: sourceLocation)
                continue
            }
            if machine.states[simplifiedState].edges[chosen].target != target {
                mismatches += 1
                Issue.record("state \(simplifiedState) routes \(ModelRendering.preview(request)) to \(machine.states[simplifiedState].edges[chosen].target), not \(target)", sourceLocation: sourceLocation)
            }
        }
    }
    #expect(checked > 0, sourceLocation: sourceLocation)
    #expect(mismatches == 0, sourceLocation: sourceLocation)
    return (machine, report)
}
