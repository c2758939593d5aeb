import Foundation
import Testing

/// Models learned from the real fixture captures, processes in the background, and real
/// client tools, for the live serving tests.
enum Live {
    /// `Fixtures/` of the repository, or `SCRIPTGEN_FIXTURES` (a Fixtures folder elsewhere).
    static let fixtures: URL? = {
        let inRepository = CLIRunner.repositoryRoot.appendingPathComponent("Fixtures")
        if FileManager.default.fileExists(atPath: inRepository.appendingPathComponent("captures/ftp-train.pcap").path) { return inRepository }
        if let path = ProcessInfo.processInfo.environment["SCRIPTGEN_FIXTURES"],
           FileManager.default.fileExists(atPath: path + "/captures/ftp-train.pcap") { return URL(fileURLWithPath: path) }
        print("note: live serving tests skipped: no Fixtures/captures (set SCRIPTGEN_FIXTURES)")
        return nil
    }()

    static var hasFixtures: Bool { fixtures != nil }

    static let honeypotBinary = CLIRunner.binary.deletingLastPathComponent().appendingPathComponent("scriptgen-honeypot")
    static let harness = CLIRunner.repositoryRoot.appendingPathComponent("Scripts/honeyd-harness.py")

    /// Whether `tool` is installed; prints why a test is skipped when not.
    static func has(_ tool: String) -> Bool {
        let found = CLIRunner.commandExists(tool)
        if !found { print("note: \(tool) not installed: tests that use it are skipped") }
        return found
    }

    /// Learning options for the live models: the default, simplified, as a user learns them.
    /// The learned captures include each service's nmap scan, as nmap's probes are requests too.
    static let learnOptions: [String] = []

    /// (model port, captures) per service.
    static let services: [String: (port: Int, captures: [String])] = [
        "ftp": (21, ["ftp-train.pcap", "ftp-nmap.pcap"]),
        "http": (80, ["http-train.pcap", "http-nmap.pcap"]),
        "smtp": (25, ["smtp-train.pcap", "smtp-nmap.pcap"]),
        "redis": (6379, ["redis-train.pcap", "redis-nmap.pcap"]),
        "ssh": (22, ["ssh-train.pcap", "ssh-nmap.pcap"]),
        "dns": (53, ["dns-train.pcap"]),
        "mysql": (3306, ["mysql-train.pcap", "mysql-nmap.pcap"]),
        "smb": (445, ["smb-train.pcap"]),
    ]

    private static let modelLock = NSLock()
    nonisolated(unsafe) private static var learned: [String: String] = [:]
    static let workDirectory: URL = {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("scriptgen-live-\(getpid())")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }()

    /// The model file for `service`, learned once per test run.
    /// `raw`: the unsimplified prefix tree, which replays exactly what each request got.
    static func model(_ service: String, raw: Bool = false) throws -> String {
        modelLock.lock()
        defer { modelLock.unlock() }
        let key = raw ? service + "-raw" : service
        if let path = learned[key] { return path }
        let fixtures = try #require(fixtures)
        let entry = try #require(services[service])
        let output = workDirectory.appendingPathComponent("\(key).model").path
        let captures = entry.captures.map { fixtures.appendingPathComponent("captures/\($0)").path }
        let result = try CLIRunner.run(["learn"] + learnOptions + (raw ? ["--raw"] : []) + ["--port", String(entry.port)] + captures + ["-o", output])
        #expect(result.status == 0, "learn \(service): \(result.stderr)")
        learned[key] = output
        return output
    }

    static func expected(_ name: String) throws -> String {
        let fixtures = try #require(fixtures)
        return try String(contentsOf: fixtures.appendingPathComponent("expected/\(name)"), encoding: .utf8)
    }

    /// Where `serve` can listen on a service's own model port (nmap sends some probes only to
    /// a service's usual port), or nil (with a note saying why) when nowhere.
    /// - `.namespace`: a network namespace of its own (`unshare --net`, loopback up; needs root,
    ///   as in CI): the port is always free there, and nothing outside sees the server.
    /// - `.host`: the host's loopback, when the port is free on it.
    static func modelPortNetwork(_ port: Int) -> ModelPortNetwork? {
        if canUseOwnNetwork { return .namespace }
        if hostPortIsFree(port) { return .host }
        print("note: no network namespace (needs root, unshare, nsenter and ip) and 127.0.0.1:\(port) is taken: tests that serve on port \(port) are skipped")
        return nil
    }

    enum ModelPortNetwork {
        case namespace
        case host
    }

    static let canUseOwnNetwork: Bool = {
        guard ["unshare", "nsenter", "ip"].allSatisfy(CLIRunner.commandExists) else { return false }
        let result = try? run("unshare", ["--net", "--", "ip", "link", "set", "lo", "up"], timeout: 10)
        return result?.status == 0
    }()

    /// A TCP port of 127.0.0.1 that was free a moment ago (bound to 0 and released).
    static func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 ? getsockname(fd, $0, &length) : -1 }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Whether a plain bind (as a server without SO_REUSEPORT does) gets 127.0.0.1:`port`.
    static func hostPortIsFree(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
    }

    /// Runs a client tool to completion (bounded by `timeout`).
    static func run(_ tool: String, _ arguments: [String], timeout: TimeInterval = 60, stdin: [UInt8]? = nil) throws -> (status: Int32, stdout: String, stderr: String) {
        let result = try CLIRunner.runProcess(URL(fileURLWithPath: "/usr/bin/env"), [tool] + arguments, stdin: stdin, timeout: timeout)
        return (result.status, result.output, result.stderr)
    }
}

/// A long-running process (serve, the harness) whose output lines are collected as they come.
final class BackgroundProcess: @unchecked Sendable {
    private let process = Process()
    private let lock = NSLock()
    private var stdoutText = ""
    private var stderrText = ""
    private var readers = DispatchGroup()

    init(_ executable: URL, _ arguments: [String]) throws {
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = FileManager.default.temporaryDirectory
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        for (pipe, isError) in [(out, false), (err, true)] {
            readers.enter()
            Thread.detachNewThread { [self] in
                let handle = pipe.fileHandleForReading
                while true {
                    let data = handle.availableData
                    if data.isEmpty { break }
                    lock.lock()
                    if isError { stderrText += String(decoding: data, as: UTF8.self) } else { stdoutText += String(decoding: data, as: UTF8.self) }
                    lock.unlock()
                }
                readers.leave()
            }
        }
    }

    var processIdentifier: Int32 { process.processIdentifier }
    var stdout: String { lock.lock(); defer { lock.unlock() }; return stdoutText }
    var stderr: String { lock.lock(); defer { lock.unlock() }; return stderrText }
    var isRunning: Bool { process.isRunning }

    /// Waits until `predicate` holds for (stdout, stderr), the process ends, or the timeout.
    func wait(timeout: TimeInterval = 30, until predicate: (String, String) -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if predicate(stdout, stderr) { return true }
            if !process.isRunning { break }
            usleep(20_000)
        }
        return predicate(stdout, stderr)
    }

    /// SIGINT (or SIGTERM), then waits for the exit; returns the status.
    @discardableResult
    func stop(signal number: Int32 = SIGINT, timeout: TimeInterval = 30) -> Int32 {
        if process.isRunning { kill(process.processIdentifier, number) }
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning {
            Issue.record("\(process.executableURL?.lastPathComponent ?? "process") did not stop within \(timeout) s")
            kill(process.processIdentifier, SIGKILL)
        }
        process.waitUntilExit()
        readers.wait()
        return process.terminationStatus
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }
}

/// A running `scriptgen-honeypot serve` with the listening ports it printed.
final class ServeProcess {
    let process: BackgroundProcess
    let eventsPath: String
    /// model port -> listening port (TCP).
    private(set) var ports: [Int: Int] = [:]
    /// model port -> listening port (UDP).
    private(set) var udpPorts: [Int: Int] = [:]
    /// Put before a client tool's name to run it where the server listens (in its network
    /// namespace, if it has one).
    let clientLauncher: [String]

    /// `onModelPorts`: listen on the model ports themselves (in a network namespace of its
    /// own, or on the host), instead of free high ports.
    init(models: [String], extra: [String] = [], onModelPorts network: Live.ModelPortNetwork? = nil) throws {
        eventsPath = Live.workDirectory.appendingPathComponent("events-\(UUID().uuidString).log").path
        var arguments = ["serve"] + models + ["--listen", "127.0.0.1", "--events", eventsPath, "--seed", "1"]
        for service in Live.services.values { arguments += ["--map", "\(service.port)=\(network == nil ? 0 : service.port)"] }
        if network == .namespace {
            // unshare and sh exec in place: the process is the server, SIGTERM reaches it.
            let inNamespace = ["unshare", "--net", "--", "sh", "-c", #"ip link set lo up && exec "$0" "$@""#, Live.honeypotBinary.path]
            process = try BackgroundProcess(URL(fileURLWithPath: "/usr/bin/env"), inNamespace + arguments + extra)
            clientLauncher = ["nsenter", "--net=/proc/\(process.processIdentifier)/ns/net"]
        } else {
            process = try BackgroundProcess(Live.honeypotBinary, arguments + extra)
            clientLauncher = []
        }
        let started = process.wait { _, err in err.contains("stop with Ctrl-C") }
        #expect(started, "serve did not start: \(process.stderr)")
        // "listening on tcp 127.0.0.1:40123 (model tcp/21)"
        for line in process.stderr.split(separator: "\n") where line.contains("listening on tcp") || line.contains("listening on udp") {
            let words = line.split(separator: " ")
            let udp = line.contains("listening on udp")
            guard let address = words.first(where: { $0.hasPrefix("127.0.0.1:") }),
                  let listen = Int(address.split(separator: ":")[1].prefix { $0.isNumber }),
                  let model = words.first(where: { $0.hasPrefix(udp ? "udp/" : "tcp/") }).flatMap({ Int($0.dropFirst(4).prefix { $0.isNumber }) })
            else { continue }
            if udp { udpPorts[model] = listen } else { ports[model] = listen }
        }
    }

    func port(_ model: Int) throws -> Int { try #require(ports[model]) }

    /// Stops with SIGTERM and returns the parsed event lines.
    func stop() -> [[String: Any]] {
        let status = process.stop(signal: SIGTERM)
        #expect(status == 0, "serve exited with \(status): \(process.stderr)")
        return Self.events(at: eventsPath)
    }

    static func events(at path: String) -> [[String: Any]] {
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        return data.split(separator: 0x0a).map { line in
            let object = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any]
            #expect(object != nil, "event line is not JSON: \(String(decoding: line, as: UTF8.self))")
            return object ?? [:]
        }
    }
}

/// Exported honeyd scripts running under Scripts/honeyd-harness.py.
final class HarnessProcess {
    let process: BackgroundProcess
    let logPath: String
    private(set) var ports: [Int: Int] = [:]

    /// `models`: service name -> model path; each is exported and served on a free port.
    init(services: [String], standalone: Bool = false, respondOptions: [String] = []) throws {
        logPath = Live.workDirectory.appendingPathComponent("service-\(UUID().uuidString).log").path
        var arguments = [Live.harness.path, "--log", logPath]
        if getuid() == 0 { arguments += ["--user", "nobody"] }
        for service in services {
            let entry = try #require(Live.services[service])
            let directory = Live.workDirectory.appendingPathComponent("honeyd-\(service)\(standalone ? "-standalone" : "")\(respondOptions.joined())").path
            var export = ["export-honeyd", try Live.model(service), "-o", directory]
            if standalone { export.append("--standalone") }
            export += respondOptions.map { "--respond-option=\($0)" }
            let result = try CLIRunner.run(export)
            #expect(result.status == 0, "export-honeyd: \(result.stderr)")
            arguments += ["--service", "tcp:0:\(directory)/tcp-\(entry.port).sh:\(entry.port)"]
        }
        // The scripts run as nobody: the work directory must be reachable.
        chmod(Live.workDirectory.path, 0o755)
        process = try BackgroundProcess(URL(fileURLWithPath: "/usr/bin/env"), ["python3"] + arguments)
        let ready = process.wait { out, _ in out.contains("ready") }
        #expect(ready, "harness did not start: \(process.stderr)")
        // "listening tcp 127.0.0.1:40123 /dir/tcp-21.sh"
        for line in process.stdout.split(separator: "\n") where line.hasPrefix("listening tcp") {
            let words = line.split(separator: " ")
            guard words.count == 4, let listen = Int(words[2].split(separator: ":")[1]),
                  let model = Int(words[3].split(separator: "-").last!.dropLast(3)) else { continue }
            ports[model] = listen
        }
    }

    func port(_ model: Int) throws -> Int { try #require(ports[model]) }

    func stop() -> String {
        process.stop(signal: SIGTERM)
        return (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
    }
}
