import Foundation
import Testing

/// `respond` closes where the real server closed: after the answer to an HTTP/1.0 request
/// (Apache), FTP and SMTP `QUIT`, the process ends by itself while its input is still open, so
/// a client that reads until the connection closes gets its end at once. Models are learned
/// from the real fixture captures.
@Suite(.enabled(if: Live.hasFixtures)) struct RespondCloseTests {
    /// `respond` on stdin/stdout with `input` written and the pipe left open.
    struct Run {
        var ended: Bool
        var stdout: String
        var stderr: String
    }

    static func respond(model: String, port: Int, input: String, closeInputAfterwards: Bool = false) throws -> Run {
        let process = Process()
        process.executableURL = Live.honeypotBinary
        process.arguments = ["respond", model, "--port", String(port)]
        let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        stdin.fileHandleForWriting.write(Data(input.utf8))
        if closeInputAfterwards { try stdin.fileHandleForWriting.close() }
        // Bounded: the idle timeout (60 s) would end it too, so a run that does not close
        // within 30 s has not closed after the answer.
        let deadline = Date().addingTimeInterval(30)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        let ended = !process.isRunning
        if !ended { process.terminate() }
        if !closeInputAfterwards { try? stdin.fileHandleForWriting.close() }
        process.waitUntilExit()
        let out = String(decoding: stdout.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let err = String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        return Run(ended: ended, stdout: out, stderr: err)
    }

    @Test func anHttp10RequestIsAnsweredThenTheConnectionClosed() throws {
        let model = try Live.model("http")
        let run = try Self.respond(model: model, port: 80, input: "GET / HTTP/1.0\r\n\r\n")
        #expect(run.ended, "respond still running with its input open: it did not close after the answer")
        #expect(run.stdout.hasPrefix("HTTP/1.1 200 OK\r\n"))
        #expect(run.stdout.contains("Connection: close\r\n"))
        #expect(run.stderr.contains(#""reason":"model-closed""#), "\(run.stderr)")
    }

    @Test(arguments: [("ftp", 21, "QUIT\r\n", "221 Goodbye.\r\n"), ("smtp", 25, "EHLO client.example\r\nQUIT\r\n", " closing connection\r\n")])
    func quitIsAnsweredThenTheConnectionClosed(service: String, port: Int, input: String, lastLineEnd: String) throws {
        let run = try Self.respond(model: try Live.model(service), port: port, input: input)
        #expect(run.ended, "\(service): respond still running with its input open")
        #expect(run.stdout.hasSuffix(lastLineEnd), "\(service): \(run.stdout)")
        #expect(run.stderr.contains(#""reason":"model-closed""#), "\(service): \(run.stderr)")
    }

    @Test func aKeptAliveHttp11RequestLeavesTheConnectionOpen() throws {
        // The client closes its side after the answer: the close is the client's, not the
        // model's (curl's request from the fixture, whose server kept the connection open).
        let model = try Live.model("http")
        let run = try Self.respond(
            model: model, port: 80, input: "GET /about.html HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\n\r\n",
            closeInputAfterwards: true)
        #expect(run.ended)
        #expect(run.stdout.hasPrefix("HTTP/1.1 "))
        #expect(run.stderr.contains(#""reason":"client-closed""#), "\(run.stderr)")
    }

    @Test func closeShareOneNeverCloses() throws {
        let model = try Live.model("ftp")
        let process = try CLIRunner.runProcess(Live.honeypotBinary, ["respond", model, "--port", "21", "--close-share", "1"], stdin: Array("QUIT\r\n".utf8), timeout: 30)
        #expect(process.output.hasSuffix("221 Goodbye.\r\n"))
        #expect(process.stderr.contains(#""reason":"client-closed""#), "\(process.stderr)")
        let refused = try CLIRunner.runProcess(Live.honeypotBinary, ["respond", model, "--port", "21", "--close-share", "1.5"], timeout: 30)
        #expect(refused.status == 64)
        #expect(refused.stderr.contains("--close-share must be between 0 and 1"))
    }
}
