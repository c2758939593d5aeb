import Testing
@testable import ScriptGenServer

/// The event log writes lines in place into its queue, keeping the text of the current second
/// and a base64 scratch between lines: the bytes equal the lines written one by one.
@Suite struct EventLineTests {
    static let hostile = "a\"b\\c\nd\re\t\u{0}f\u{1f}\u{7f}é—"

    static let events: [Event] = [
        Event(.sessionOpened, time: WallTime(seconds: 1_795_000_000, nanoseconds: 5_000), [("session", .string("ab-1")), ("sport", .int(-42))]),
        // Same second: the cached date text is reused.
        Event(.sessionRequest, time: WallTime(seconds: 1_795_000_000, nanoseconds: 999_999_999), [
            ("session", .string(hostile)), ("bytes", .bytes(Array(0...255))), ("score", .double(-1.7976931348623157e308)),
            ("followed", .bool(false)), ("n", .int(Int.min)), ("m", .int(Int.max)),
        ]),
        // The next second, then an earlier one, then times outside the usual ranges.
        Event(.sessionResponse, time: WallTime(seconds: 1_795_000_001, nanoseconds: 0), [("bytes", .bytes([])), ("nan", .double(.nan))]),
        Event(.sessionClosed, time: WallTime(seconds: 0, nanoseconds: 1_000), [("duration", .double(5e-324)), ("ok", .bool(true))]),
        Event(.logDropped, time: WallTime(seconds: -1, nanoseconds: -5_000), []),
        Event(.serverStopped, time: WallTime(seconds: .max, nanoseconds: .max), [(hostile, .string(""))]),
        Event(.serverStarted, time: WallTime(seconds: -100_000_000_000, nanoseconds: .min), [("bytes", .bytes([0xff]))]),
    ]

    @Test func inPlaceLinesEqualSeparateLines() {
        let buffer = LineBuffer()
        var times = WallTimeCache()
        for event in Self.events { event.appendJSONLine(to: buffer, times: &times) }
        #expect(buffer.bytes == Self.events.flatMap { $0.jsonLine() })
        let lines = buffer.bytes.split(separator: 0x0a)
        #expect(lines.count == Self.events.count)
        for line in lines { #expect(parseLine(Array(line) + [0x0a]) != nil, "\(String(decoding: line, as: UTF8.self))") }
    }

    @Test func lineMatchesTheFormatPieceByPiece() {
        let event = Event(.sessionResponse, time: WallTime(seconds: 951_782_400, nanoseconds: 123_456_789), [
            ("session", .string("q\"")), ("length", .int(3)), ("bytes", .bytes([1, 2, 3])), ("score", .double(0.5)), ("followed", .bool(true)),
        ])
        let expected = #"{"event":"session.response","time":"2000-02-29T00:00:00.123456Z","session":"q\"","length":3,"bytes":"AQID","score":0.5,"followed":true}"# + "\n"
        #expect(String(decoding: event.jsonLine(), as: UTF8.self) == expected)
    }

    @Test func bufferGrowsTruncatesAndEmpties() {
        let buffer = LineBuffer()
        buffer.append([1, 2, 3])
        for _ in 0..<1000 { buffer.append(Array(repeating: 7, count: 100)) }
        #expect(buffer.count == 100_003)
        buffer.truncate(to: 2)
        #expect(buffer.bytes == [1, 2])
        buffer.removeAll(keepingCapacity: false)
        #expect(buffer.isEmpty && buffer.capacity == 0)
        buffer.append([9])
        #expect(buffer.bytes == [9])
    }
}
