import Foundation
import Testing
import ScriptGenModel
@testable import ScriptGenServer

@Suite struct EventSerialisationTests {
    @Test func lineIsOneJSONObjectEndingInNewline() throws {
        let hostile = "a\"b\\c\nd\re\u{0}f\u{7f}é"
        let event = Event(.sessionRequest, time: WallTime(seconds: 0, nanoseconds: 5_000), [
            ("session", .string(hostile)), ("length", .int(-3)), ("score", .double(0.25)),
            ("followed", .bool(true)), ("bytes", .bytes([0, 0xff, 0x0a, 0x22])), ("nan", .double(.nan)),
        ])
        let line = event.jsonLine()
        #expect(line.last == 0x0a)
        #expect(line.dropLast().allSatisfy { $0 != 0x0a && $0 != 0x0d })
        let object = try #require(parseLine(line))
        #expect(object["event"] as? String == "session.request")
        #expect(object["time"] as? String == "1970-01-01T00:00:00.000005Z")
        #expect(object["session"] as? String == hostile)
        #expect(object["length"] as? Int == -3)
        #expect(object["score"] as? Double == 0.25)
        #expect(object["followed"] as? Bool == true)
        #expect(object["bytes"] as? String == Data([0, 0xff, 0x0a, 0x22]).base64EncodedString())
        #expect(object["nan"] is NSNull)
    }

    @Test(arguments: [0, 1, 2, 3, 4, 5, 6, 7, 255, 256, 1000])
    func base64MatchesFoundation(length: Int) {
        let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
        #expect(Base64.encode(bytes) == Data(bytes).base64EncodedString())
    }

    @Test(arguments: [
        (Int64(0), "1970-01-01T00:00:00.000000Z"),
        (Int64(951_782_400), "2000-02-29T00:00:00.000000Z"),
        (Int64(1_000_000_000), "2001-09-09T01:46:40.000000Z"),
        (Int64(-1), "1969-12-31T23:59:59.000000Z"),
        (Int64(4_102_444_800), "2100-01-01T00:00:00.000000Z"),
    ])
    func wallTimeFormatsUTC(seconds: Int64, expected: String) {
        #expect(WallTime(seconds: seconds, nanoseconds: 0).iso8601 == expected)
    }

    @Test func wallTimeAgreesWithFoundation() {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        for seconds in stride(from: Int64(0), to: 4_000_000_000, by: 123_456_789) {
            let ours = WallTime(seconds: seconds, nanoseconds: 0).iso8601
            let theirs = formatter.string(from: Date(timeIntervalSince1970: TimeInterval(seconds)))
            #expect(ours.replacingOccurrences(of: ".000000Z", with: "Z") == theirs)
        }
    }
}
