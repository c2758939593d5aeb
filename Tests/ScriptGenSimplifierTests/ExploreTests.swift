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
