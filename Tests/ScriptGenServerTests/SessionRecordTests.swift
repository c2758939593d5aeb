import ScriptGenEmulation
import ScriptGenModel
import Testing
@testable import ScriptGenServer
import ScriptGenTestSupport

@Suite struct SessionRecordTests {
    let endpoints = SessionEndpoints(transport: .tcp, sourceAddress: "10.0.0.1", sourcePort: 4000, destinationAddress: "10.0.0.2", destinationPort: 2121, modelPort: 21)
    let time = WallTime(seconds: 0, nanoseconds: 0)

    @Test func conversationBecomesEventsAndSummary() throws {
        var record = SessionRecord(session: "s-1", endpoints: endpoints, openedAt: 0)
        var emulator = Emulator(machine: TestMachines.compiled(TestMachines.tcp), seed: 1)
        var lines: [Event] = [record.opened(time: time)]
        for action in emulator.connect() { if let event = record.event(for: action, time: time) { lines.append(event) } }
        record.received(byteCount: 12)
        for action in emulator.receive(bytes("HELLO\r\nJUNK"), now: 0) { if let event = record.event(for: action, time: time) { lines.append(event) } }
        for action in emulator.flush() { if let event = record.event(for: action, time: time) { lines.append(event) } }
        lines.append(record.closed(reason: .clientClosed, time: time, now: 2_500_000_000))

        #expect(lines.map(\.id) == [.sessionOpened, .sessionResponse, .sessionRequest, .sessionResponse, .sessionRequest, .sessionClosed])
        #expect(lines[0].value("modelPort") == .int(21))
        #expect(lines[0].value("dport") == .int(2121))
        #expect(lines[2].value("match") == .string("edge"))
        #expect(lines[2].value("to") == .int(1))
        #expect(lines[2].value("bytes") == .bytes(bytes("HELLO\r\n")))
        #expect(lines[4].value("match") == .string("none"))
        #expect(lines[4].value("state") == .int(1))
        let summary = lines[5]
        #expect(summary.value("requests") == .int(2))
        #expect(summary.value("matched") == .int(1))
        #expect(summary.value("unmatched") == .int(1))
        #expect(summary.value("bytesIn") == .int(12))
        #expect(summary.value("bytesOut") == .int(bytes("220 ready\r\n250 hello\r\n").count))
        #expect(summary.value("duration") == .double(2.5))
        #expect(summary.value("reason") == .string("client-closed"))
    }

    @Test func emulatorLimitIsNamedFromTheCatalogue() {
        var record = SessionRecord(session: "s", endpoints: endpoints, openedAt: 0)
        let event = record.event(for: .limitHit(.maxRequestBytes, state: 3, byteCount: 64), time: time)
        #expect(event?.id == .sessionLimit)
        #expect(event?.value("limit") == .string(ServerLimit.maxRequestBytes.rawValue))
        #expect(event?.value("value") == .int(64))
        #expect(record.limitsHit == 1)
        #expect(record.event(for: .close, time: time) == nil)
    }
}

extension Event.Value: CustomStringConvertible {
    public var description: String {
        switch self {
        case .string(let text): "\"\(text)\""
        case .int(let number): "\(number)"
        case .double(let number): "\(number)"
        case .bool(let flag): "\(flag)"
        case .bytes(let bytes): "bytes(\(bytes.count))"
        }
    }
}
