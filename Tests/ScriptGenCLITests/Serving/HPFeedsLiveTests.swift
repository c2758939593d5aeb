import Foundation
import Testing
import ScriptGenTestSupport

/// `serve --hpfeeds` against the real broker of the `hpfeeds` package (PyPI), with the
/// package's own client as the subscriber (Scripts/hpfeeds-subscribe.py).
@Suite(.serialized, .enabled(if: Live.hasFixtures && Live.has("curl") && HPFeedsBroker.available))
struct HPFeedsLiveTests {
    static let subscriber = CLIRunner.repositoryRoot.appendingPathComponent("Scripts/hpfeeds-subscribe.py").path

    static func secretFile(_ secret: String) throws -> String {
        let path = Live.workDirectory.appendingPathComponent("hpfeeds-secret-\(UUID().uuidString)").path
        try Data((secret + "\n").utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    static func subscribe(port: Int, output: String) throws -> BackgroundProcess {
        let process = try BackgroundProcess(URL(fileURLWithPath: "/usr/bin/env"), [
            "python3", subscriber, "127.0.0.1", String(port), "reader", "reader-secret", "scriptgen.events", output, "120",
        ])
        #expect(process.wait(timeout: 30) { out, _ in out.contains("ready") }, "subscriber not ready: \(process.stderr)")
        return process
    }

    /// Counts of a cowrie log's lines by `eventid`, and the lines that are not the publisher's own.
    static func published(_ lines: [String]) -> [String] {
        lines.filter { !$0.contains(#""eventid":"scriptgen.hpfeeds."#) }
    }

    static func session(of line: String) -> String? {
        EventStackLiveTests.object(line)?["session"] as? String
    }

    // Publishes; the broker is killed mid-run (serving goes on, events queue), restarted
    // (publishing resumes with what was queued); every event is accounted for.
    @Test func subscriberReceivesWhatServePublishedAcrossABrokerRestart() throws {
        let port = Live.freePort()
        var broker = try HPFeedsBroker(port: port)
        let received1 = Live.workDirectory.appendingPathComponent("hpfeeds-\(UUID().uuidString)-1").path
        let received2 = Live.workDirectory.appendingPathComponent("hpfeeds-\(UUID().uuidString)-2").path
        let reader1 = try Self.subscribe(port: port, output: received1)
        let server = try ServeProcess(models: [try Live.model("http")], extra: [
            "--events-format", "cowrie", "--hpfeeds", "127.0.0.1:\(port)", "--hpfeeds-ident", "honeypot",
            "--hpfeeds-secret-file", try Self.secretFile("honeypot-secret"),
        ])
        let http = try server.port(80)
        func connectedCount() -> Int { EventStackLiveTests.lines(server.eventsPath).filter { $0.contains("scriptgen.hpfeeds.connected") }.count }
        func waitFor(_ what: String, _ predicate: () -> Bool) {
            let deadline = Date().addingTimeInterval(30)
            while !predicate() && Date() < deadline { usleep(50_000) }
            #expect(predicate(), "waited 30 s for \(what)")
        }
        waitFor("the first connection") { connectedCount() == 1 }

        let perPhase = 5
        var statuses: [String] = []
        for _ in 0..<perPhase { statuses.append(try EventStackLiveTests.curlStatus(http)) }
        waitFor("phase 1 at the subscriber") {
            EventStackLiveTests.lines(received1).filter { $0.contains("scriptgen.session.closed") }.count == perPhase
        }

        // The broker dies; serving goes on.
        broker.kill()
        reader1.stop(signal: SIGKILL)
        for _ in 0..<perPhase { statuses.append(try EventStackLiveTests.curlStatus(http)) }
        waitFor("the publisher to notice") {
            EventStackLiveTests.lines(server.eventsPath).contains { $0.contains("scriptgen.hpfeeds.disconnected") }
        }

        broker = try HPFeedsBroker(port: port)
        let reader2 = try Self.subscribe(port: port, output: received2)
        waitFor("the reconnection") { connectedCount() == 2 }
        for _ in 0..<perPhase { statuses.append(try EventStackLiveTests.curlStatus(http)) }
        waitFor("phase 3 at the subscriber") {
            EventStackLiveTests.lines(received2).filter { $0.contains("scriptgen.session.closed") }.count >= perPhase
        }
        _ = server.stop()
        usleep(300_000)
        reader2.stop(signal: SIGKILL)
        broker.kill()

        #expect(statuses == Array(repeating: "200", count: 3 * perPhase))
        let logged = Self.published(EventStackLiveTests.lines(server.eventsPath))
        let first = EventStackLiveTests.lines(received1), second = EventStackLiveTests.lines(received2)
        let received = Set(first + second)
        // What the subscriber got is what the log has, byte for byte.
        let foreign = received.subtracting(logged).count
        #expect(foreign == 0, "\(foreign) received lines are not in the log")
        let sessions = logged.filter { $0.contains("scriptgen.session.opened") }.compactMap(Self.session)
        #expect(sessions.count == 3 * perPhase)
        let phase1 = Set(sessions.prefix(perPhase)), phase2 = Set(sessions.dropFirst(perPhase).prefix(perPhase)), phase3 = Set(sessions.suffix(perPhase))
        func lines(of phase: Set<String>) -> [String] { logged.filter { Self.session(of: $0).map(phase.contains) ?? false } }
        let missing1 = lines(of: phase1).filter { !received.contains($0) }.count
        let missing3 = lines(of: phase3).filter { !received.contains($0) }.count
        #expect(!phase1.isEmpty && missing1 == 0, "phase 1: \(missing1) lines missing at the subscriber")
        #expect(!phase3.isEmpty && missing3 == 0, "phase 3: \(missing3) lines missing at the subscriber")
        // serve's own count: every logged event published, dropped or unsent.
        let summary = try #require(server.process.stderr.split(separator: "\n").first { $0.contains("hpfeeds:") }.map(String.init))
        let numbers = summary.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
        #expect(numbers.count == 5, "\(summary)")
        let (published, dropped, unsent, connections) = (numbers[0], numbers[1], numbers[2], numbers[3])
        #expect(published + dropped + unsent == logged.count, "\(summary) for \(logged.count) logged events")
        #expect(dropped == 0 && unsent == 0 && connections == 2, "\(summary)")
        let phase2Received = lines(of: phase2).filter(received.contains).count
        print("hpfeeds restart: \(logged.count) events logged, \(received.count) received (\(first.count) before the restart, \(second.count) after); phase 2 (broker down): \(phase2Received) of \(lines(of: phase2).count) received; \(summary)")
    }

    // No broker at all and a small queue: serving is unaffected, the overflow is counted in
    // hpfeeds.dropped lines and in serve's summary, and nothing is unaccounted for.
    @Test func anUnreachableBrokerCostsNothingButCountedDrops() throws {
        let port = Live.freePort()
        let server = try ServeProcess(models: [try Live.model("http")], extra: [
            "--hpfeeds", "127.0.0.1:\(port)", "--hpfeeds-ident", "honeypot", "--hpfeeds-secret-file", try Self.secretFile("x"),
            "--hpfeeds-queue-bytes", "4096",
        ])
        let http = try server.port(80)
        var statuses: [String] = []
        for _ in 0..<20 { statuses.append(try EventStackLiveTests.curlStatus(http)) }
        usleep(600_000)  // a retry passes, so drops are reported while running
        let events = server.stop()
        #expect(statuses == Array(repeating: "200", count: 20))
        let own = events.filter { ($0["event"] as? String)?.hasPrefix("hpfeeds.") == true }
        let published = events.count - own.count
        let reported = own.filter { $0["event"] as? String == "hpfeeds.dropped" }.compactMap { $0["count"] as? Int }.reduce(0, +)
        #expect(own.contains { $0["event"] as? String == "hpfeeds.disconnected" && ($0["reason"] as? String)?.contains("cannot connect") == true })
        let summary = try #require(server.process.stderr.split(separator: "\n").first { $0.contains("hpfeeds:") }.map(String.init))
        let numbers = summary.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
        #expect(numbers.count == 5, "\(summary)")
        #expect(numbers[0] == 0 && numbers[3] == 0, "\(summary)")
        #expect(numbers[1] > 0 && numbers[1] == reported, "\(summary), reported \(reported)")
        #expect(numbers[1] + numbers[2] == published, "\(summary) for \(published) events")
    }

    // A wrong secret: the broker's refusal is logged with its reason, serving goes on.
    @Test func aRefusedIdentIsLoggedWithTheBrokersReason() throws {
        let port = Live.freePort()
        let broker = try HPFeedsBroker(port: port)
        defer { broker.kill() }
        let server = try ServeProcess(models: [try Live.model("http")], extra: [
            "--hpfeeds", "127.0.0.1:\(port)", "--hpfeeds-ident", "honeypot", "--hpfeeds-secret-file", try Self.secretFile("wrong"),
        ])
        #expect(try EventStackLiveTests.curlStatus(try server.port(80)) == "200")
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline && !EventStackLiveTests.lines(server.eventsPath).contains(where: { $0.contains("hpfeeds.disconnected") }) { usleep(50_000) }
        let events = server.stop()
        let refusal = events.first { $0["event"] as? String == "hpfeeds.disconnected" }
        #expect((refusal?["reason"] as? String)?.contains("refused") == true, "\(String(describing: refusal))")
        #expect(!events.contains { $0["event"] as? String == "hpfeeds.connected" })
    }
}

/// The `hpfeeds` package's broker on 127.0.0.1:PORT, idents from the environment:
/// `honeypot` publishes, `reader` subscribes (and publishes its probes).
struct HPFeedsBroker {
    let process: BackgroundProcess

    static let available: Bool = {
        let found = (try? Live.run("python3", ["-c", "import hpfeeds.scripts.broker, hpfeeds.asyncio"], timeout: 30))?.status == 0
        if !found { print("note: the hpfeeds package (pip install 'hpfeeds[broker]') is not installed: HPFeeds tests are skipped") }
        return found
    }()

    init(port: Int) throws {
        let environment = [
            "HPFEEDS_HONEYPOT_SECRET=honeypot-secret", "HPFEEDS_HONEYPOT_PUBCHANS=scriptgen.events", "HPFEEDS_HONEYPOT_SUBCHANS=",
            "HPFEEDS_READER_SECRET=reader-secret", "HPFEEDS_READER_SUBCHANS=scriptgen.events", "HPFEEDS_READER_PUBCHANS=scriptgen.events",
        ]
        process = try BackgroundProcess(URL(fileURLWithPath: "/usr/bin/env"), environment + [
            "python3", "-c", "import sys; from hpfeeds.scripts.broker import main; sys.argv[0] = 'hpfeeds-broker'; main()",
            // Its metrics endpoint would take 0.0.0.0:8080 by default.
            "--auth", "env", "--bind", "127.0.0.1:\(port)", "--exporter", "127.0.0.1:0",
        ])
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline && TestClient(port: port, timeoutSeconds: 10) == nil { usleep(50_000) }
        #expect(TestClient(port: port, timeoutSeconds: 10) != nil, "the broker did not listen: \(process.stderr)")
    }

    /// SIGKILL: the broker dies as a crashed one would.
    func kill() {
        process.stop(signal: SIGKILL)
    }
}
