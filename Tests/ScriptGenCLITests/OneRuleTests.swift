import Foundation
import Testing
import ScriptGenModel

/// Rules that had two homes and disagreed (issue: one home for each rule).
@Suite struct OneRuleTests {
    /// `pcap` in the modified format of Kuznetzov's libpcap (magic a1b2cd34): the same records
    /// with 8 more bytes in each record header (interface index, protocol, packet type, pad).
    static func modifiedPcap(from pcap: [UInt8]) -> [UInt8] {
        precondition(pcap.starts(with: [0xd4, 0xc3, 0xb2, 0xa1]), "a little-endian microsecond pcap")
        var out: [UInt8] = [0x34, 0xcd, 0xb2, 0xa1] + pcap[4..<24]
        var offset = 24
        while offset + 16 <= pcap.count {
            let included = Int(pcap[offset + 8]) | Int(pcap[offset + 9]) << 8 | Int(pcap[offset + 10]) << 16 | Int(pcap[offset + 11]) << 24
            out += pcap[offset..<(offset + 16)]
            out += [1, 0, 0, 0, 0, 8, 0, 0]
            out += pcap[(offset + 16)..<(offset + 16 + included)]
            offset += 16 + included
        }
        return out
    }

    // The capture reader reads the modified format; a directory of captures must not skip it
    // as "not a capture" (the sniffing in the CLI lacked its magic).
    @Test func aModifiedPcapIsReadWhetherNamedOrFoundInADirectory() throws {
        let directory = try CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let captures = directory.appendingPathComponent("captures")
        try FileManager.default.createDirectory(at: captures, withIntermediateDirectories: true)
        let original = [UInt8](try Data(contentsOf: URL(fileURLWithPath: CLIRunner.fixture("ftp-train.pcap"))))
        let file = captures.appendingPathComponent("ftp-modified.pcap")
        try Data(Self.modifiedPcap(from: original)).write(to: file)
        let named = directory.appendingPathComponent("named.json").path
        let found = directory.appendingPathComponent("found.json").path
        let byName = try CLIRunner.run(["learn", "--raw", file.path, "-o", named])
        let byDirectory = try CLIRunner.run(["learn", "--raw", captures.path, "-o", found])
        #expect(byName.status == 0, "\(byName.stderr)")
        #expect(byDirectory.status == 0, "\(byDirectory.stderr)")
        let a = try ModelFile.decode(from: [UInt8](Data(contentsOf: URL(fileURLWithPath: named))))
        let b = try? ModelFile.decode(from: [UInt8](Data(contentsOf: URL(fileURLWithPath: found))))
        #expect(!a.machines.isEmpty)
        #expect(b?.machines == a.machines, "found in a directory: \(byDirectory.stdout) \(byDirectory.stderr)")
    }

    // `--max-fanout` bounds the simplified machine; the model records the bounds that ran, for
    // the raw tree (builder) and the simplification (simplifier).
    @Test func theModelRecordsTheFanoutThatRan() throws {
        let directory = try CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (model, _, _) = try LearnCLITests.learn(["http-train-broad.pcap"], ["--port", "80", "--max-fanout", "5"], in: directory)
        #expect(model.parameters["simplifier.maxFanout"] == .integer(5))
        #expect(model.parameters["builder.maxFanout"] == .integer(100_000), "the raw tree's bound")
        let widest = model.machines.flatMap(\.states).map(\.edges.count).max() ?? 0
        #expect(widest <= 5)
    }

    // `--simplifier maxFanout=N` is what runs, not silently replaced by --max-fanout's default.
    @Test func simplifierFanoutIsNotOverridden() throws {
        let directory = try CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (model, _, _) = try LearnCLITests.learn(["http-train-broad.pcap"], ["--port", "80", "--simplifier", "maxFanout=4"], in: directory)
        #expect(model.parameters["simplifier.maxFanout"] == .integer(4))
        let widest = model.machines.flatMap(\.states).map(\.edges.count).max() ?? 0
        #expect(widest <= 4, "the widest state has \(widest) edges")
        // Both, disagreeing: refused rather than one silently winning.
        let both = try CLIRunner.run(["learn", CLIRunner.fixture("http-train.pcap"), "--max-fanout", "5", "--simplifier", "maxFanout=4",
                                      "-o", directory.appendingPathComponent("x.json").path])
        #expect(both.status != 0)
        #expect(both.stderr.contains("maxFanout"), "\(both.stderr)")
    }
}
