import Foundation
import ScriptGenModel
import ScriptGenSimplifier

// Time and peak memory to simplify one state whose requests are N realistic HTTP requests
// (~200 bytes: the fixture's shapes with varied methods, paths, agents and header sets).
//
//   swift run -c release SimplifierBenchmark 500 1000 5000
//
// Each size runs in a child process of its own so its peak resident memory (getrusage
// ru_maxrss of that child) is the simplifier's, not the previous size's.

/// SplitMix64: the same requests on every run.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

func httpRequests(count: Int, seed: UInt64) -> [[UInt8]] {
    var random = SeededGenerator(state: seed)
    let directories = ["", "docs/", "images/", "admin/", "cgi-bin/", "products/", "old/", "static/css/", "api/v1/", "blog/2024/"]
    let files = ["", "index.html", "about.html", "manual.txt", "logo.png", "style.css", "robots.txt", "login", "list.html", "page.asp", "favicon.ico", "search"]
    let agents = [
        "curl/7.88.1", "Wget/1.21.3", "Mozilla/5.0 (X11; Linux x86_64; rv:109.0) Gecko/20100101 Firefox/115.0",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36",
        "Googlebot/2.1 (+http://www.google.com/bot.html)", "python-requests/2.31.0", "Nmap Scripting Engine",
    ]
    let methods = ["GET", "GET", "GET", "GET", "GET", "GET", "HEAD", "POST", "OPTIONS"]
    return (0..<count).map { index in
        let method = methods.randomElement(using: &random)!
        var path = "/" + directories.randomElement(using: &random)! + files.randomElement(using: &random)!
        if Bool.random(using: &random) { path += "?id=\(Int.random(in: 1...99_999, using: &random))" }
        var text = "\(method) \(path) HTTP/1.\(Int.random(in: 0...9, using: &random) == 0 ? 0 : 1)\r\nHost: 127.0.0.\(1 + index % 3)\r\n"
        text += "User-Agent: \(agents.randomElement(using: &random)!)\r\n"
        if Bool.random(using: &random) { text += "Accept: */*\r\n" } else { text += "Accept-Encoding: gzip, deflate\r\nAccept: text/html\r\n" }
        if Int.random(in: 0...2, using: &random) > 0 { text += "Accept-Language: \(["en-US,en;q=0.5", "de-DE,de;q=0.9,en;q=0.8", "fr"].randomElement(using: &random)!)\r\n" }
        if Bool.random(using: &random) { text += "Referer: http://127.0.0.1/\(files.randomElement(using: &random)!)\r\n" }
        if Int.random(in: 0...3, using: &random) == 0 { text += "Connection: close\r\n" }
        if method == "POST" {
            let body = "name=\(Int.random(in: 1...9_999, using: &random))&submit=1"
            text += "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: \(body.utf8.count)\r\n\r\n" + body
        } else {
            text += "\r\n"
        }
        return Array(text.utf8)
    }
}

func flatMachine(_ requests: [[UInt8]]) -> StateMachine {
    var machine = StateMachine(transport: .tcp, port: 80, conversations: requests.count)
    machine.states[0].visits = requests.count
    for request in requests {
        machine.states[0].edges.append(Edge(pattern: .exact(request), weight: 1, target: machine.states.count))
        machine.states.append(State(replies: [ObservedReply(reply: Reply(messages: [Array("HTTP/1.1 200 OK\r\n\r\n".utf8)]), count: 1)], visits: 1, endings: 1))
    }
    return machine
}

func peakResidentMegabytes() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_maxrss) / 1024  // kilobytes on Linux
}

func runOne(count: Int) {
    let requests = httpRequests(count: count, seed: 4)
    let averageLength = Double(requests.reduce(0) { $0 + $1.count }) / Double(count)
    let machine = flatMachine(requests)
    let before = peakResidentMegabytes()
    let clock = ContinuousClock()
    var result: (StateMachine, SimplificationReport)?
    let elapsed = clock.measure { result = Simplifier.simplify(machine) }
    let (simplified, report) = result!
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    print(String(format: "%5d requests (avg %.0f bytes): %7.3f s, peak RSS %6.1f MB (%.1f MB before), root edges %d, %d aligned, %d assigned, %d microcluster splits",
                 count, averageLength, seconds, peakResidentMegabytes(), before, simplified.states[0].edges.count,
                 report.sampledRequests, report.assignedRequests, report.microclusterSplits))
    for edge in simplified.states[0].edges.prefix(6) {
        print("      \(edge.weight)x \(ModelRendering.preview(edge.pattern, limit: 40).prefix(160))")
    }
}

let arguments = CommandLine.arguments.dropFirst()
if arguments.first == "--one", let count = arguments.dropFirst().first.flatMap({ Int($0) }) {
    runOne(count: count)
} else {
    let sizes = arguments.compactMap { Int($0) }
    for count in sizes.isEmpty ? [500, 1_000, 5_000] : sizes {
        let child = Process()
        child.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
        child.arguments = ["--one", String(count)]
        try child.run()
        child.waitUntilExit()
    }
}
