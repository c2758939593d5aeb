import Foundation
import Testing
import ScriptGenModel

/// `scriptgen learn` and `scriptgen inspect` as a user runs them, on the real fixtures.
@Suite struct LearnCLITests {
    static func learn(_ captures: [String], _ extra: [String] = [], in directory: URL) throws -> (ModelFile, CLIRunner.Result, URL) {
        let output = directory.appendingPathComponent("model-\(UUID().uuidString).json")
        let result = try CLIRunner.run(["learn"] + captures.map(CLIRunner.fixture) + extra + ["-o", output.path])
        #expect(result.status == 0, "learn failed: \(result.stderr)")
        let model = try ModelFile.decode(from: [UInt8](Data(contentsOf: output)))
        return (model, result, output)
    }

    static func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

    /// The target of the edge whose exact request is `request`, from `state`.
    static func follow(_ machine: StateMachine, from state: StateID, request: String) -> StateID? {
        machine.states[state].edges.first { $0.pattern.exactBytes == Array(request.utf8) }?.target
    }

    /// Apache's FIN follows its HTTP/1.0 answer within microseconds: learned as a close at the
    /// default 1 s, not when no delay at all is allowed; the model records the setting.
    @Test func serverCloseDelayDecidesWhatCountsAsAClose() throws {
        let directory = try CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (model, _, _) = try Self.learn(["http-train.pcap"], ["--port", "80"], in: directory)
        let (strict, _, _) = try Self.learn(["http-train.pcap"], ["--port", "80", "--server-close-delay", "0"], in: directory)
        let closes = { (file: ModelFile) in file.machines.flatMap(\.states).map(\.serverCloses).reduce(0, +) }
        #expect(closes(model) > 0)
        #expect(closes(strict) == 0)
        #expect(model.parameters["flows.maxServerCloseDelaySeconds"] == .number(1))
        #expect(strict.parameters["flows.maxServerCloseDelaySeconds"] == .number(0))
        let refused = try CLIRunner.run(["learn", CLIRunner.fixture("http-train.pcap"), "--server-close-delay", "-1", "-o", directory.appendingPathComponent("x").path])
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("--server-close-delay"))
    }

    @Test func learningIsDeterministicByteForByte() throws {
        let directory = try CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (_, _, first) = try Self.learn(["ftp-train.pcap", "http-train.pcap"], ["--raw"], in: directory)
        let (_, _, second) = try Self.learn(["ftp-train.pcap", "http-train.pcap"], ["--raw"], in: directory)
        #expect(try Data(contentsOf: first) == Data(contentsOf: second))
    }

    @Test func ftpMachineHasTheBannerAtTheRootThenUserThenPass() throws {
        let directory = try CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (model, result, _) = try Self.learn(["ftp-train.pcap"], ["--raw"], in: directory)
        let machine = try #require(model.machine(transport: .tcp, port: 21))
        let root = machine.states[StateMachine.root]
        #expect(Self.text(root.defaultReply.messages.first ?? []).hasPrefix("220 (vsFTPd 3.0.3)"))
        let afterUser = try #require(Self.follow(machine, from: StateMachine.root, request: "USER anonymous\r\n"))
        #expect(Self.text(machine.states[afterUser].defaultReply.messages.first ?? []).hasPrefix("331 "))
        let passEdges = machine.states[afterUser].edges.filter { $0.pattern.exactBytes.map { Self.text($0).hasPrefix("PASS ") } ?? false }
        #expect(!passEdges.isEmpty)
        for edge in passEdges {
            let reply = Self.text(machine.states[edge.target].defaultReply.messages.first ?? [])
            #expect(reply.hasPrefix("230 ") || reply.hasPrefix("530 "))
        }
        // Weights count conversations: the root's edges add up to the conversations that spoke.
        #expect(root.edges.reduce(0) { $0 + $1.weight } <= machine.conversations)
        #expect(root.visits == machine.conversations)
        // Provenance names the capture and its hash.
        #expect(model.provenance.captures.first?.name.hasSuffix("ftp-train.pcap") == true)
        #expect(model.provenance.captures.first?.sha256.count == 64)
        #expect(result.output.contains("tcp/21"))
    }

    @Test func httpSmbAndSmtpMachinesHaveTheirProtocolsShape() throws {
        let directory = try CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (model, _, _) = try Self.learn(["http-train.pcap", "smb-train.pcap", "smtp-train.pcap"], ["--raw"], in: directory)

        let http = try #require(model.machine(transport: .tcp, port: 80))
        #expect(http.states[StateMachine.root].defaultReply == .silence, "HTTP servers do not speak first")
        let methods = Set(http.states[StateMachine.root].edges.compactMap { $0.pattern.exactBytes.map { Self.text($0).prefix { $0 != " " } } })
        #expect(methods.contains("GET"))
        for edge in http.states[StateMachine.root].edges {
            let reply = Self.text(http.states[edge.target].defaultReply.messages.first ?? [])
            #expect(reply.hasPrefix("HTTP/1."), "every HTTP request is answered by a status line")
        }

        let smb = try #require(model.machine(transport: .tcp, port: 445))
        #expect(smb.states[StateMachine.root].defaultReply == .silence)
        let negotiate = try #require(smb.states[StateMachine.root].edges.first?.pattern.exactBytes)
        #expect(negotiate.first == 0x00, "NetBIOS session message")
        let header = Array(negotiate.dropFirst(4).prefix(4))
        #expect(header == [0xff, 0x53, 0x4d, 0x42] || header == [0xfe, 0x53, 0x4d, 0x42])

        let smtp = try #require(model.machine(transport: .tcp, port: 25))
        #expect(Self.text(smtp.states[StateMachine.root].defaultReply.messages.first ?? []).hasPrefix("220 "))
        let greetings = smtp.states[StateMachine.root].edges.filter {
            $0.pattern.exactBytes.map { ["EHLO", "HELO", "ehlo", "helo"].contains(String(Self.text($0).prefix(4))) } ?? false
        }
        #expect(!greetings.isEmpty)
        for edge in greetings {
            #expect(Self.text(smtp.states[edge.target].defaultReply.messages.first ?? []).hasPrefix("250"))
        }
    }

    @Test func simplifiedByDefaultSoUnseenNamesFollowTheUserEdge() throws {
        let directory = try CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (model, result, url) = try Self.learn(["ftp-train.pcap"], ["--port", "21"], in: directory)
        let machine = try #require(model.machine(transport: .tcp, port: 21))
        let userEdges = machine.states[StateMachine.root].edges.filter {
            if case .fixed(let head) = $0.pattern.elements.first { return Self.text(head).hasPrefix("USER ") }
            return false
        }
        #expect(userEdges.count == 1, "all USER names collapse into one edge")
        let user = try #require(userEdges.first)
        #expect(user.pattern.exactBytes == nil, "the USER edge is a pattern, not an exact request")
        #expect(user.pattern.elements.contains { if case .variable = $0 { return true }; return false })
        #expect(model.parameters["learn.raw"] == .flag(false))
        #expect(model.parameters["simplifier.macroclusterThreshold"] != nil)
        #expect(result.output.contains("generalised edges"))
        let tree = try CLIRunner.run(["inspect", url.path, "--port", "21", "--tree", "--max-depth", "1"])
        #expect(tree.output.contains("\"USER \" <var"))
        // An evaluation of the held-out capture matches more requests than the raw tree does.
        let (_, _, rawURL) = try Self.learn(["ftp-train.pcap"], ["--port", "21", "--raw"], in: directory)
        func matched(_ model: URL) throws -> Int {
            let run = try CLIRunner.run(["evaluate", model.path, CLIRunner.fixture("ftp-heldout.pcap"), "--port", "21", "--json"])
            let object = try JSONSerialization.jsonObject(with: Data(run.stdout)) as? [String: Any]
            return (object?["total"] as? [String: Any])?["matchedRequests"] as? Int ?? -1
        }
        #expect(try matched(url) > matched(rawURL))
    }

    @Test func thresholdsCutAsDocumentedAndSayHowMuch() throws {
        let directory = try CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (fanout, fanoutRun, _) = try Self.learn(["ftp-train.pcap"], ["--raw", "--max-fanout", "2", "--port", "21"], in: directory)
        let machine = try #require(fanout.machine(transport: .tcp, port: 21))
        #expect(machine.states.allSatisfy { $0.edges.count <= 2 })
        let report = try #require(fanout.buildReport(transport: .tcp, port: 21))
        #expect(report.requestsCutByFanout > 0)
        #expect(machine.states.reduce(0) { $0 + $1.cutRequests } == report.requestsCutByFanout + report.pathsCutByStateLimit)
        #expect(fanoutRun.output.contains("cut by fan-out"))

        let (states, _, _) = try Self.learn(["ftp-train.pcap"], ["--raw", "--max-states", "5", "--port", "21"], in: directory)
        let small = try #require(states.machine(transport: .tcp, port: 21))
        #expect(small.states.count <= 5)
        #expect(try #require(states.buildReport(transport: .tcp, port: 21)).pathsCutByStateLimit > 0)
    }

    @Test func portsWithTooFewConversationsAreListedNotModelled() throws {
        let directory = try CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (model, result, _) = try Self.learn(["ftp-train.pcap"], ["--raw", "--min-conversations", "5"], in: directory)
        #expect(model.machines.allSatisfy { $0.conversations >= 5 })
        #expect(result.output.contains("with fewer than 5 conversations"))
        let none = try CLIRunner.run(["learn", CLIRunner.fixture("ftp-train.pcap"), "--min-conversations", "100000", "-o", directory.appendingPathComponent("x").path])
        #expect(none.status != 0)
        #expect(none.stderr.contains("nothing to learn"))
    }

    @Test func inspectTreeMatchesTheGoldenOutput() throws {
        let directory = try CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let model = directory.appendingPathComponent("ftp.model").path
        // Relative capture path, so the provenance in the golden output is machine-independent.
        let learned = try CLIRunner.run(["learn", "--raw", "Fixtures/captures/ftp-train.pcap", "--port", "21", "-o", model], directory: CLIRunner.repositoryRoot)
        #expect(learned.status == 0, "\(learned.stderr)")
        let summary = try CLIRunner.run(["inspect", model])
        let tree = try CLIRunner.run(["inspect", model, "--port", "21", "--tree", "--max-depth", "3"])
        let dot = try CLIRunner.run(["inspect", model, "--port", "21", "--dot", "--max-depth", "2"])
        #expect(summary.status == 0 && tree.status == 0 && dot.status == 0)
        try Golden.check(summary.output, named: "inspect-ftp-summary.txt")
        try Golden.check(tree.output, named: "inspect-ftp-tree.txt")
        try Golden.check(dot.output, named: "inspect-ftp-dot.txt")
        if CLIRunner.commandExists("dot") {
            let svg = directory.appendingPathComponent("ftp.svg")
            let rendered = try CLIRunner.run(["inspect", model, "--port", "21", "--svg", svg.path, "--max-depth", "3"])
            #expect(rendered.status == 0, "\(rendered.stderr)")
            #expect(String(decoding: try Data(contentsOf: svg), as: UTF8.self).contains("<svg"))
        }
    }

    @Test func damagedModelsAreRejectedWithWhatAndWhere() throws {
        let directory = try CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (_, _, url) = try Self.learn(["ftp-train.pcap"], ["--raw", "--port", "21"], in: directory)
        let original = String(decoding: try Data(contentsOf: url), as: UTF8.self)
        func inspect(_ text: String) throws -> CLIRunner.Result {
            let path = directory.appendingPathComponent("damaged.json")
            try Data(text.utf8).write(to: path)
            return try CLIRunner.run(["inspect", path.path])
        }
        let truncated = try inspect(String(original.prefix(original.count / 2)))
        #expect(truncated.status != 0)
        #expect(truncated.stderr.contains("truncated"))
        let newer = try inspect(original.replacingOccurrences(of: "\"formatVersion\": 3", with: "\"formatVersion\": 9"))
        #expect(newer.stderr.contains("format version 9 is newer than this tool supports (3)"))
        let badTarget = try inspect(original.replacingOccurrences(of: "\"target\": 1,", with: "\"target\": 99999,"))
        #expect(badTarget.status != 0)
        #expect(badTarget.stderr.contains("target state 99999 does not exist"))
        #expect(badTarget.stderr.contains("machines[0].states[0].edges["))
        let notJSON = try inspect("PK\u{3}\u{4} zip, not a model")
        #expect(notJSON.stderr.contains("not valid JSON at byte 0"))
    }
}

/// Golden files: `SCRIPTGEN_UPDATE_GOLDEN=1 swift test` rewrites them from the current output.
enum Golden {
    static let directory = CLIRunner.repositoryRoot.appendingPathComponent("Tests/ScriptGenCLITests/Golden")

    static func check(_ actual: String, named name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let url = directory.appendingPathComponent(name)
        if ProcessInfo.processInfo.environment["SCRIPTGEN_UPDATE_GOLDEN"] == "1" {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try Data(actual.utf8).write(to: url)
            return
        }
        let expected = try String(contentsOf: url, encoding: .utf8)
        #expect(actual == expected, "\(name) differs from the golden file (SCRIPTGEN_UPDATE_GOLDEN=1 to accept)", sourceLocation: sourceLocation)
    }
}
