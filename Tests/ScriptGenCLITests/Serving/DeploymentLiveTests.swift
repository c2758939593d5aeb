import Foundation
import Testing

/// Scripts/deploy as systemd and logrotate use it: the unit's own ExecStart run as an
/// unprivileged user with the unit's ambient capability (setpriv does what systemd does with
/// User= and AmbientCapabilities=), on port 80 of a network namespace; its ExecReload, and
/// the logrotate rule with its postrotate, under load.
@Suite(.serialized, .enabled(if: Live.hasFixtures && getuid() == 0 && Live.canUseOwnNetwork && Live.has("setpriv") && Live.has("curl")))
struct DeploymentLiveTests {
    static let deploy = CLIRunner.repositoryRoot.appendingPathComponent("Scripts/deploy")
    static let unit = (try? String(contentsOf: deploy.appendingPathComponent("scriptgen-honeypot.service"), encoding: .utf8)) ?? ""

    /// The value of `key=` in the unit.
    static func setting(_ key: String) -> String? {
        unit.split(separator: "\n").first { $0.hasPrefix(key + "=") }.map { String($0.dropFirst(key.count + 1)) }
    }

    /// The unit as it would be installed here: the binary, model and log paths of this test.
    static func installed(model: String, logDirectory: String) -> String {
        unit.replacingOccurrences(of: "/usr/local/bin/scriptgen-honeypot", with: Live.honeypotBinary.path)
            .replacingOccurrences(of: "/var/lib/scriptgen/honeypot.model", with: model)
            .replacingOccurrences(of: "/var/log/scriptgen", with: logDirectory)
    }

    @Test(.enabled(if: Live.has("systemd-analyze"))) func unitPassesSystemdAnalyzeVerify() throws {
        let directory = try CLIRunner.temporaryDirectory()
        let path = directory.appendingPathComponent("scriptgen-honeypot.service").path
        try Self.installed(model: try Live.model("http"), logDirectory: directory.path).write(toFile: path, atomically: true, encoding: .utf8)
        let result = try Live.run("systemd-analyze", ["verify", path], timeout: 60)
        // A missing user is reported, not an error of the unit (the docs create it first).
        let problems = (result.stdout + result.stderr).split(separator: "\n").filter { !$0.contains("scriptgen") || $0.contains("error") }
        #expect(result.status == 0, "systemd-analyze verify: \(result.stdout) \(result.stderr)")
        #expect(problems.isEmpty, "\(problems)")
    }

    @Test func execStartServesPort80AsNobodyAndReloadRotatesTheLog() throws {
        let directory = try CLIRunner.temporaryDirectory()
        let logs = directory.appendingPathComponent("log").path
        try FileManager.default.createDirectory(atPath: logs, withIntermediateDirectories: true)
        // LogsDirectory=: the directory belongs to the service's user.
        #expect(chown(logs, 65534, 65534) == 0)
        let unit = Self.installed(model: try Live.model("http"), logDirectory: logs)
        let execStart = try #require(unit.split(separator: "\n").first { $0.hasPrefix("ExecStart=") }).dropFirst("ExecStart=".count)
        let command = execStart.split(separator: " ").map(String.init)
        let capability = try #require(Self.setting("AmbientCapabilities")).lowercased().replacingOccurrences(of: "cap_", with: "")
        #expect(Self.setting("User") == "scriptgen")
        let asService = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                         "--inh-caps=+\(capability)", "--ambient-caps=+\(capability)", "--"]
        let process = try BackgroundProcess(URL(fileURLWithPath: "/usr/bin/env"), [
            "unshare", "--net", "--", "sh", "-c", #"ip link set lo up && exec "$0" "$@""#,
        ] + asService + command)
        #expect(process.wait { _, err in err.contains("stop with Ctrl-C") }, "ExecStart did not start: \(process.stderr)")
        let inNamespace = ["nsenter", "--net=/proc/\(process.processIdentifier)/ns/net"]
        func curl() throws -> String {
            try Live.run(inNamespace[0], Array(inNamespace.dropFirst()) + ["curl", "-s", "-m", "10", "-o", "/dev/null", "-w", "%{http_code}", "http://127.0.0.1:80/"], timeout: 20).stdout
        }
        #expect(try curl() == "200")
        let events = logs + "/events.json"
        var info = stat()
        #expect(stat(events, &info) == 0 && info.st_uid == 65534, "the event file belongs to the service's user")

        // ExecReload, as systemd runs it, with $MAINPID.
        let reload = try #require(Self.setting("ExecReload")).replacingOccurrences(of: "$MAINPID", with: String(process.processIdentifier))
        try FileManager.default.moveItem(atPath: events, toPath: events + ".1")
        let words = reload.split(separator: " ").map(String.init)
        #expect(try Live.run(words[0], Array(words.dropFirst()), timeout: 10).status == 0)
        for _ in 0..<250 where !FileManager.default.fileExists(atPath: events) { usleep(4000) }
        #expect(try curl() == "200")

        // The logrotate rule, its postrotate reloading as ExecReload does (no systemd here).
        if Live.has("logrotate") {
            let rule = (try String(contentsOf: Self.deploy.appendingPathComponent("logrotate.conf"), encoding: .utf8))
                .replacingOccurrences(of: "/var/log/scriptgen", with: logs)
                .replacingOccurrences(of: "systemctl reload scriptgen-honeypot.service", with: reload)
            let rulePath = directory.appendingPathComponent("logrotate.conf").path
            try rule.write(toFile: rulePath, atomically: true, encoding: .utf8)
            let rotated = try Live.run("logrotate", ["-f", "-s", directory.appendingPathComponent("state").path, rulePath], timeout: 60)
            #expect(rotated.status == 0, "logrotate: \(rotated.stderr)")
            for _ in 0..<250 where !FileManager.default.fileExists(atPath: events) { usleep(4000) }
            #expect(try curl() == "200")
        }
        #expect(process.stop(signal: SIGTERM) == 0, "\(process.stderr)")

        // Rotated files older than the newest are compressed, as the rule says.
        let files = try FileManager.default.contentsOfDirectory(atPath: logs).sorted()
        var closed = 0, reopened = 0
        for file in files {
            let path = logs + "/" + file
            let lines = file.hasSuffix(".gz")
                ? try Live.run("gzip", ["-dc", path]).stdout.split(separator: "\n").map(String.init)
                : EventStackLiveTests.lines(path)
            for line in lines {
                let object = try #require(EventStackLiveTests.object(line), "\(file): \(line)")
                if object["eventid"] as? String == "scriptgen.session.closed" { closed += 1 }
                if object["eventid"] as? String == "scriptgen.log.reopened" { reopened += 1 }
            }
        }
        let expectedConversations = Live.has("logrotate") ? 3 : 2
        #expect(closed == expectedConversations, "\(files)")
        #expect(reopened == expectedConversations - 1, "\(files)")
    }
}
