import Testing
import ScriptGenModel
import ScriptGenSimplifier

@Test func exploreSimplified() throws {
    for (name, port) in [("ftp-train.pcap", UInt16(21)), ("http-train.pcap", 80), ("smb-train.pcap", 445), ("smtp-train.pcap", 25)] {
        let machine = try FixtureMachines.machine(name, port: port)
        let (simplified, report) = Simplifier.simplify(machine)
        print("=== \(name)")
        print(report.summary)
        print(ModelRendering.tree(of: simplified, options: RenderingOptions(maxDepth: 4, minWeight: 1, previewBytes: 60)))
    }
}

@Test func exploreSMB() throws {
    let machine = try FixtureMachines.machine("smb-train.pcap", port: 445)
    let (simplified, _) = Simplifier.simplify(machine)
    for (index, state) in simplified.states.enumerated() where state.edges.count >= 2 {
        let commands = state.edges.map { edge -> String in
            guard case .fixed(let head)? = edge.pattern.elements.first else { return "var-start" }
            let smb2 = head.count > 17 && head[4] == 0xfe
            let smb1 = head.count > 8 && head[4] == 0xff
            return smb2 ? "smb2:\(head[16])" : smb1 ? "smb1:\(head[8])" : "?\(head.count)"
        }
        print("state \(index): \(commands) weights \(state.edges.map(\.weight)) exact \(state.edges.map { $0.pattern.exactBytes != nil })")
    }
}

@Test func exploreSMBFlat() throws {
    let sequences = try FixtureMachines.requestSequences("smb-train.pcap", port: 445)
    var counts: [[UInt8]: Int] = [:]
    var order: [[UInt8]] = []
    for request in sequences.joined() {
        if counts[request] == nil { order.append(request) }
        counts[request, default: 0] += 1
    }
    var machine = StateMachine(transport: .tcp, port: 445)
    for request in order {
        machine.states[0].edges.append(Edge(pattern: .exact(request), weight: counts[request]!, target: machine.states.count))
        machine.states.append(State(visits: counts[request]!, endings: counts[request]!))
    }
    let (simplified, report) = Simplifier.simplify(machine)
    print(report.summary)
    for edge in simplified.states[0].edges {
        print(edge.weight, ModelRendering.preview(edge.pattern, limit: 60).prefix(200))
    }
}
