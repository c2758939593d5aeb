import ScriptGenModel
import ScriptGenTestSupport
import Testing

/// Time, counter and random fields: date layouts, rendering with a fixed clock and generator,
/// and the model file, byte by byte.
@Suite struct SelfVaryingFieldTests {
    /// 2026-11-27T00:07:06Z, a Friday.
    static let friday: Int64 = 1_795_738_026

    /// A fixed sequence, so random fields are checked byte by byte.
    struct Counting: RandomNumberGenerator {
        var value: UInt64 = 0
        mutating func next() -> UInt64 {
            value &+= 0x0101_0101_0101_0101
            return value
        }
    }

    @Test func layoutsParseAndFormatTheirDatesExactly() throws {
        let rfc = try #require(DateLayout("%a, %d %b %Y %H:%M:%S %z"))
        let banner = bytes("220 vm ESMTP Exim 4.96 Fri, 27 Nov 2026 00:07:06 +0000\r\n")
        let parsed = try #require(rfc.parse(banner, at: 23))
        #expect(parsed.seconds == Self.friday && parsed.utcOffsetMinutes == 0)
        #expect(rfc.length == 31)
        #expect(rfc.format(seconds: Self.friday, utcOffsetMinutes: 0) == bytes("Fri, 27 Nov 2026 00:07:06 +0000"))
        // A zone east of UTC: the local time is written, the offset kept.
        let east = try #require(rfc.parse(bytes("Fri, 27 Nov 2026 01:37:06 +0130"), at: 0))
        #expect(east.seconds == Self.friday && east.utcOffsetMinutes == 90)
        #expect(rfc.format(seconds: Self.friday, utcOffsetMinutes: -300) == bytes("Thu, 26 Nov 2026 19:07:06 -0500"))
        // A weekday that is not the date's, a 13th month, one byte off: no date.
        #expect(rfc.parse(bytes("Mon, 27 Nov 2026 00:07:06 +0000"), at: 0) == nil)
        #expect(rfc.parse(bytes("Fri, 27 Nob 2026 00:07:06 +0000"), at: 0) == nil)
        #expect(rfc.parse(banner, at: 22) == nil)
        #expect(rfc.parse(banner, at: 40) == nil)
        let asctime = try #require(DateLayout("%a %b %e %H:%M:%S %Y"))
        #expect(asctime.format(seconds: Self.friday - 20 * 86_400, utcOffsetMinutes: 0) == bytes("Sat Nov  7 00:07:06 2026"))
        #expect(asctime.parse(bytes("Sat Nov  7 00:07:06 2026"), at: 0)?.seconds == Self.friday - 20 * 86_400)
        #expect(DateLayout("%q") == nil)
        #expect(DateLayout.candidates.count == 10)
    }

    @Test func renderingWritesTimeCounterAndRandomFromTheInjectedSources() {
        let message = bytes("Fri, 27 Nov 2026 00:07:06 GMT|") + [0x25, 0x00, 0x00, 0x00] + bytes("|abcd|") + [UInt8](repeating: 0, count: 8)
        let fields = [
            ReplyField(message: 0, offset: 0, length: 29, source: .time(.text(DateLayout("%a, %d %b %Y %H:%M:%S GMT")!, utcOffsetMinutes: 0))),
            ReplyField(message: 0, offset: 30, length: 4, source: .counter(.binary(width: 4, bigEndian: false), next: 0x26)),
            ReplyField(message: 0, offset: 35, length: 4, source: .random(.hexLower)),
            ReplyField(message: 0, offset: 40, length: 8, source: .time(.filetime)),
        ]
        var generator = Counting()
        var written: [RenderedField] = []
        let now = (Self.friday + 3600) * 1_000_000_000 + 500
        let rendered = Reply(messages: [message]).rendered(fields, context: RenderingContext(unixNanoseconds: now, conversationNumber: 2),
                                                           generator: &generator, written: &written)
        let filetime = UInt64((Self.friday + 3600) * 10_000_000 + TimeFormat.filetimeOfUnixEpoch) + 5
        let filetimeBytes = (0..<8).map { UInt8(truncatingIfNeeded: filetime >> (8 * UInt64($0))) }
        // Multiply-high of 16 by the draws 0x0101…01 × k (k = 1…4) is 0: the digit "0".
        #expect(rendered == [bytes("Fri, 27 Nov 2026 01:07:06 GMT|") + [0x28, 0x00, 0x00, 0x00] + bytes("|0000|") + filetimeBytes])
        #expect(written.map(\.range) == [0..<29, 30..<34, 35..<39, 40..<48] && written.allSatisfy(\.variesByItself))
        // A fresh draw: another nonce, the same date and counter.
        var other = SystemRandomNumberGenerator()
        let again = Reply(messages: [message]).rendered(fields, context: RenderingContext(unixNanoseconds: now, conversationNumber: 2), generator: &other)
        #expect(Array(again[0][0..<34]) == Array(rendered[0][0..<34]))
        #expect(again[0][35..<39].allSatisfy(RandomAlphabet.hexLower.contains))
    }

    @Test func alphabetsAreNarrowestFirst() {
        #expect(RandomAlphabet.digits.members == bytes("0123456789"))
        #expect(RandomAlphabet.hexUpper.members == bytes("0123456789ABCDEF"))
        #expect(RandomAlphabet.base64.members.count == 64)
        #expect(RandomAlphabet.printable.members.count == 94)
        #expect(RandomAlphabet.binary.members.count == 256)
        #expect(NumberEncoding(name: "u32le") == .binary(width: 4, bigEndian: false))
        #expect(NumberEncoding(name: "u16be") == .binary(width: 2, bigEndian: true))
        #expect(NumberEncoding(name: "u8") == .binary(width: 1, bigEndian: false))
        #expect(NumberEncoding(name: "u24le") == .binary(width: 3, bigEndian: false))
        #expect(NumberEncoding(name: "u12le") == nil && NumberEncoding(name: "u16xe") == nil)
        #expect(NumberEncoding.binary(width: 2, bigEndian: true).bytes(0x1234) == [0x12, 0x34])
        #expect(NumberEncoding.binary(width: 2, bigEndian: false).value(of: [0x34, 0x12]) == 0x1234)
    }

    static var model: ModelFile {
        let message = bytes("Fri, 27 Nov 2026 00:07:06 +0100|") + [0x25, 0x00, 0x00, 0x00] + bytes("|abcd|") + [UInt8](repeating: 0, count: 8)
        let fields = [
            ReplyField(message: 0, offset: 0, length: 31, source: .time(.text(DateLayout("%a, %d %b %Y %H:%M:%S %z")!, utcOffsetMinutes: 60))),
            ReplyField(message: 0, offset: 32, length: 4, source: .counter(.binary(width: 4, bigEndian: false), next: 38)),
            ReplyField(message: 0, offset: 37, length: 4, source: .random(.hexLower)),
            ReplyField(message: 0, offset: 42, length: 8, source: .time(.filetime)),
        ]
        let echo = [
            ReplyField(message: 0, offset: 0, length: 3, source: .length(.binary(width: 3, bigEndian: false), spanStart: 4)),
            ReplyField(message: 0, offset: 5, length: 4, source: .requestText(after: bytes("USER"), until: 0x0D)),
            ReplyField(message: 0, offset: 12, length: 9, source: .clientAddress),
        ]
        var machine = StateMachine(transport: .tcp, port: 3306, states: [
            State(replies: [ObservedReply(reply: Reply(messages: [message]), count: 5, fields: fields),
                            ObservedReply(reply: Reply(messages: [[0x12, 0, 0, 1, 0x20] + bytes("root\r\n[127.0.0.1]")]), count: 1, fields: echo)],
                  visits: 6, endings: 6),
        ], conversations: 6)
        machine.requestFraming = LengthFraming(offset: 0, encoding: .binary(width: 3, bigEndian: false), spanStart: 4)
        return ModelFile(toolVersion: "test", machines: [machine])
    }

    @Test func everyClassRoundTripsAndDamageIsNamed() throws {
        let text = String(decoding: Self.model.encode(), as: UTF8.self)
        #expect(text.contains(#""format": "%a, %d %b %Y %H:%M:%S %z""#) && text.contains(#""utcOffsetMinutes": 60"#))
        #expect(text.contains(#""encoding": "u32le""#) && text.contains(#""next": 38"#))
        #expect(text.contains(#""alphabet": "hex""#) && text.contains(#""format": "filetime""#))
        #expect(text.contains(#""requestFraming": {"encoding": "u24le", "offset": 0, "spanStart": 4}"#))
        #expect(text.contains(#""after": "VVNFUg==""#) && text.contains(#""until": 13"#) && text.contains(#""spanStart": 4"#))
        #expect(try ModelFile.decode(from: Array(text.utf8)) == Self.model)
        func error(_ damaged: String) -> String {
            do {
                _ = try ModelFile.decode(from: Array(damaged.utf8))
                return ""
            } catch {
                return error.description
            }
        }
        #expect(error(text.replacingOccurrences(of: #""format": "filetime""#, with: #""format": "%Q""#)).contains("neither a date layout"))
        #expect(error(text.replacingOccurrences(of: #""encoding": "u32le""#, with: #""encoding": "u16le""#)).contains("a u16le number takes 2 bytes, not 4"))
        #expect(error(text.replacingOccurrences(of: #""alphabet": "hex""#, with: #""alphabet": "runes""#)).contains("unknown alphabet \"runes\""))
        #expect(error(text.replacingOccurrences(of: #""utcOffsetMinutes": 60"#, with: #""utcOffsetMinutes": 1440"#)).contains("a day or more"))
        #expect(error(text.replacingOccurrences(of: #""length": 31"#, with: #""length": 30"#)).contains("takes 31 bytes, not 30"))
        #expect(error(text.replacingOccurrences(of: #""spanStart": 4"#, with: #""spanStart": 40"#)).contains("spanStart 40 lies beyond a message of 22 bytes"))
        #expect(text.contains(#""class": "address""#))
        #expect(error(text.replacingOccurrences(of: #""until": 13"#, with: #""until": 300"#)).contains("until is a byte"))
        let framedOnly = ModelFile(toolVersion: "test", machines: [StateMachine(transport: .tcp, port: 3306, requestFraming: Self.model.machines[0].requestFraming)])
        let framedText = String(decoding: framedOnly.encode(), as: UTF8.self)
        #expect(try ModelFile.decode(from: Array(framedText.utf8)) == framedOnly)
        #expect(error(framedText.replacingOccurrences(of: #""formatVersion": 3"#, with: #""formatVersion": 2"#)).contains("requestFraming needs format version 3"))
        #expect(error(text.replacingOccurrences(of: #""encoding": "u24le", "offset""#, with: #""encoding": "u99le", "offset""#)).contains("unknown number encoding \"u99le\""))
        #expect(ModelRendering.preview(Self.model.machines[0].states[0].replies[1]) == "<length u24le of 4..> hex 01 20 <copy request text after \"USER\" until \"\\r\"> \"\\r\\n[\" <client address> \"]\"")
        // The echo is written whatever its length, and the length field counts it.
        var generator = SystemRandomNumberGenerator()
        let reply = Self.model.machines[0].states[0].replies[1]
        #expect(reply.reply.rendered(reply.fields, context: RenderingContext(request: bytes("USER administrator\r\n"), clientAddress: bytes("192.0.2.77")),
                                     generator: &generator)
            == [[0x1D, 0, 0, 1, 0x20] + bytes(" administrator\r\n[192.0.2.77]")])
        // No client address known: the example's stays.
        #expect(reply.reply.rendered(reply.fields, context: RenderingContext(request: bytes("USER root\r\n")), generator: &generator)
            == [[0x13, 0, 0, 1, 0x20] + bytes(" root\r\n[127.0.0.1]")])
        #expect(ModelRendering.preview(Self.model.machines[0].states[0].replies[0])
            == "<time %a, %d %b %Y %H:%M:%S %z> \"|\" <counter u32le from 38> \"|\" <random 4 hex> \"|\" <time filetime>")
    }
}
