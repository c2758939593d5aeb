import Foundation
import Testing

/// What `export-honeyd` writes, checked against honeyd's rules for service commands.
@Suite(.enabled(if: Live.hasFixtures)) struct ExportHoneydTests {
    @Test func scriptsConfigurationAndReadme() throws {
        let model = try Live.model("ftp")
        let directory = Live.workDirectory.appendingPathComponent("export-\(UUID().uuidString)").path
        let result = try CLIRunner.run(["export-honeyd", model, "-o", directory, "--ip", "192.0.2.10", "--template", "linuxftp", "--personality", "Linux 2.4.20"])
        #expect(result.status == 0, "\(result.stderr)")
        let configuration = try String(contentsOfFile: directory + "/honeyd.conf", encoding: .utf8)
        let lines = configuration.split(separator: "\n").filter { !$0.hasPrefix("#") }
        #expect(lines.first == "create linuxftp")
        #expect(lines.contains("set linuxftp personality \"Linux 2.4.20\""))
        #expect(lines.last == "bind 192.0.2.10 linuxftp")
        let add = try #require(lines.first { $0.hasPrefix("add linuxftp tcp port 21 ") })
        // The command string: one absolute path, no quote inside, no space, no $.
        let command = add.split(separator: "\"", omittingEmptySubsequences: false)
        #expect(command.count == 3)
        let script = String(command[1])
        #expect(script.hasPrefix("/") && !script.contains(" ") && !script.contains("$"))
        #expect(FileManager.default.isExecutableFile(atPath: script))
        let text = try String(contentsOfFile: script, encoding: .utf8)
        let exec = try #require(text.split(separator: "\n").first { $0.hasPrefix("exec ") })
        let words = exec.split(separator: " ")
        #expect(words[1].hasPrefix("/") && words[1].hasSuffix("/scriptgen-honeypot"))
        #expect(words[3].hasPrefix("/"))
        #expect(FileManager.default.fileExists(atPath: directory + "/README"))
    }

    @Test func scriptsRunFromAnyDirectoryAndStandaloneNeedsNoModelFile() throws {
        let model = try Live.model("ftp")
        let directory = Live.workDirectory.appendingPathComponent("standalone-\(UUID().uuidString)").path
        let result = try CLIRunner.run(["export-honeyd", model, "-o", directory, "--standalone"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: directory + "/model.json"))
        // Run it from / with the client's EOF at once: the banner, then a clean exit.
        let run = try Live.run("sh", ["-c", "cd / && \(directory)/tcp-21.sh"], timeout: 30, stdin: Array("USER anonymous\r\n".utf8))
        #expect(run.status == 0)
        #expect(run.stdout == "220 (vsFTPd 3.0.3)\r\n331 Please specify the password.\r\n")
        #expect(run.stderr.split(separator: "\n").first?.contains("\"session.opened\"") == true)
    }

    @Test func refusesPathsHoneydCannotRun() throws {
        let model = try Live.model("ftp")
        let directory = Live.workDirectory.appendingPathComponent("with space").path
        let result = try CLIRunner.run(["export-honeyd", model, "-o", directory])
        #expect(result.status != 0)
        #expect(result.stderr.contains("honeyd cannot run it"))
    }
}
