import Foundation
import Testing
import ScriptGenTestSupport

/// What real clients see, compared with what they saw from the real servers when the fixtures
/// were recorded (Fixtures/expected). Used against `serve` and against `respond` under the
/// honeyd harness alike.
enum ClientChecks {
    static func lines(_ text: String) -> [String] {
        text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// curl's protocol log: the server's lines (`< …`).
    static func serverLines(ofCurlVerbose stderr: String) -> [String] {
        stderr.split(whereSeparator: \.isNewline).filter { $0.hasPrefix("< ") }.map { String($0.dropFirst(2)).trimmingCharacters(in: .whitespaces) }
    }

    /// Banner and login replies for an anonymous and a failed login. A simplified model has
    /// one `PASS <var>` edge for every password (the request alone cannot tell a good one from
    /// a bad one), so it answers a failed login with the most frequent reply, `230`; only a
    /// raw model (`exactLogins`) replays the `530` the real server gave that very password.
    static func ftp(port: Int, exactLogins: Bool = false) throws {
        let anonymous = try Live.run("curl", ["-sv", "--max-time", "8", "ftp://127.0.0.1:\(port)/", "--user", "anonymous:ftp@example.com", "-Q", "PWD"])
        let expectedAnonymous = lines(try Live.expected("ftp-anonymous-session.txt"))
        let seen = serverLines(ofCurlVerbose: anonymous.stderr)
        #expect(Array(seen.prefix(3)) == Array(expectedAnonymous.prefix(3)), "anonymous login: \(anonymous.stderr)")
        #expect(seen.contains("257 \"/\" is the current directory"))

        let bad = try Live.run("curl", ["-sv", "--max-time", "8", "ftp://127.0.0.1:\(port)/", "--user", "ftpalice:wrongpass"])
        let expectedBad = lines(try Live.expected("ftp-bad-login.txt"))
        let badSeen = serverLines(ofCurlVerbose: bad.stderr)
        #expect(Array(badSeen.prefix(2)) == Array(expectedBad.prefix(2)), "bad login: \(bad.stderr)")
        if exactLogins {
            #expect(Array(badSeen.prefix(3)) == Array(expectedBad.prefix(3)), "bad login: \(bad.stderr)")
            #expect(bad.status == 67, "curl reports a failed login (67): \(bad.status)")
        } else {
            #expect(badSeen.count >= 3 && ["230 Login successful.", "530 Login incorrect."].contains(badSeen[2]), "bad login: \(bad.stderr)")
        }
    }

    static func title(_ html: String) -> String? {
        guard let start = html.range(of: "<title>"), let end = html.range(of: "</title>", range: start.upperBound..<html.endIndex) else { return nil }
        return String(html[start.upperBound..<end.lowerBound])
    }

    /// Status lines and titles for learned paths, and an answer for a path never seen. The
    /// recorded clients talked to port 80, so the requests name `Host: 127.0.0.1` as theirs did.
    static func http(port: Int, unseen: Bool = true) throws {
        let base = "http://127.0.0.1:\(port)"
        let curl = ["-s", "-i", "--max-time", "20", "-H", "Host: 127.0.0.1"]
        let root = try Live.run("curl", curl + [base + "/"])
        let expectedRoot = try Live.expected("http-head-root.txt")
        #expect(lines(root.stdout).first == lines(expectedRoot).first, "GET /: \(root.stdout.prefix(300))")
        #expect(title(root.stdout) == title(try Live.expected("http-body-root.html")))
        #expect(root.stdout.contains("Server: Apache/2.4.71 (Debian)"))

        let manual = try Live.run("curl", curl + [base + "/docs/manual.txt"])
        #expect(lines(manual.stdout).first == "HTTP/1.1 200 OK", "GET /docs/manual.txt: \(manual.stdout.prefix(300))")

        guard unseen else { return }
        // Never requested in the captures: answered as the most similar learned request.
        let other = try Live.run("curl", curl + [base + "/never-seen-4711.html"])
        let status = lines(other.stdout).first ?? ""
        #expect(status.hasPrefix("HTTP/1.1 "), "unseen path: \(other.stdout.prefix(300))")
        #expect(other.stdout.contains("Server: Apache/2.4.71 (Debian)"))
    }

    /// A scripted SMTP client: the banner and the EHLO capabilities.
    static func smtp(port: Int) throws {
        let client = try #require(TestClient(port: port, timeoutSeconds: 10))
        let banner = client.readLine()
        let expected = lines(try Live.expected("smtp-ehlo.txt"))
        #expect(banner.hasPrefix("220 vm ESMTP Exim 4.96"), "banner: \(banner)")
        client.send("EHLO probe.example.org\r\n")
        var reply: [String] = []
        while reply.count < 32 {
            let line = client.readLine()
            if line.isEmpty { break }
            reply.append(line)
            if line.hasPrefix("250 ") { break }
        }
        // The greeting line echoes the name the client gave (never seen in training) and the
        // address it connected from; the capabilities must be the real server's.
        #expect(reply == expected.filter { $0.hasPrefix("250") }, "EHLO: \(reply)")
        client.send("QUIT\r\n")
    }

    static func redis(port: Int) throws {
        let ping = try Live.run("redis-cli", ["-h", "127.0.0.1", "-p", String(port), "PING"], timeout: 20)
        #expect(lines(ping.stdout) == lines(try Live.expected("redis-ping.txt")))
        let info = try Live.run("redis-cli", ["-h", "127.0.0.1", "-p", String(port), "INFO", "server"], timeout: 20)
        let expectedInfo = lines(try Live.expected("redis-info-server.txt"))
        #expect(Array(lines(info.stdout).prefix(2)) == Array(expectedInfo.prefix(2)), "INFO server: \(info.stdout.prefix(200))")
    }

    /// `nmap -sV` on the served port gives the service and version nmap gave against the real
    /// server (Fixtures/expected/nmap-NAME.txt; the port column differs).
    /// `launcher`: what runs nmap where the server listens (`ServeProcess.clientLauncher`).
    static func nmap(port: Int, expectedFile: String, launcher: [String] = []) throws {
        let command = launcher + ["nmap", "-n", "-Pn", "-sV", "-p", String(port), "127.0.0.1"]
        let result = try Live.run(command[0], Array(command.dropFirst()), timeout: 300)
        let line = result.stdout.split(separator: "\n").first { $0.hasPrefix("\(port)/tcp") }.map(String.init) ?? ""
        let expectedLine = lines(try Live.expected(expectedFile)).dropFirst().first ?? ""
        func serviceAndVersion(_ line: String) -> String {
            line.split(separator: " ", omittingEmptySubsequences: true).dropFirst(2).joined(separator: " ")
        }
        #expect(!line.isEmpty, "nmap: \(result.stdout)")
        #expect(serviceAndVersion(line) == serviceAndVersion(expectedLine), "nmap said \(line), the real server gave \(expectedLine)")
    }
}
