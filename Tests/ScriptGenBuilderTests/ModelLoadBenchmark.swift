import Foundation
import ScriptGenBuilder
import ScriptGenCapture
import ScriptGenFlows
import ScriptGenModel
import Testing

/// Load-time measurement, not a pass/fail timing: run with
/// `SCRIPTGEN_BENCHMARK=1 swift test -c release --filter modelLoadBenchmark` and read the
/// BENCH lines. 500 synthetic HTTP/FTP conversations, a fixed pseudo-random sequence.
@Test(.enabled(if: ProcessInfo.processInfo.environment["SCRIPTGEN_BENCHMARK"] == "1"))
func modelLoadBenchmark() throws {
    var seed: UInt64 = 42
    func next() -> UInt64 { seed = seed &* 6364136223846793005 &+ 1442695040888963407; return seed >> 33 }
    var conversations = [Conversation]()
    let body = String(repeating: "<p>hello world</p>\n", count: 100)
    for index in 0..<300 {
        var messages = [Message]()
        for _ in 0..<(1 + Int(next() % 3)) {
            messages.append(c("GET /path/\(next() % 1000)/index.html HTTP/1.1\r\nHost: example.com\r\nUser-Agent: Mozilla/5.0 (compatible; scanner \(next() % 50))\r\nAccept: */*\r\n\r\n"))
            messages.append(s("HTTP/1.1 200 OK\r\nServer: Apache/2.0.52\r\nContent-Length: \(body.utf8.count)\r\nDate: \(next())\r\n\r\n" + body))
        }
        conversations.append(conversation(port: 80, clientPort: UInt16(1000 + index), messages))
    }
    for index in 0..<200 {
        conversations.append(conversation(port: 21, clientPort: UInt16(5000 + index), [
            s("220 FTP ready\r\n"), c("USER user\(next() % 40)\r\n"), s("331 Password\r\n"), c("PASS \(next())\r\n"),
            s(next() % 3 == 0 ? "230 OK\r\n" : "530 Denied\r\n"), c("QUIT\r\n"), s("221 Bye\r\n"),
        ]))
    }
    let clock = ContinuousClock()
    var builder = PrefixTreeBuilder()
    let buildTime = clock.measure { for conversation in conversations { builder.add(conversation) } }
    let built = builder.results()
    let model = ModelFile(toolVersion: "bench", parameters: builder.options.parameters, machines: built.map(\.machine), buildReports: built.map(\.report))
    var encoded = [UInt8]()
    let encodeTime = clock.measure { encoded = model.encode() }
    var decodeTimes = [Duration]()
    for _ in 0..<10 { decodeTimes.append(clock.measure { _ = try! ModelFile.decode(from: encoded) }) }
    var foundationTimes = [Duration]()
    let data = Data(encoded)
    for _ in 0..<10 { foundationTimes.append(clock.measure { _ = try! JSONSerialization.jsonObject(with: data) }) }
    print("BENCH conversations \(conversations.count), states \(model.machines.map(\.states.count)), bytes \(encoded.count)")
    print("BENCH build \(buildTime), encode \(encodeTime)")
    print("BENCH decode min \(decodeTimes.min()!) median \(decodeTimes.sorted()[5])")
    print("BENCH JSONSerialization parse only min \(foundationTimes.min()!) median \(foundationTimes.sorted()[5])")
    #expect(try ModelFile.decode(from: encoded) == model)
}
