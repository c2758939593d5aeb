import Foundation
import Testing

/// `scriptgen sessions` as a user runs it, on the real fixture captures.
@Suite struct SessionsCLITests {
    let ftp = CLIRunner.fixture("ftp-train.pcap")

    @Test func listsConversationsWithASummaryOnStderr() throws {
        let result = try CLIRunner.run(["sessions", ftp])
        #expect(result.status == 0)
        let lines = result.output.split(separator: "\n")
        #expect(!lines.isEmpty)
        let control = try #require(lines.first { $0.contains("-> 127.0.0.1:21 ") })
        #expect(control.hasPrefix("tcp 127.0.0."))
        #expect(control.contains("handshake"))
        #expect(control.contains("msgs="))
        #expect(result.stderr.contains("read "))
        #expect(result.stderr.contains("packets"))
        #expect(result.stderr.contains("\(lines.count) conversations"))
    }

    @Test func messagesShowTheFTPDialogue() throws {
        let result = try CLIRunner.run(["sessions", "--port", "21", "--messages", ftp])
        #expect(result.status == 0)
        #expect(result.output.contains("server 20     \"220 (vsFTPd 3.0.3)\\r\\n\""))
        #expect(result.output.contains("client"))
        #expect(result.output.contains("\"USER "))
        // Only port 21 conversations are listed.
        for line in result.output.split(separator: "\n") where line.hasPrefix("tcp") {
            #expect(line.contains("-> 127.0.0.1:21 "))
        }
    }

    @Test func jsonHasTheDocumentedKeys() throws {
        let result = try CLIRunner.run(["sessions", "--json", "--port", "21", ftp])
        #expect(result.status == 0)
        let lines = result.output.split(separator: "\n")
        #expect(!lines.isEmpty)
        for line in lines {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            #expect(object["transport"] as? String == "tcp")
            #expect((object["server"] as? String)?.hasSuffix(":21") == true)
            #expect(object["client"] is String)
            #expect(object["start"] is Double)
            let messages = try #require(object["messages"] as? [[String: Any]])
            let first = try #require(messages.first)
            #expect(first["from"] as? String == "server")
            let payload = try #require(first["payload"] as? String)
            #expect(Data(base64Encoded: payload).map { String(decoding: $0, as: UTF8.self) } == "220 (vsFTPd 3.0.3)\r\n")
            #expect(first["length"] as? Int == 20)
        }
    }

    @Test func serverFilterTakesAddressesAndNetworks() throws {
        let kept = try CLIRunner.run(["sessions", "--server", "127.0.0.0/8", ftp])
        let none = try CLIRunner.run(["sessions", "--server", "10.0.0.0/8", ftp])
        #expect(kept.status == 0 && none.status == 0)
        #expect(!kept.output.isEmpty)
        #expect(none.output.isEmpty)
        let bad = try CLIRunner.run(["sessions", "--server", "not-an-address", ftp])
        #expect(bad.status != 0)
        #expect(bad.stderr.contains("--server"))
    }

    @Test func stdinGzipAndDirectoriesGiveTheSameConversations() throws {
        let direct = try CLIRunner.run(["sessions", ftp]).output
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: ftp)))
        let fromStdin = try CLIRunner.run(["sessions", "-"], stdin: bytes)
        #expect(fromStdin.status == 0)
        #expect(fromStdin.output == direct)

        let directory = try CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let copy = directory.appendingPathComponent("nested/a.pcap")
        try FileManager.default.createDirectory(at: copy.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(bytes).write(to: copy)
        try Data("not a capture".utf8).write(to: directory.appendingPathComponent("nested/notes.txt"))
        let fromDirectory = try CLIRunner.run(["sessions", directory.path])
        #expect(fromDirectory.status == 0)
        #expect(fromDirectory.output == direct)
        #expect(fromDirectory.stderr.contains("1 non-capture files in directories ignored"))

        let gzip = Process()
        gzip.executableURL = URL(fileURLWithPath: "/bin/gzip")
        gzip.arguments = ["-k", copy.path]
        try gzip.run()
        gzip.waitUntilExit()
        let fromGzip = try CLIRunner.run(["sessions", copy.path + ".gz"])
        #expect(fromGzip.status == 0)
        #expect(fromGzip.output == direct)
    }

    @Test func aNonCaptureFileIsRejectedWithItsNameAndOffset() throws {
        let directory = try CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("notes.txt").path
        try Data("hello, this is text".utf8).write(to: URL(fileURLWithPath: path))
        let result = try CLIRunner.run(["sessions", path])
        #expect(result.status != 0)
        #expect(result.stderr.contains("notes.txt: offset 0:"))
        #expect(result.stderr.split(separator: "\n").count == 1)
    }

    @Test func aTruncatedCaptureKeepsWhatCameBeforeTheDamage() throws {
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: ftp)))
        let directory = try CLIRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("cut.pcap").path
        let cut = bytes.count * 2 / 3 + 5
        try Data(bytes.prefix(cut)).write(to: URL(fileURLWithPath: path))
        let result = try CLIRunner.run(["sessions", path])
        #expect(result.status != 0)
        #expect(result.stderr.contains("cut.pcap: offset "))
        #expect(result.stderr.contains("truncated"))
        #expect(!result.output.isEmpty, "conversations read before the damage are still printed")
    }

    @Test func aMissingFileIsNamed() throws {
        let result = try CLIRunner.run(["sessions", "/nonexistent/capture.pcap"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("/nonexistent/capture.pcap: no such file or directory"))
    }
}
