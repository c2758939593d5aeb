import Foundation
import Testing

/// `scriptgen evaluate` run as a user would: a raw model evaluated on its own training capture
/// must follow every request, and held-out captures give a well-formed report.
@Suite struct EvaluateCLITests {
    static var fixtureNames: [String] {
        let directory = CLIRunner.repositoryRoot.appendingPathComponent("Fixtures/captures").path
        return ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted()
    }

    /// `ftp` for `ftp-train.pcap`.
    static var trainedProtocols: [String] {
        fixtureNames.filter { $0.hasSuffix("-train.pcap") }.map { String($0.dropLast("-train.pcap".count)) }
    }

    static var heldOutProtocols: [String] {
        trainedProtocols.filter { fixtureNames.contains("\($0)-heldout.pcap") }
    }

    func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("scriptgen-evaluate-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Learns a raw model from `name-train.pcap` into `directory`.
    func learnRaw(_ name: String, in directory: URL) throws -> String {
        let model = directory.appendingPathComponent("\(name).model").path
        let result = try CLIRunner.run(["learn", "--raw", CLIRunner.fixture("\(name)-train.pcap"), "-o", model])
        #expect(result.status == 0, "learn: \(result.stderr)")
        return model
    }

    func evaluateJSON(_ arguments: [String]) throws -> [String: Any] {
        let result = try CLIRunner.run(["evaluate", "--json"] + arguments)
        #expect(result.status == 0, "evaluate: \(result.stderr)")
        let lines = result.output.split(separator: "\n")
        #expect(lines.count == 1, "--json prints exactly one line")
        return try #require(try JSONSerialization.jsonObject(with: Data(result.stdout)) as? [String: Any])
    }

    @Test(arguments: trainedProtocols)
    func rawModelFollowsEveryRequestOfItsTrainingCapture(_ name: String) throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let model = try learnRaw(name, in: directory)
        let report = try evaluateJSON([model, CLIRunner.fixture("\(name)-train.pcap")])
        let total = try #require(report["total"] as? [String: Any])
        let requests = try #require(total["requests"] as? Int)
        #expect(requests > 0)
        #expect(total["matchedRequests"] as? Int == requests)
        #expect(total["completedConversations"] as? Int == total["conversations"] as? Int)
        let ports = try #require(report["ports"] as? [[String: Any]])
        for port in ports {
            #expect(port["matchedRequests"] as? Int == port["requests"] as? Int, "\(name) port \(port["port"] ?? "?")")
            let histogram = try #require(port["divergenceDepth"] as? [String: Int])
            #expect(histogram == ["complete": port["conversations"] as! Int])
        }
    }

    @Test(arguments: heldOutProtocols)
    func heldOutCaptureGivesConsistentFiguresTableAndMisses(_ name: String) throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let model = try learnRaw(name, in: directory)
        let heldOut = CLIRunner.fixture("\(name)-heldout.pcap")

        let report = try evaluateJSON([model, heldOut, "--show-misses", "2"])
        let total = try #require(report["total"] as? [String: Any])
        let requests = try #require(total["requests"] as? Int)
        let matched = try #require(total["matchedRequests"] as? Int)
        let conversations = try #require(total["conversations"] as? Int)
        let completed = try #require(total["completedConversations"] as? Int)
        #expect(requests > 0 && matched <= requests)
        let histogram = try #require(total["divergenceDepth"] as? [String: Int])
        #expect(histogram.values.reduce(0, +) == conversations)
        #expect(histogram["complete"] == completed)
        let misses = try #require(report["misses"] as? [[String: Any]])
        #expect(misses.count == min(2, requests - matched))

        let table = try CLIRunner.run(["evaluate", model, heldOut, "--show-misses", "2"])
        #expect(table.status == 0)
        #expect(table.output.hasPrefix("port "))
        #expect(table.output.contains("\ntotal "))
        #expect(table.output.contains(matched == requests ? "no unmatched requests" : "unmatched request"))
    }

    @Test(arguments: trainedProtocols.prefix(1))
    func weightedResponsesWithASeedReplay(_ name: String) throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let model = try learnRaw(name, in: directory)
        let arguments = ["evaluate", "--json", model, CLIRunner.fixture("\(name)-train.pcap"), "--responses", "weighted", "--seed", "9"]
        let first = try CLIRunner.run(arguments)
        let second = try CLIRunner.run(arguments)
        #expect(first.status == 0)
        #expect(first.stdout == second.stdout)
    }

    @Test func sweepComparesSettingsAndDrawsThem() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let picture = directory.appendingPathComponent("sweep.svg").path
        let result = try CLIRunner.run([
            "evaluate", "--json", "--sweep", "--sweep-thresholds", "0.6", "--port", "21",
            "--train", CLIRunner.fixture("ftp-train.pcap"), CLIRunner.fixture("ftp-heldout.pcap"), "--svg", picture,
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout)) as? [String: Any])
        let settings = try #require(object["settings"] as? [[String: Any]])
        #expect(settings.map { $0["setting"] as? String } == ["raw prefix tree", "macro 0.6, micro on", "macro 0.6, micro off"])
        func matchedShare(_ row: [String: Any]) throws -> Double {
            let total = try #require((row["evaluation"] as? [String: Any])?["total"] as? [String: Any])
            return try Double(#require(total["matchedRequests"] as? Int)) / Double(#require(total["requests"] as? Int))
        }
        // Generalising is the point: the simplified model follows more held-out requests.
        #expect(try matchedShare(settings[1]) > matchedShare(settings[0]))
        #expect(settings[0]["raw"] as? Bool == true)
        let svg = try String(contentsOfFile: picture, encoding: .utf8)
        #expect(svg.hasPrefix("<svg"))
        #expect(svg.components(separatedBy: "<circle").count - 1 == settings.count + 1)  // one per setting + legend
        let noSweep = try CLIRunner.run(["evaluate", "model", CLIRunner.fixture("ftp-heldout.pcap"), "--svg", picture])
        #expect(noSweep.status != 0)
        #expect(noSweep.stderr.contains("--svg"))
    }

    @Test func baselineRowFollowsTheModelRow() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let model = directory.appendingPathComponent("ftp.model").path
        #expect(try CLIRunner.run(["learn", CLIRunner.fixture("ftp-train.pcap"), "--port", "21", "-o", model]).status == 0)
        let result = try CLIRunner.run([
            "evaluate", model, CLIRunner.fixture("ftp-heldout.pcap"), "--port", "21", "--baseline", "raw",
            "--train", CLIRunner.fixture("ftp-train.pcap"),
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let rows = result.output.split(separator: "\n").map(String.init)
        #expect(rows.count == 3)
        #expect(rows[1].hasPrefix("model ftp.model"))
        #expect(rows[2].hasPrefix("raw prefix tree (baseline)"))
    }

    @Test func badOptionsAndMissingModelFail() throws {
        let badThreshold = try CLIRunner.run(["evaluate", "model", "capture.pcap", "--threshold", "2"])
        #expect(badThreshold.status != 0)
        #expect(badThreshold.stderr.contains("--threshold"))
        let missing = try CLIRunner.run(["evaluate", "/nonexistent/model", "capture.pcap"])
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("/nonexistent/model: no such file"))
    }
}
