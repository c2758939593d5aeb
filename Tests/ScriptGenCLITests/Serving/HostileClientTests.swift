import Foundation
import Testing
import ScriptGenTestSupport

/// Attackers against `serve`: the server keeps answering an honest client from another
/// address, and logs what it cut.
@Suite(.serialized, .enabled(if: Live.hasFixtures)) struct HostileClientTests {
    /// A raw socket from `source` (any 127.0.0.0/8 address) to the server.
    static func connect(port: Int, from source: String) -> Int32? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        var local = sockaddr_in()
        local.sin_family = sa_family_t(AF_INET)
        inet_pton(AF_INET, source, &local.sin_addr)
        _ = withUnsafePointer(to: &local) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
        let status = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        if status != 0 {
            close(fd)
            return nil
        }
        return fd
    }

    /// The honest client: an FTP banner and a login reply, from 127.0.0.1.
    static func honestClientIsServed(port: Int) {
        guard let client = TestClient(port: port, timeoutSeconds: 10) else {
            Issue.record("the honest client could not connect")
            return
        }
        #expect(client.readLine() == "220 (vsFTPd 3.0.3)")
        client.send("USER anonymous\r\n")
        #expect(client.readLine() == "331 Please specify the password.")
    }

    /// Waits (at most `timeout`) until the event log has `count` whole lines that `matches`.
    static func waitForLines(in path: String, count: Int, timeout: TimeInterval = 30, matching matches: (Substring) -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        repeat {
            let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
            // The last line may still be being written: only lines ended by a newline count.
            let whole = text.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
            if whole.filter(matches).count >= count { return true }
            usleep(50_000)
        } while Date() < deadline
        return false
    }

    static func limits(_ events: [[String: Any]]) -> [String: Int] {
        var counts: [String: Int] = [:]
        for event in events where ["session.limit", "connection.refused"].contains(event["event"] as? String) {
            counts[event["limit"] as? String ?? "?", default: 0] += 1
        }
        return counts
    }

    @Test func randomBytesAreUnmatchedRequestsNotCrashes() throws {
        let server = try ServeProcess(models: [try Live.model("ftp")], extra: ["--max-request-bytes", "4096"])
        let port = try server.port(21)
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<20 {
            guard let fd = Self.connect(port: port, from: "127.0.0.5") else { continue }
            let junk = (0..<Int.random(in: 1...20_000, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            _ = junk.withUnsafeBytes { send(fd, $0.baseAddress!, $0.count, Int32(MSG_NOSIGNAL)) }
            shutdown(fd, Int32(SHUT_WR))
            close(fd)
        }
        Self.honestClientIsServed(port: port)
        #expect(server.process.isRunning)
        let events = server.stop()
        let unmatched = events.filter { $0["event"] as? String == "session.request" && $0["match"] as? String == "none" }
        #expect(unmatched.count >= 20)
        #expect(unmatched.allSatisfy { ($0["length"] as? Int ?? .max) <= 4096 })
    }

    @Test func hugeRequestIsCutByTheLimit() throws {
        // 100 MB at the default 64 KiB request limit: the server stays bounded and answers others.
        let server = try ServeProcess(models: [try Live.model("ftp")])
        let port = try server.port(21)
        let fd = try #require(Self.connect(port: port, from: "127.0.0.6"))
        let chunk = [UInt8](repeating: 0x41, count: 1 << 20)
        var sent = 0
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        while sent < 100 << 20 {
            let count = chunk.withUnsafeBytes { send(fd, $0.baseAddress!, $0.count, Int32(MSG_NOSIGNAL)) }
            if count <= 0 { break }
            sent += count
        }
        Self.honestClientIsServed(port: port)
        close(fd)
        let events = server.stop()
        let cut = events.filter { $0["event"] as? String == "session.limit" && $0["limit"] as? String == "maxRequestBytes" }
        // Either all 100 MB went in as 64 KiB requests, or the request-count limit (1000)
        // ended the conversation first (65.5 MB): bounded either way.
        #expect(sent == 100 << 20 || Self.limits(events)["maxRequests"] == 1, "sent \(sent) bytes")
        #expect(cut.count >= 1000, "64 KiB cuts: \(cut.count)")
        let closed = events.first { $0["event"] as? String == "session.closed" && ($0["bytesIn"] as? Int ?? 0) > 1 << 20 }
        #expect(closed != nil)
    }

    @Test func slowDripIsEndedByTheDurationLimit() throws {
        // One byte every 200 ms never completes a request; --max-duration ends the conversation.
        let server = try ServeProcess(models: [try Live.model("ftp")], extra: ["--max-duration", "2"])
        let port = try server.port(21)
        let fd = try #require(Self.connect(port: port, from: "127.0.0.7"))
        var closedByServer = false
        for _ in 0..<50 {
            var byte: UInt8 = 0x55
            if send(fd, &byte, 1, Int32(MSG_NOSIGNAL)) <= 0 {
                closedByServer = true
                break
            }
            usleep(200_000)
        }
        Self.honestClientIsServed(port: port)
        close(fd)
        let events = server.stop()
        #expect(closedByServer)
        #expect(Self.limits(events)["maxDuration"] ?? 0 >= 1)
    }

    @Test func manyHalfOpenConnectionsAreCappedPerSource() throws {
        // 2,000 connections that never send from one address, against a per-source limit of
        // 500: the rest are refused and logged, and another address is still served.
        let server = try ServeProcess(models: [try Live.model("ftp")], extra: ["--max-connections-per-source", "500"])
        let port = try server.port(21)
        var limit = rlimit()
        getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit)
        let wanted = min(2000, Int(limit.rlim_cur) - 200)
        var held: [Int32] = []
        for _ in 0..<wanted {
            if let fd = Self.connect(port: port, from: "127.0.0.8") { held.append(fd) }
        }
        Self.honestClientIsServed(port: port)
        #expect(server.process.isRunning)
        // Every held connection is admitted or refused before any closes: with one listening
        // socket per event loop, the honest client's answer does not prove the others' queues
        // are empty, and a connection accepted after others closed would be admitted.
        let decided = Self.waitForLines(in: server.eventsPath, count: held.count) { line in
            (line.contains(#""event":"session.opened""#) && line.contains(#""src":"127.0.0.8""#))
                || (line.contains(#""event":"connection.refused""#) && line.contains(#""src":"127.0.0.8""#))
        }
        #expect(decided, "the server did not admit or refuse every connection")
        held.forEach { close($0) }
        let events = server.stop()
        let refused = events.filter { $0["event"] as? String == "connection.refused" && $0["limit"] as? String == "maxConnectionsPerSource" }
        #expect(held.count == wanted)
        #expect(refused.count == max(0, wanted - 500))
        let opened = events.filter { $0["event"] as? String == "session.opened" && $0["src"] as? String == "127.0.0.8" }
        #expect(opened.count == min(wanted, 500))
    }

    @Test(.enabled(if: Live.has("prlimit")), arguments: ["epoll", "nio"])
    func runningOutOfDescriptorsRestsTheListenerAndServesAgain(engine: String) throws {
        // 64 descriptors: about 40 conversations, then accept4 fails with EMFILE.
        let eventsPath = Live.workDirectory.appendingPathComponent("events-\(UUID().uuidString).log").path
        let process = try BackgroundProcess(URL(fileURLWithPath: "/usr/bin/env"), [
            "prlimit", "--nofile=64", Live.honeypotBinary.path, "serve", try Live.model("ftp"), "--listen", "127.0.0.1",
            "--map", "21=0", "--events", eventsPath, "--threads", "2", "--engine", engine,
        ])
        #expect(process.wait { _, err in err.contains("stop with Ctrl-C") }, "serve did not start: \(process.stderr)")
        let listening = process.stderr.split(separator: "\n").first { $0.contains("listening on tcp 127.0.0.1:") }
        let port = try #require(listening.flatMap { line in
            line.split(separator: " ").first { $0.hasPrefix("127.0.0.1:") }.flatMap { Int($0.split(separator: ":")[1]) }
        })
        var held: [Int32] = []
        for _ in 0..<100 {
            if let fd = Self.connect(port: port, from: "127.0.0.9") { held.append(fd) }
        }
        #expect(held.count == 100)
        // Some are served before the descriptors run out; the rest wait in the backlog.
        let served = Self.waitForLines(in: eventsPath, count: 20) { $0.contains(#""event":"session.opened""#) }
        #expect(served)
        #expect(process.isRunning)
        held.forEach { close($0) }
        // Descriptors free again: the listener accepts what waited, and new clients.
        Self.honestClientIsServed(port: port)
        let status = process.stop(signal: SIGTERM)
        #expect(status == 0, "serve exited with \(status): \(process.stderr)")
        let events = ServeProcess.events(at: eventsPath)
        let opened = events.filter { $0["event"] as? String == "session.opened" }.count
        let closed = events.filter { $0["event"] as? String == "session.closed" }.count
        #expect(opened == closed)
        #expect(opened > 20)
    }
}

