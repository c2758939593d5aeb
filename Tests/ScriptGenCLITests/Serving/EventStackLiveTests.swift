import Foundation
import Testing
import ScriptGenTestSupport

/// Events as an operator's stack reads them: real clients against `serve`, every line parsed
/// in each `--events-format`; HPFeeds through the `hpfeeds` package's real broker; the event
/// file rotated under load.
@Suite(.serialized, .enabled(if: Live.hasFixtures && Live.has("curl"))) struct EventStackLiveTests {
    static let isoUTC = try! NSRegularExpression(pattern: #"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$"#)

    static func isTimestamp(_ value: Any?) -> Bool {
        guard let text = value as? String else { return false }
        return isoUTC.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
    }

    /// The raw text of `key`'s value in a flat or nested line is digits alone: an integer.
    static func isIntegerText(_ line: String, _ key: String) -> Bool {
        guard let range = line.range(of: "\"\(key)\":") else { return false }
        let rest = line[range.upperBound...].prefix { $0 != "," && $0 != "}" }
        return !rest.isEmpty && rest.allSatisfy(\.isNumber)
    }

    static func lines(_ path: String) -> [String] {
        (try? String(contentsOfFile: path, encoding: .utf8))?.split(separator: "\n").map(String.init) ?? []
    }

    static func object(_ line: String) -> [String: Any]? {
        try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
    }

    /// curl's status code for http://127.0.0.1:PORT/.
    static func curlStatus(_ port: Int) throws -> String {
        try Live.run("curl", ["-s", "-m", "10", "-o", "/dev/null", "-w", "%{http_code}", "http://127.0.0.1:\(port)/"], timeout: 20).stdout
    }

    /// Real clients of three services, then every line checked for what a collector needs.
    @Test(.enabled(if: Live.has("redis-cli")), arguments: ["native", "cowrie", "ecs"])
    func everyLineHasTheFieldsOfItsFormat(format: String) throws {
        let models = try ["ftp", "http", "redis"].map { try Live.model($0) }
        let server = try ServeProcess(models: models, extra: ["--events-format", format, "--sensor", "sensor-\(format)"])
        try ClientChecks.http(port: try server.port(80))
        try ClientChecks.ftp(port: try server.port(21))
        try ClientChecks.redis(port: try server.port(6379))
        _ = server.stop()
        let lines = Self.lines(server.eventsPath)
        #expect(lines.count > 20)
        var sessions = Set<String>()
        var sessionLines = 0
        for line in lines {
            let object = try #require(Self.object(line), "not JSON: \(line)")
            switch format {
            case "cowrie":
                let id = try #require(object["eventid"] as? String)
                #expect(id.hasPrefix("scriptgen."))
                #expect(Self.isTimestamp(object["timestamp"]), "\(line)")
                #expect(object["sensor"] as? String == "sensor-cowrie")
                #expect(object["message"] is String)
                if id.hasPrefix("scriptgen.session.") {
                    sessionLines += 1
                    sessions.insert(try #require(object["session"] as? String))
                    #expect(object["src_ip"] as? String == "127.0.0.1" && object["dst_ip"] as? String == "127.0.0.1", "\(line)")
                    #expect(Self.isIntegerText(line, "src_port") && Self.isIntegerText(line, "dst_port"), "\(line)")
                    #expect(object["protocol"] as? String == "tcp")
                }
            case "ecs":
                let event = try #require(object["event"] as? [String: Any])
                #expect(Self.isTimestamp(object["@timestamp"]), "\(line)")
                #expect(event["kind"] as? String == "event")
                #expect((event["category"] as? [String])?.count == 1 && (event["type"] as? [String])?.isEmpty == false)
                #expect((object["observer"] as? [String: Any])?["name"] as? String == "sensor-ecs")
                #expect((object["ecs"] as? [String: Any])?["version"] as? String == "8.11.0")
                if let action = event["action"] as? String, action.hasPrefix("session.") {
                    sessionLines += 1
                    sessions.insert(try #require((object["scriptgen"] as? [String: Any])?["session"] as? String))
                    #expect((object["source"] as? [String: Any])?["ip"] as? String == "127.0.0.1", "\(line)")
                    #expect((object["network"] as? [String: Any])?["transport"] as? String == "tcp")
                    #expect(Self.isIntegerText(line, "port"), "\(line)")
                    #expect((object["destination"] as? [String: Any])?["port"] is Int)
                }
            default:
                #expect(Self.isTimestamp(object["time"]), "\(line)")
                #expect(object["sensor"] as? String == "sensor-native")
                if let id = object["event"] as? String, id.hasPrefix("session.") {
                    sessionLines += 1
                    sessions.insert(try #require(object["session"] as? String))
                }
                if object["event"] as? String == "session.opened" {
                    #expect(Self.isIntegerText(line, "sport") && Self.isIntegerText(line, "dport"), "\(line)")
                }
            }
        }
        #expect(sessionLines > 10)
        // Every session id is RUN-N with the run id of server.started.
        let started = try #require(lines.first.flatMap(Self.object))
        let run = try #require(started["run"] as? String ?? (started["scriptgen"] as? [String: Any])?["run"] as? String)
        #expect(run.count == 10)
        #expect(sessions.count >= 4 && sessions.allSatisfy { $0.hasPrefix(run + "-") }, "\(sessions)")
    }

    // Two runs of one sensor: different run ids, so merged logs keep sessions apart.
    @Test func sessionIdsDifferAcrossRestarts() throws {
        var runs: [String] = []
        for _ in 0..<2 {
            let server = try ServeProcess(models: [try Live.model("http")], extra: ["--sensor", "same"])
            #expect(try Self.curlStatus(try server.port(80)) == "200")
            let events = server.stop()
            let opened = events.filter { $0["event"] as? String == "session.opened" }.compactMap { $0["session"] as? String }
            #expect(opened.count == 1)
            runs += opened
        }
        #expect(runs.count == 2 && runs[0] != runs[1] && runs.allSatisfy { $0.hasSuffix("-1") })
    }

    // respond (honeyd's service script) writes the chosen format to stderr, endpoints from
    // honeyd's environment in every line.
    @Test func respondWritesCowrieLinesWithHoneydEndpoints() throws {
        let model = try Live.model("ftp")
        let process = Process()
        process.executableURL = Live.honeypotBinary
        process.arguments = ["respond", model, "--port", "21", "--events-format", "cowrie", "--sensor", "honeyd-1"]
        process.environment = ["HONEYD_IP_SRC": "198.51.100.20", "HONEYD_SRC_PORT": "40001", "HONEYD_IP_DST": "192.0.2.10", "HONEYD_DST_PORT": "21"]
        let input = Pipe(), output = Pipe(), errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        input.fileHandleForWriting.write(Data("USER anonymous\r\nPASS guest\r\nQUIT\r\n".utf8))
        try input.fileHandleForWriting.close()
        let stdout = output.fileHandleForReading.readDataToEndOfFile()
        let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(String(decoding: stdout, as: UTF8.self).hasPrefix("220 (vsFTPd 3.0.3)"))
        let objects = stderr.split(separator: "\n").map { Self.object(String($0)) }
        #expect(objects.count >= 5 && objects.allSatisfy { $0 != nil }, "\(stderr)")
        for object in objects.compactMap({ $0 }) {
            #expect(object["sensor"] as? String == "honeyd-1")
            #expect(object["src_ip"] as? String == "198.51.100.20" && object["src_port"] as? Int == 40001)
            #expect(object["dst_ip"] as? String == "192.0.2.10" && object["dst_port"] as? Int == 21)
            #expect((object["session"] as? String)?.hasSuffix("-\(process.processIdentifier)") == true)
        }
        #expect(objects.last??["eventid"] as? String == "scriptgen.session.closed")
    }

    // MARK: log rotation

    /// `connections` short HTTP conversations from `threads` threads, each read to EOF.
    static func load(port: Int, threads: Int, connections: Int) -> Int {
        let answered = LockedCounter()
        DispatchQueue.concurrentPerform(iterations: threads) { _ in
            for _ in 0..<(connections / threads) {
                guard let client = TestClient(port: port, timeoutSeconds: 10) else { continue }
                client.send("GET / HTTP/1.0\r\n\r\n")
                if client.readLine().hasPrefix("HTTP/1.1 200") { answered.increment() }
                while !client.readLine().isEmpty {}
            }
        }
        return answered.value
    }

    // logrotate's way: rename the file, then SIGHUP. Under load, every conversation's lines
    // are in one file or the other, whole, and each new file starts with log.reopened.
    @Test func sighupReopensTheEventFileWithoutLosingOrSplittingALine() throws {
        let server = try ServeProcess(models: [try Live.model("http")], extra: ["--events-format", "cowrie"])
        let port = try server.port(80)
        let rotations = 5, connections = 4000
        let loader = DispatchGroup()
        let answered = LockedCounter()
        DispatchQueue.global().async(group: loader) {
            for _ in 0..<Self.load(port: port, threads: 4, connections: connections) { answered.increment() }
        }
        for rotation in 1...rotations {
            usleep(60_000)
            try FileManager.default.moveItem(atPath: server.eventsPath, toPath: server.eventsPath + ".\(rotation)")
            kill(server.process.processIdentifier, SIGHUP)
            for _ in 0..<250 where !FileManager.default.fileExists(atPath: server.eventsPath) { usleep(4000) }
        }
        loader.wait()
        _ = server.stop()
        #expect(answered.value == connections)
        var closed = 0, reopened = 0, total = 0
        var perFile: [Int] = []
        for file in (1...rotations).map({ server.eventsPath + ".\($0)" }) + [server.eventsPath] {
            let lines = Self.lines(file)
            perFile.append(lines.count)
            for (number, line) in lines.enumerated() {
                total += 1
                let object = try #require(Self.object(line), "\(file):\(number + 1) is split or not JSON: \(line.prefix(200))")
                switch object["eventid"] as? String {
                case "scriptgen.session.closed": closed += 1
                case "scriptgen.log.reopened":
                    reopened += 1
                    #expect(number == 0, "\(file): log.reopened is line \(number + 1)")
                default: break
                }
            }
        }
        print("rotation: \(connections) conversations, \(total) lines in \(perFile) per file, \(closed) session.closed, \(reopened) reopened")
        #expect(closed == connections)
        #expect(reopened == rotations)
        #expect(perFile.allSatisfy { $0 > 0 })
    }
}

final class LockedCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func increment() { lock.lock(); count += 1; lock.unlock() }
    var value: Int { lock.lock(); defer { lock.unlock() }; return count }
}
