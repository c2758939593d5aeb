import ArgumentParser
import Foundation
import ScriptGenModel
import ScriptGenServing

/// `scriptgen export-honeyd MODEL -o DIR`: one honeyd service script per port, the honeyd.conf
/// block that uses them, and a README.
struct ExportHoneydCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export-honeyd",
        abstract: "Write honeyd service scripts and a honeyd.conf block for every port of a model.",
        discussion: """
            Each script runs `scriptgen-honeypot respond` (the lean serving binary, found next to \
            this scriptgen unless --honeypot-binary is given) by absolute path, so it works from \
            any working directory as honeyd needs. The model is copied into DIR, or with \
            --standalone embedded into each script. See docs/honeyd.md.
            """
    )

    @Argument(help: "The model file.")
    var model: String

    @Option(name: [.short, .customLong("output")], help: "The directory to write (created if needed).")
    var output: String

    @Option(help: "The honeypot address for the `bind` line.")
    var ip = "10.0.0.10"

    @Option(help: "The honeyd template name.")
    var template = "scriptgen"

    @Option(help: "An nmap OS personality for the template, e.g. \"Linux 2.4.20\" (default: none set).")
    var personality: String?

    @Flag(help: "Embed the model (only that port's machine) in each script instead of copying the model file.")
    var standalone = false

    @Option(name: .customLong("honeypot-binary"), help: "The scriptgen-honeypot binary the scripts run (an absolute path on the honeyd host).")
    var honeypotBinary: String?

    @Option(help: "Export only these model ports (repeatable).")
    var port: [UInt16] = []

    @Option(name: .customLong("respond-option"), parsing: .singleValue, help: "An extra option passed to respond, e.g. --respond-option=--idle-timeout=30 (repeatable; no spaces).")
    var respondOptions: [String] = []

    func validate() throws {
        guard template.range(of: "^[A-Za-z][A-Za-z0-9_-]*$", options: .regularExpression) != nil else {
            throw ValidationError("--template must be a name of letters, digits, - and _")
        }
        guard ip.range(of: "^[0-9]{1,3}(\\.[0-9]{1,3}){3}$", options: .regularExpression) != nil,
              ip.split(separator: ".").allSatisfy({ Int($0)! <= 255 }) else {
            throw ValidationError("--ip must be an IPv4 address")
        }
        if let personality, personality.contains("\"") || personality.contains("\n") {
            throw ValidationError("--personality cannot contain \" or a newline")
        }
        for option in respondOptions where !HoneydCommandLine.isSafeWord(option) {
            throw ValidationError("--respond-option \(option): honeyd splits on spaces and forbids \" and $")
        }
    }

    func run() throws {
        let file = try ModelStore.read(model)
        let machines = file.machines.filter { port.isEmpty || port.contains($0.port) }
        guard !machines.isEmpty else { throw CommandFailure("\(model): no machine to export") }
        let directory = URL(fileURLWithPath: output).standardizedFileURL
        let binary = try resolveBinary()
        try HoneydCommandLine.check(path: binary, what: "the scriptgen-honeypot path")
        try HoneydCommandLine.check(path: directory.path, what: "the output directory")
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw CommandFailure("\(output): cannot create the directory: \(error.localizedDescription)")
        }
        let modelCopy = directory.appendingPathComponent("model.json")
        if !standalone {
            try write(file.encode(), to: modelCopy, executable: false)
        }
        var serviceLines: [String] = []
        var scripts: [String] = []
        for machine in machines {
            let name = "\(machine.transport.rawValue)-\(machine.port).sh"
            let scriptURL = directory.appendingPathComponent(name)
            var arguments = ["respond"]
            arguments.append(standalone ? "/dev/fd/3" : modelCopy.path)
            arguments += ["--port", String(machine.port)]
            if machine.transport == .udp { arguments.append("--udp") }
            arguments += respondOptions
            var script = """
                #!/bin/sh
                # ScriptGen honeyd service script for \(machine.transport.rawValue)/\(machine.port), exported from \(URL(fileURLWithPath: model).lastPathComponent).
                # honeyd runs it per connection (per flow for UDP) with the attacker's socket on stdin
                # and stdout; events go to stderr (honeyd's service log), one JSON line each.
                # Addresses come from HONEYD_IP_SRC, HONEYD_IP_DST, HONEYD_SRC_PORT, HONEYD_DST_PORT.

                """
            if standalone {
                var single = file
                single.machines = [machine]
                single.buildReports = file.buildReports.filter { $0.transport == machine.transport && $0.port == machine.port }
                let json = String(decoding: single.encode(), as: UTF8.self)
                script += "exec \(binary) \(arguments.joined(separator: " ")) 3<<'SCRIPTGEN_MODEL_END'\n\(json)SCRIPTGEN_MODEL_END\n"
            } else {
                script += "exec \(binary) \(arguments.joined(separator: " "))\n"
            }
            try write(Array(script.utf8), to: scriptURL, executable: true)
            scripts.append(name)
            serviceLines.append("add \(template) \(machine.transport.rawValue) port \(machine.port) \"\(scriptURL.path)\"")
        }
        let configuration = HoneydConfiguration.block(
            template: template, personality: personality, ip: ip, services: serviceLines, model: model
        )
        try write(Array(configuration.utf8), to: directory.appendingPathComponent("honeyd.conf"), executable: false)
        let readme = HoneydConfiguration.readme(
            directory: directory.path, binary: binary, scripts: scripts, standalone: standalone, ip: ip, template: template
        )
        try write(Array(readme.utf8), to: directory.appendingPathComponent("README"), executable: false)
        print("wrote \(scripts.count) script\(scripts.count == 1 ? "" : "s"), honeyd.conf and README to \(directory.path)")
        for line in serviceLines { print("  \(line)") }
    }

    /// `--honeypot-binary`, else `scriptgen-honeypot` next to this executable.
    private func resolveBinary() throws -> String {
        if let honeypotBinary {
            guard honeypotBinary.hasPrefix("/") else { throw ValidationError("--honeypot-binary must be an absolute path") }
            return honeypotBinary
        }
        let me = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        let candidates = [me, URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL.resolvingSymlinksInPath()]
        for executable in candidates {
            let sibling = executable.deletingLastPathComponent().appendingPathComponent("scriptgen-honeypot")
            if FileManager.default.isExecutableFile(atPath: sibling.path) { return sibling.path }
        }
        throw CommandFailure("scriptgen-honeypot not found next to scriptgen; build it (swift build --product scriptgen-honeypot) or pass --honeypot-binary")
    }

    private func write(_ bytes: [UInt8], to url: URL, executable: Bool) throws {
        do {
            try Data(bytes).write(to: url, options: .atomic)
            try FileManager.default.setAttributes([.posixPermissions: executable ? 0o755 : 0o644], ofItemAtPath: url.path)
        } catch {
            throw CommandFailure("\(url.path): cannot write: \(error.localizedDescription)")
        }
    }
}

/// What honeyd accepts in a service command line: it is split on spaces with no shell, `"`
/// ends it, `$word` is expanded, and relative paths break because honeyd changes directory.
enum HoneydCommandLine {
    static func isSafeWord(_ word: String) -> Bool {
        !word.isEmpty && !word.contains { $0 == "\"" || $0 == "$" || $0 == "'" || $0 == "\\" || $0.isWhitespace }
    }

    static func check(path: String, what: String) throws {
        guard path.hasPrefix("/") else { throw CommandFailure("\(what) \(path) is not absolute") }
        guard isSafeWord(path) else {
            throw CommandFailure("\(what) \(path) contains a space, quote, backslash or $: honeyd cannot run it; choose another path")
        }
    }
}

enum HoneydConfiguration {
    static func block(template: String, personality: String?, ip: String, services: [String], model: String) -> String {
        var lines = [
            "# ScriptGen services learned in \(URL(fileURLWithPath: model).lastPathComponent).",
            "# Paste into honeyd.conf (or include it) and adjust the address.",
            "create \(template)",
        ]
        if let personality {
            lines.append("set \(template) personality \"\(personality)\"")
        } else {
            lines.append("# set \(template) personality \"Linux 2.4.20\"")
        }
        lines += [
            "set \(template) default tcp action reset",
            "set \(template) default udp action reset",
        ]
        lines += services
        lines.append("bind \(ip) \(template)")
        return lines.joined(separator: "\n") + "\n"
    }

    static func readme(directory: String, binary: String, scripts: [String], standalone: Bool, ip: String, template: String) -> String {
        """
        ScriptGen honeyd export
        =======================

        Files
          honeyd.conf   the template `\(template)` with one `add` line per service, bound to \(ip)
        \(scripts.map { "  \($0)  a service script (honeyd runs one per connection or UDP flow)" }.joined(separator: "\n"))
        \(standalone ? "  (standalone: each script carries its own model)" : "  model.json    the model the scripts answer from")

        Deploying on a honeyd host
          1. Copy this directory to the same absolute path on the honeyd host:
               \(directory)
             The scripts name it, and \(binary), by absolute path (honeyd changes its working
             directory and runs commands without a shell). Re-export with -o and
             --honeypot-binary if the paths differ there.
          2. Install scriptgen-honeypot at \(binary). It needs no other file.
          3. Make both readable and executable by the user honeyd runs services as (nobody):
               chmod -R a+rX \(directory)
          4. Add honeyd.conf to your configuration (adjust the `bind` address) and start honeyd:
               honeyd -d -f \(directory)/honeyd.conf \(ip)
          5. Each conversation logs JSON events (docs/events.md in ScriptGen) on the script's
             stderr, which honeyd writes to its service log.

        Trying a script without honeyd
          Any TCP script speaks on stdin/stdout, so this shows the banner:
            \(directory)/\(scripts.first ?? "tcp-PORT.sh") < /dev/null
          ScriptGen's Scripts/honeyd-harness.py runs the scripts exactly as honeyd does
          (one socket as stdin and stdout, HONEYD_* variables, 30 open files) on a local port.
        """ + "\n"
    }
}
