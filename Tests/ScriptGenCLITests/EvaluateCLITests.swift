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

    @Test func badOptionsAndMissingModelFail() throws {
        let badThreshold = try CLIRunner.run(["evaluate", "model", "capture.pcap", "--threshold", "2"])
        #expect(badThreshold.status != 0)
        #expect(badThreshold.stderr.contains("--threshold"))
        let missing = try CLIRunner.run(["evaluate", "/nonexistent/model", "capture.pcap"])
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("/nonexistent/model: no such file"))
    }
}
