import Foundation
import Testing

/// Cross-check against an independent implementation: for every fixture capture, the
/// conversations `scriptgen sessions` rebuilds carry exactly the bytes, per direction, that
/// tshark's own TCP/UDP analysis finds (retransmissions excluded).
@Suite struct TsharkCrossCheckTests {
    /// Endpoints in a fixed order, and the concatenated payload each one sent (hex).
    struct Flow: Hashable, Comparable {
        var low: String
        var high: String
        var fromLow: String
        var fromHigh: String

        init(_ a: String, _ b: String, fromA: String, fromB: String) {
            if a < b { (low, high, fromLow, fromHigh) = (a, b, fromA, fromB) } else { (low, high, fromLow, fromHigh) = (b, a, fromB, fromA) }
        }

        static func < (lhs: Flow, rhs: Flow) -> Bool {
            (lhs.low, lhs.high, lhs.fromLow, lhs.fromHigh) < (rhs.low, rhs.high, rhs.fromLow, rhs.fromHigh)
        }
    }

    static var captures: [String] {
        let directory = CLIRunner.repositoryRoot.appendingPathComponent("Fixtures/captures").path
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.filter { $0.hasSuffix(".pcap") || $0.hasSuffix(".pcapng") }.sorted()
    }

    @Test(arguments: captures)
    func conversationsAndBytesAgreeWithTshark(_ name: String) throws {
        guard CLIRunner.commandExists("tshark") else {
            print("tshark not installed: cross-check of \(name) skipped (Scripts/test.sh installs it)")
            return
        }
        let path = CLIRunner.fixture(name)
        let ours = try scriptgenFlows(path)
        let theirs = try tsharkFlows(path)
        #expect(!theirs.isEmpty, "tshark found no payload in \(name)")
        #expect(ours.count == theirs.count, "\(name): scriptgen \(ours.count) conversations with payload, tshark \(theirs.count)")
        let missing = Set(theirs).subtracting(ours), extra = Set(ours).subtracting(theirs)
        #expect(missing.isEmpty && extra.isEmpty,
                "\(name): \(missing.count) tshark conversations differ, first: \(missing.sorted().first.map { "\($0.low) <-> \($0.high)" } ?? "-"); \(extra.count) of ours differ")
    }

    func scriptgenFlows(_ path: String) throws -> [Flow] {
        let result = try CLIRunner.run(["sessions", "--json", path])
        #expect(result.status == 0, "\(result.stderr)")
        var flows: [Flow] = []
        for line in result.output.split(separator: "\n") {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let client = try #require(object["client"] as? String), server = try #require(object["server"] as? String)
            var fromClient = "", fromServer = ""
            for message in try #require(object["messages"] as? [[String: Any]]) {
                let encoded = try #require(message["payload"] as? String)
                let payload = try #require(Data(base64Encoded: encoded))
                let hex = payload.map { String(format: "%02x", $0) }.joined()
                if message["from"] as? String == "client" { fromClient += hex } else { fromServer += hex }
            }
            if fromClient.isEmpty && fromServer.isEmpty { continue }
            flows.append(Flow(client, server, fromA: fromClient, fromB: fromServer))
        }
        return flows.sorted()
    }

    func tsharkFlows(_ path: String) throws -> [Flow] {
        var flows: [Flow] = []
        for transport in ["tcp", "udp"] {
            let filter = transport == "tcp" ? "tcp.len > 0 && !tcp.analysis.retransmission" : "udp.length > 8"
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["tshark", "-r", path, "-n", "-o", "tcp.desegment_tcp_streams:FALSE", "-Y", filter, "-T", "fields",
                                 "-E", "separator=|", "-e", "\(transport).stream", "-e", "ip.src", "-e", "ipv6.src",
                                 "-e", "\(transport).srcport", "-e", "ip.dst", "-e", "ipv6.dst", "-e", "\(transport).dstport",
                                 "-e", "\(transport).payload"]
            let pipe = Pipe()
            process.standardOutput = pipe
            process.standardError = FileHandle.nullDevice
            try process.run()
            let data = pipe.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            var streams: [String: (a: String, b: String, fromA: String, fromB: String)] = [:]
            var order: [String] = []
            for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
                let fields = line.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
                guard fields.count >= 8 else { continue }
                func endpoint(_ v4: String, _ v6: String, _ port: String) -> String {
                    v6.isEmpty ? "\(v4):\(port)" : "[\(v6)]:\(port)"
                }
                let source = endpoint(fields[1], fields[2], fields[3]), destination = endpoint(fields[4], fields[5], fields[6])
                let payload = fields[7].replacingOccurrences(of: ":", with: "")
                let key = "\(transport)\(fields[0])"
                if streams[key] == nil { streams[key] = (source, destination, "", ""); order.append(key) }
                if streams[key]!.a == source { streams[key]!.fromA += payload } else { streams[key]!.fromB += payload }
            }
            flows += order.map { key in
                let stream = streams[key]!
                return Flow(stream.a, stream.b, fromA: stream.fromA, fromB: stream.fromB)
            }
        }
        return flows.sorted()
    }
}
