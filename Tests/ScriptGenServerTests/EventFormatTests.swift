import Foundation
import ScriptGenModel
import Testing
@testable import ScriptGenServer

/// The cowrie and ECS lines, byte for byte, and what they must carry for a collector.
@Suite struct EventFormatTests {
    static let time = WallTime(seconds: 951_782_400, nanoseconds: 123_456_789)  // 2000-02-29T00:00:00.123456Z
    static let endpoints = SessionEndpoints(transport: .tcp, sourceAddress: "203.0.113.9", sourcePort: 51496,
                                            destinationAddress: "192.0.2.1", destinationPort: 2121, modelPort: 21)
    static let request = Event(.sessionRequest, time: time, [
        ("session", .string("14a135h1ih-3")), ("state", .int(0)), ("length", .int(3)), ("bytes", .bytes([1, 2, 3])),
        ("match", .string("edge")), ("edge", .int(0)), ("to", .int(1)),
    ], endpoints: endpoints)

    static func text(_ format: EventFormat, _ event: Event, sensor: String? = "hp\"1") -> String {
        String(decoding: EventSerializer(format: format, sensor: sensor).line(event), as: UTF8.self)
    }

    @Test func nativeCarriesTheSensorAfterTheTimeAndNothingElseChanges() {
        let line = Self.text(.native, Self.request)
        #expect(line == #"{"event":"session.request","time":"2000-02-29T00:00:00.123456Z","sensor":"hp\"1","session":"14a135h1ih-3","state":0,"length":3,"bytes":"AQID","match":"edge","edge":0,"to":1}"# + "\n")
        // Without a sensor, the line of Event.jsonLine().
        #expect(EventSerializer().line(Self.request) == Self.request.jsonLine())
    }

    @Test func cowrieLineByteForByte() {
        let line = Self.text(.cowrie, Self.request)
        #expect(line == #"{"eventid":"scriptgen.session.request","timestamp":"2000-02-29T00:00:00.123456Z","sensor":"hp\"1","session":"14a135h1ih-3","src_ip":"203.0.113.9","src_port":51496,"dst_ip":"192.0.2.1","dst_port":2121,"protocol":"tcp","state":0,"length":3,"bytes":"AQID","match":"edge","edge":0,"to":1,"message":"request of 3 bytes in state 0: edge 0 to state 1"}"# + "\n")
    }

    @Test func ecsLineByteForByte() {
        let line = Self.text(.ecs, Self.request)
        #expect(line == #"{"@timestamp":"2000-02-29T00:00:00.123456Z","ecs":{"version":"8.11.0"},"event":{"kind":"event","category":["network"],"type":["protocol"],"action":"session.request","module":"scriptgen","dataset":"scriptgen.events"},"observer":{"name":"hp\"1","type":"honeypot","product":"ScriptGen"},"source":{"ip":"203.0.113.9","port":51496},"destination":{"ip":"192.0.2.1","port":2121},"network":{"transport":"tcp"},"scriptgen":{"session":"14a135h1ih-3","state":0,"length":3,"bytes":"AQID","match":"edge","edge":0,"to":1},"message":"request of 3 bytes in state 0: edge 0 to state 1"}"# + "\n")
    }

    @Test func ecsClosedFillsDurationReasonAndBytesBothWays() throws {
        let closed = Event(.sessionClosed, time: Self.time, [
            ("session", .string("r-1")), ("reason", .string("client-closed")), ("duration", .double(1.5)),
            ("requests", .int(2)), ("bytesIn", .int(10)), ("bytesOut", .int(20)),
        ], endpoints: Self.endpoints)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(Self.text(.ecs, closed).utf8)) as? [String: Any])
        let event = try #require(object["event"] as? [String: Any])
        #expect(event["duration"] as? Int == 1_500_000_000)
        #expect(event["reason"] as? String == "client-closed")
        #expect(event["type"] as? [String] == ["connection", "end"])
        #expect((object["source"] as? [String: Any])?["bytes"] as? Int == 10)
        #expect((object["destination"] as? [String: Any])?["bytes"] as? Int == 20)
        #expect((object["scriptgen"] as? [String: Any])?["requests"] as? Int == 2)
        #expect((object["scriptgen"] as? [String: Any])?["duration"] == nil)
    }

    // A refused connection has no session: its own fields become the endpoints.
    @Test func refusedConnectionFieldsBecomeEndpointsInBothFormats() throws {
        let refused = Event(.connectionRefused, time: Self.time, [
            ("transport", .string("udp")), ("src", .string("198.51.100.7")), ("sport", .int(53)), ("dport", .int(5353)),
            ("limit", .string("maxConnections")), ("value", .int(20000)),
        ])
        #expect(Self.text(.cowrie, refused) == #"{"eventid":"scriptgen.connection.refused","timestamp":"2000-02-29T00:00:00.123456Z","sensor":"hp\"1","src_ip":"198.51.100.7","src_port":53,"dst_port":5353,"protocol":"udp","limit":"maxConnections","value":20000,"message":"connection from 198.51.100.7:53 refused: maxConnections (20000)"}"# + "\n")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(Self.text(.ecs, refused).utf8)) as? [String: Any])
        #expect((object["event"] as? [String: Any])?["outcome"] as? String == "failure")
        #expect((object["source"] as? [String: Any])?["ip"] as? String == "198.51.100.7")
        #expect((object["network"] as? [String: Any])?["transport"] as? String == "udp")
    }

    // `respond` outside honeyd knows no addresses: no "unknown" where a collector wants an IP.
    @Test func unknownAddressesAreLeftOut() {
        let unknown = SessionEndpoints(transport: .tcp, sourceAddress: "unknown", sourcePort: 0, destinationAddress: "unknown", destinationPort: 21, modelPort: 21)
        let opened = Event(.sessionOpened, time: Self.time, [("session", .string("x-1"))], endpoints: unknown)
        #expect(!Self.text(.cowrie, opened).contains("src_ip"))
        #expect(!Self.text(.ecs, opened).contains(#""ip""#))
        #expect(Self.text(.cowrie, opened).contains(#""dst_port":21"#))
    }

    @Test(arguments: EventFormat.allCases) func everyEventIsOneParsableLineWithHostileText(format: EventFormat) throws {
        let hostile = "a\"b\\c\nd\u{0}é"
        for id in EventID.allCases {
            let event = Event(id, time: Self.time, [("session", .string(hostile)), ("reason", .string(hostile)), ("bytes", .bytes(Array(0...255))), ("score", .double(.nan))],
                              endpoints: Self.endpoints)
            let line = EventSerializer(format: format, sensor: hostile).line(event)
            #expect(line.last == 0x0a)
            #expect(line.dropLast().firstIndex(of: 0x0a) == nil)
            #expect(try JSONSerialization.jsonObject(with: Data(line)) is [String: Any], "\(format) \(id)")
        }
    }

    @Test func snakeCaseOfFieldNames() {
        #expect(EventSerializer.snakeCase("bytesIn") == "bytes_in")
        #expect(EventSerializer.snakeCase("maxConnectionsPerSource") == "max_connections_per_source")
        #expect(EventSerializer.snakeCase("state") == "state")
    }

    // Network events take only the types ECS allows with `network`; the others with `process`.
    @Test func ecsTypesAreAllowedForTheirCategory() {
        let allowed: [String: Set<String>] = [
            "network": ["access", "allowed", "connection", "denied", "end", "info", "protocol", "start"],
            "process": ["access", "change", "end", "info", "start"],
        ]
        for id in EventID.allCases {
            let (category, types) = id.ecsCategory
            let permitted = allowed[category] ?? []
            #expect(!types.isEmpty && types.allSatisfy(permitted.contains), "\(id.rawValue): \(category) \(types)")
        }
    }

    // Checked against Python: base-36 of (seconds << 16 | random), 10 digits.
    @Test func runIdIsTheStartTimeAndRandomBitsInBase36() {
        #expect(RunIdentity.make(now: WallTime(seconds: 0x6758_a3f1, nanoseconds: 0), random: 0xc2e9) == "14a135h1ih")
        #expect(RunIdentity.make(now: WallTime(seconds: 5, nanoseconds: 0), random: 1) == "00000070u9")
        #expect(RunIdentity.make(now: WallTime(seconds: 0xffff_ffff, nanoseconds: 0), random: 0xffff) == "2rrvthnxtr")
        let earlier = RunIdentity.make(now: WallTime(seconds: 1_795_000_000, nanoseconds: 0), random: 0xffff)
        let later = RunIdentity.make(now: WallTime(seconds: 1_795_000_001, nanoseconds: 0), random: 0)
        #expect(earlier < later, "ids sort by start time")
        #expect(!RunIdentity.hostName().isEmpty)
    }
}

/// The event log's in-place escaper follows the model's rule (`JSONEscape`) byte for byte.
@Suite struct JSONEscapeAgreementTests {
    @Test func everyByteAndHostileTextEscapeAlike() {
        var texts = (0..<128).map { String(UnicodeScalar(UInt8($0))) }
        texts += ["a\"b\\c\nd\re\t\u{0}f\u{1f}\u{7f}é—", "", "plain", "日本語 ✓"]
        for text in texts {
            var expected: [UInt8] = []
            JSONEscape.appendQuoted(text, to: &expected)
            var written: [UInt8] = []
            JSONText.appendString(text, to: &written)
            #expect(written == expected, "\(Array(text.utf8))")
        }
    }
}
