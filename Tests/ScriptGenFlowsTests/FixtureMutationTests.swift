import Foundation
import Testing
import ScriptGenCapture
import ScriptGenFlows

/// Damaged real captures: thousands of seeded mutations of the fixture files go through the
/// whole Message Sequence Factory (reader, decoder, reassembly). Each must end either with
/// conversations or with a `CaptureError` whose offset lies inside the file — no crash, no
/// hang (every run is bounded by the file's size).
@Suite struct FixtureMutationTests {
    static let captures = ["ftp-train.pcap", "http-train.pcap", "smb-train.pcap", "dns-train.pcap"]

    static func fixture(_ name: String) -> [UInt8]? {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Fixtures/captures/\(name)")
        return FileManager.default.contents(atPath: url.path).map { [UInt8]($0) }
    }

    /// xorshift: deterministic mutations, reproducible from the seed in a failure message.
    struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return state
        }
    }

    enum Outcome: Equatable {
        case conversations(Int)
        case error(CaptureError.Code, offset: Int)
    }

    static func run(_ bytes: [UInt8], chunkSize: Int = 1 << 20) -> Outcome {
        var reader = CaptureReader(source: InMemoryByteSource(bytes), options: .init(chunkSize: chunkSize))
        var decoder = PacketDecoder()
        var tracker = ConversationTracker()
        var count = 0
        do {
            while let frame = try reader.next() {
                if case .packet(let packet) = decoder.decode(frame) {
                    tracker.process(packet) { _ in count += 1 }
                }
            }
        } catch let error as CaptureError {
            return .error(error.code, offset: error.offset)
        } catch {
            return .error(CaptureError.Code(rawValue: "unexpected \(error)"), offset: -1)
        }
        tracker.finish { _ in count += 1 }
        return .conversations(count)
    }

    @Test(arguments: captures)
    func mutatedCapturesFailCleanly(_ name: String) throws {
        let original = try #require(Self.fixture(name), "fixture \(name) missing")
        guard case .conversations(let baseline) = Self.run(original) else {
            Issue.record("the unmutated \(name) must read cleanly")
            return
        }
        #expect(baseline > 0)
        var generator = Generator(state: 0x5eed_0000 ^ UInt64(name.utf8.count))
        for caseIndex in 0..<1_000 {
            var bytes = original
            let mutations = 1 + Int(generator.next() % 4)
            for _ in 0..<mutations {
                let position = Int(generator.next() % UInt64(bytes.count))
                switch generator.next() % 5 {
                case 0: bytes[position] ^= UInt8(truncatingIfNeeded: generator.next() | 1)
                case 1: bytes.insert(contentsOf: (0..<Int(generator.next() % 16)).map { _ in UInt8(truncatingIfNeeded: generator.next()) }, at: position)
                case 2: bytes.removeSubrange(position..<min(bytes.count, position + 1 + Int(generator.next() % 64)))
                case 3: bytes.removeSubrange(position...)   // truncation
                default:
                    // A record length field region overwritten with 0xff: absurd lengths.
                    for index in position..<min(bytes.count, position + 4) { bytes[index] = 0xff }
                }
                if bytes.isEmpty { bytes = [0] }
            }
            let outcome = Self.run(bytes)
            switch outcome {
            case .conversations:
                break
            case .error(let code, let offset):
                #expect(offset >= 0 && offset <= bytes.count, "\(name) case \(caseIndex): \(code) at \(offset) outside a file of \(bytes.count) bytes")
            }
            // The same bytes read in small chunks give the same outcome (streaming is exact).
            if caseIndex % 50 == 0 {
                #expect(Self.run(bytes, chunkSize: 4096) == outcome, "\(name) case \(caseIndex): chunking changed the outcome")
            }
        }
    }
}
