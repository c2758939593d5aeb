import Foundation
import Testing
@testable import ScriptGenCapture
import ScriptGenCaptureTestSupport

/// Cross-checks against tshark and tcpdump when they are installed. Tests may touch files;
/// the library never does.
@Suite struct ExternalToolTests {
    static let tshark = "/usr/bin/tshark"

    static func run(_ executable: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    static func writeTemporary(_ bytes: [UInt8], name: String) throws -> String {
        let path = NSTemporaryDirectory() + "scriptgen-capture-\(ProcessInfo.processInfo.processIdentifier)-\(name)"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// A DNS query for example.com, type A.
    static let dnsQuery: [UInt8] = [0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 7] + Array("example".utf8) + [3] + Array("com".utf8) + [0, 0, 1, 0, 1]

    /// Frames of every kind PacketBuilder makes, with their link types.
    static func sampleFrames() -> [(LinkType, [UInt8])] {
        var frames: [(LinkType, [UInt8])] = []
        let links: [PacketBuilder.Link] = [
            .ethernet(), .ethernet(vlanTags: [.init(identifier: 7)]),
            .ethernet(vlanTags: [.init(identifier: 100, protocolIdentifier: 0x88a8), .init(identifier: 7)]),
            .linuxCooked, .linuxCookedV2, .rawIP, .null(),
        ]
        for link in links {
            frames.append((link.linkType, PacketBuilder.tcp(
                source: clientV4, sourcePort: 40000, destination: serverV4, destinationPort: 21,
                sequence: 1, acknowledgement: 2, payload: Array("USER ftp\r\n".utf8), link: link)))
            frames.append((link.linkType, PacketBuilder.udp(
                source: clientV6, sourcePort: 5353, destination: serverV6, destinationPort: 53,
                payload: dnsQuery, link: link)))
        }
        return frames
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: tshark)))
    func tsharkReadsWhatTheWritersWrite() throws {
        let frames = Self.sampleFrames()
        var pcapng = PcapNGWriter()
        var interfaces: [LinkType: Int] = [:]
        for (linkType, _) in frames where interfaces[linkType] == nil {
            interfaces[linkType] = pcapng.addInterface(linkType: linkType, resolution: interfaces.count % 2 == 0 ? .microseconds : .nanoseconds)
        }
        for (index, (linkType, bytes)) in frames.enumerated() {
            pcapng.appendPacket(bytes, interface: interfaces[linkType]!, timestamp: Timestamp(seconds: 1_700_000_000, nanoseconds: Int64(index) * 1000))
        }
        var files = [("all.pcapng", pcapng.takeBytes())]
        var ethernet = PcapWriter(linkType: .ethernet, nanosecondTimestamps: true, bigEndian: true)
        for (index, (linkType, bytes)) in frames.enumerated() where linkType == .ethernet {
            ethernet.append(bytes, timestamp: Timestamp(seconds: 1_700_000_000, nanoseconds: Int64(index)))
        }
        files.append(("ethernet.pcap", ethernet.takeBytes()))
        for (name, bytes) in files {
            let path = try Self.writeTemporary(bytes, name: name)
            defer { try? FileManager.default.removeItem(atPath: path) }
            let output = try Self.run(Self.tshark, [
                "-r", path, "-o", "ip.check_checksum:TRUE", "-o", "tcp.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE",
                "-T", "fields", "-E", "separator=|",
                "-e", "ip.checksum.status", "-e", "tcp.checksum.status", "-e", "udp.checksum.status",
                "-e", "tcp.srcport", "-e", "udp.srcport", "-e", "_ws.malformed", "-e", "_ws.expert.severity",
            ])
            let lines = output.split(separator: "\n")
            let expected = name.hasSuffix("pcapng") ? frames.count : frames.filter { $0.0 == .ethernet }.count
            #expect(lines.count == expected, "\(name): \(output)")
            for line in lines {
                let fields = line.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
                // Checksum status 1 is "good" in Wireshark.
                #expect(fields[0] == "" || fields[0] == "1", "\(name): \(line)")
                #expect(fields[1] == "" || fields[1] == "1", "\(name): \(line)")
                #expect(fields[2] == "" || fields[2] == "1", "\(name): \(line)")
                #expect(fields[3] == "40000" || fields[4] == "5353", "\(name): \(line)")
                #expect(fields[5] == "", "\(name): \(line)")
            }
        }
    }

    /// Set SCRIPTGEN_REAL_CAPTURE to a capture (for example from `tcpdump -i lo -w`) to check
    /// that the reader and decoder find as many TCP/UDP packets as tshark.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["SCRIPTGEN_REAL_CAPTURE"] != nil
                   && FileManager.default.isExecutableFile(atPath: tshark)))
    func realCaptureAgreesWithTshark() throws {
        let path = ProcessInfo.processInfo.environment["SCRIPTGEN_REAL_CAPTURE"]!
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        var reader = CaptureReader(bytes: bytes)
        var decoder = PacketDecoder()
        var frames = 0, tcp = 0, udp = 0, tcpPayload = 0
        while let frame = try reader.next() {
            frames += 1
            if case .packet(let packet) = decoder.decode(frame) {
                if packet.transport == .tcp { tcp += 1; tcpPayload += packet.payload.count + packet.missingPayloadBytes } else { udp += 1 }
            }
        }
        let count = { (filter: String) in
            try Self.run(Self.tshark, ["-r", path, "-Y", filter, "-T", "fields", "-e", "frame.number"])
                .split(separator: "\n").count
        }
        #expect(frames == (try count("frame")))
        #expect(tcp == (try count("tcp && !icmp && !icmpv6")))
        #expect(udp == (try count("udp && !icmp && !icmpv6")))
        let lengths = try Self.run(Self.tshark, ["-r", path, "-Y", "tcp && !icmp && !icmpv6", "-T", "fields", "-e", "tcp.len"])
        #expect(tcpPayload == lengths.split(separator: "\n").compactMap { Int($0) }.reduce(0, +))
        print("real capture: \(frames) frames, \(tcp) tcp, \(udp) udp, \(tcpPayload) tcp payload bytes (captured + missing)")
    }
}
