import ScriptGenModel
@testable import ScriptGenSimplifier
import ScriptGenTestSupport
import Testing

/// Time, counter and random fields learned from crafted observations, byte by byte
/// (docs/simplifier.md, *Reply fields*).
@Suite struct SelfVaryingInferenceTests {
    typealias Sample = ReplyFieldInference.Sample

    static func fields(_ group: [Sample]) -> [ReplyField] {
        ReplyFieldInference.inferredFields(group, selfVarying: true, options: SimplifierOptions())
    }

    static func banner(_ date: String, rawState: StateID = 0) -> Sample {
        Sample(request: [], reply: Reply(messages: [bytes("220 mail ESMTP \(date)\r\n")]), rawState: rawState)
    }

    @Test func aBannerDateIsTheCurrentTime() {
        let group = ["Fri, 27 Nov 2026 00:07:06 +0000", "Fri, 27 Nov 2026 00:07:09 +0000", "Sat, 28 Nov 2026 10:00:00 +0000"].map { Self.banner($0) }
        #expect(Self.fields(group) == [
            ReplyField(message: 0, offset: 15, length: 31, source: .time(.text(DateLayout("%a, %d %b %Y %H:%M:%S %z")!, utcOffsetMinutes: 0))),
        ])
        // One date everywhere (a file's date): nothing the server varies.
        #expect(Self.fields([Self.banner("Fri, 01 Mar 2024 12:00:00 +0000"), Self.banner("Fri, 01 Mar 2024 12:00:00 +0000"),
                             Self.banner("Fri, 01 Mar 2024 12:00:00 +0000")]).isEmpty)
        // Dates years apart, each answering its own request path: files' ages, not the time.
        let ages = ["Fri, 01 Mar 2024 12:00:00 +0000", "Tue, 01 Mar 2022 12:00:00 +0000", "Mon, 01 Mar 2021 12:00:00 +0000"]
        #expect(Self.fields(ages.enumerated().map { Self.banner($1, rawState: $0 + 1) }).isEmpty)
        // The same dates given to one request path: the server's clock (a long capture).
        #expect(Self.fields(ages.map { Self.banner($0) }).count == 1)
    }

    /// A greeting `0a <version> 00 <id u32le> <scramble 8> 00`.
    static func greeting(id: UInt32, scramble: String, rawState: StateID = 0) -> Sample {
        let idBytes = (0..<4).map { UInt8(truncatingIfNeeded: id >> (8 * UInt32($0))) }
        return Sample(request: [], reply: Reply(messages: [[0x0A] + bytes("10.11.6") + [0x00] + idBytes + bytes(scramble) + [0x00]]), rawState: rawState)
    }

    @Test func aGreetingHasACounterAndANonce() {
        let group = [Self.greeting(id: 31, scramble: "k#9;Lq.2"), Self.greeting(id: 33, scramble: "Zp)0-x~e"),
                     Self.greeting(id: 32, scramble: "4/uQ[Wm*"), Self.greeting(id: 36, scramble: "a!Bc$dEf")]
        #expect(Self.fields(group) == [
            ReplyField(message: 0, offset: 9, length: 4, source: .counter(.binary(width: 4, bigEndian: false), next: 37)),
            ReplyField(message: 0, offset: 13, length: 8, source: .random(.printable)),
        ])
        // Ids far apart are no counter (and their three varying bytes too few for a nonce); the
        // scramble stays random.
        let scattered = [Self.greeting(id: 31, scramble: "k#9;Lq.2"), Self.greeting(id: 90_000, scramble: "Zp)0-x~e"),
                         Self.greeting(id: 7_000_000, scramble: "4/uQ[Wm*")]
        #expect(Self.fields(scattered) == [ReplyField(message: 0, offset: 13, length: 8, source: .random(.printable))])
        // Those three bytes stay replayed, and are counted as one run.
        let replies = [ObservedReply(reply: scattered[0].reply, count: 3, fields: Self.fields(scattered))]
        #expect(ReplyFieldInference.unexplainedRuns(in: scattered, replies: replies) == 1)
        #expect(ReplyFieldInference.unexplainedRuns(in: group, replies: [ObservedReply(reply: group[0].reply, count: 4, fields: Self.fields(group))]) == 0)
        // Each answering its own request path (and printable): nothing shows the server chose them.
        let ownPaths = group.enumerated().map { index, sample in
            var sample = sample
            sample.rawState = index + 1
            return sample
        }
        #expect(Self.fields(ownPaths).isEmpty)
    }

    @Test func numberedClientsInTextAreNoCounter() {
        // The last digit of a client's address grows with each client: text, so no binary
        // counter and no random bytes.
        let group = (2...5).map { Sample(request: bytes("EHLO x\r\n"), reply: Reply(messages: [bytes("250 hello [127.0.0.\($0)]\r\n")]), rawState: 1) }
        #expect(Self.fields(group).isEmpty)
    }

    @Test func aLongBinaryNonceIsRandomWithoutARepeatedRequest() {
        // A key exchange: each client sends its own cookie, so no request path repeats; the
        // server's 16 bytes differ every time.
        let cookies: [[UInt8]] = [
            [0x2B, 0x77, 0x80, 0x87, 0x09, 0xD1, 0x16, 0x1E, 0x01, 0xFD, 0x45, 0xA5, 0xED, 0x23, 0xEA, 0x94],
            [0x25, 0x72, 0x95, 0x5B, 0x98, 0xC2, 0xE5, 0xCC, 0xC8, 0xCD, 0xCE, 0x82, 0xCC, 0xB1, 0x69, 0xE1],
            [0xD9, 0x27, 0x1B, 0xC8, 0x84, 0xD1, 0x97, 0x5C, 0x54, 0x42, 0x3A, 0x01, 0x2A, 0x93, 0xE2, 0x34],
        ]
        let group = cookies.enumerated().map { index, cookie in
            Sample(request: [0x00, 0x14] + [UInt8](repeating: UInt8(index), count: 16), reply: Reply(messages: [[0x00, 0x00, 0x04, 0x54, 0x07, 0x14] + cookie + [0x00, 0x00]]),
                   rawState: index + 1)
        }
        #expect(Self.fields(group) == [ReplyField(message: 0, offset: 6, length: 16, source: .random(.binary))])
        // Four bytes are too few to tell a nonce from an answer that depends on the request.
        let short = group.map { sample in
            var sample = sample
            sample.reply.messages[0] = Array(sample.reply.messages[0][0..<10]) + [0x00, 0x00]
            return sample
        }
        #expect(Self.fields(short).isEmpty)
    }

    @Test func aFiletimeOfThisCenturyIsTheTime() {
        let base = UInt64(1_795_738_026) * 10_000_000 + UInt64(TimeFormat.filetimeOfUnixEpoch)
        let group = [0, 7_000_000, 310_000_000].enumerated().map { index, delta in
            let time = base + UInt64(delta)
            let reply = [0xFE, 0x53, 0x4D, 0x42] + (0..<8).map { UInt8(truncatingIfNeeded: time >> (8 * UInt64($0))) } + [0x00, 0x01]
            return Sample(request: [UInt8](repeating: UInt8(index), count: 4), reply: Reply(messages: [reply]), rawState: index + 1)
        }
        #expect(Self.fields(group) == [ReplyField(message: 0, offset: 4, length: 8, source: .time(.filetime))])
    }

    @Test func aDateLearnedInOneStateIsTheTimeWhereTheSameBytesLeadUpToIt() {
        let layout = DateLayout("%a, %d %b %Y %H:%M:%S GMT")!
        let learned = ReplyField(message: 0, offset: 23, length: 29, source: .time(.text(layout, utcOffsetMinutes: 0)))
        let page = bytes("HTTP/1.1 200 OK\r\nDate: Fri, 27 Nov 2026 00:06:18 GMT\r\nServer: x\r\n\r\n")
        let machine = StateMachine(transport: .tcp, port: 80, states: [
            State(replies: [ObservedReply(reply: Reply(messages: [page]), count: 5, fields: [learned])]),
        ])
        let anchors = ReplyFieldInference.timeAnchors(in: machine)
        #expect(anchors == [ReplyFieldInference.TimeAnchor(context: bytes("\r\nDate: "), layout: layout, utcOffsetMinutes: 0)])
        // Another page, seen once: its Date follows the same bytes, its Last-Modified does not.
        let other = bytes("HTTP/1.1 404 OK\r\nDate: Sat, 28 Nov 2026 10:00:00 GMT\r\nLast-Modified: Fri, 01 Mar 2024 12:00:00 GMT\r\n\r\n")
        let fields = ReplyFieldInference.anchoredTimes(anchors, in: ObservedReply(reply: Reply(messages: [other]), count: 1))
        #expect(fields == [ReplyField(message: 0, offset: 23, length: 29, source: .time(.text(layout, utcOffsetMinutes: 0)))])
        // Not a date of the layout there (a weekday that is not the date's): nothing.
        let wrong = bytes("HTTP/1.1 404 OK\r\nDate: Mon, 28 Nov 2026 10:00:00 GMT\r\n\r\n")
        #expect(ReplyFieldInference.anchoredTimes(anchors, in: ObservedReply(reply: Reply(messages: [wrong]), count: 1)).isEmpty)
    }
}

/// Echoed request text and the length fields written again around it, byte by byte.
@Suite struct EchoInferenceTests {
    typealias Sample = ReplyFieldInference.Sample

    static func hello(_ name: String) -> Sample {
        Sample(request: bytes("EHLO \(name)\r\n"), reply: Reply(messages: [bytes("250-vm Hello \(name) [127.0.0.1]\r\n250 HELP\r\n")]))
    }

    @Test func aNameOfAnyLengthIsEchoedFromTheBytesBeforeItToTheByteAfter() {
        let group = [Self.hello("client.example.org"), Self.hello("probe"), Self.hello("mail.example.net")]
        let fields = ReplyFieldInference.inferredFields(group, options: SimplifierOptions())
        #expect(fields == [ReplyField(message: 0, offset: 12, length: 19, source: .requestText(after: bytes("EHLO"), until: 0x0D))])
        var generator = SystemRandomNumberGenerator()
        let rendered = group[0].reply.rendered(fields, context: RenderingContext(request: bytes("EHLO x\r\n")), generator: &generator)
        #expect(rendered == [bytes("250-vm Hello x [127.0.0.1]\r\n250 HELP\r\n")])
        // One name everywhere: nothing shows it is the request's.
        #expect(ReplyFieldInference.inferredFields([Self.hello("probe"), Self.hello("probe"), Self.hello("probe")], options: SimplifierOptions()).isEmpty)
    }

    @Test func lettersAgreeingInsideAWordAreNoEcho() {
        // `lo` of `Hello` and of `ehlo`: the reply would be cut inside a word.
        let group = ["a", "bb", "ccc"].map { name in
            Sample(request: bytes("ehlo\r\n"), reply: Reply(messages: [bytes("250 Hello \(name)\r\n")]))
        }
        #expect(ReplyFieldInference.echoFields(in: group, besides: [], options: SimplifierOptions()).isEmpty)
    }

    /// A binary error `<len u24le> 02 ff 15 04 "Access denied for user '<user>'"`.
    static func denied(_ user: String) -> Sample {
        let text = [0x02, 0xFF, 0x15, 0x04] + bytes("Access denied for user '\(user)'")
        let packet = [UInt8(text.count - 1), 0x00, 0x00] + text
        return Sample(request: [0x20, 0x00, 0x00, 0x01, 0x85, 0xA2] + [UInt8](repeating: 0, count: 8) + bytes(user) + [0x00, 0x14], reply: Reply(messages: [packet]))
    }

    @Test func theMachinesFramingIsWrittenAgainAroundAnEcho() throws {
        let group = [Self.denied("root"), Self.denied("admin"), Self.denied("reader")]
        let echoes = ReplyFieldInference.echoFields(in: group, besides: [], options: SimplifierOptions())
        #expect(echoes == [ReplyField(message: 0, offset: 31, length: 4, source: .requestText(after: [0, 0, 0, 0, 0, 0, 0, 0], until: 0x00))])
        let rules = LengthFramingInference.framingRules(group.flatMap(\.reply.messages), options: SimplifierOptions())
        #expect(rules == [LengthFraming(offset: 0, encoding: .binary(width: 3, bigEndian: false), spanStart: 4)])
        let fields = LengthFramingInference.framedLengths(rules, in: ObservedReply(reply: group[0].reply, count: 1, fields: echoes))
        #expect(fields.first == ReplyField(message: 0, offset: 0, length: 3, source: .length(.binary(width: 3, bigEndian: false), spanStart: 4)))
        var generator = SystemRandomNumberGenerator()
        let rendered = group[0].reply.rendered(fields, context: RenderingContext(request: Self.denied("intruder").request), generator: &generator)
        #expect(rendered == Self.denied("intruder").reply.messages)
    }

    @Test func repliesThatNameTheirClientGetItsAddress() {
        func greeting(_ client: String, name: String = "x") -> Sample {
            Sample(request: bytes("EHLO \(name)\r\n"), reply: Reply(messages: [bytes("250 Hello \(name) [\(client)]\r\n")]), clients: [bytes(client)])
        }
        let group = [greeting("127.0.0.2"), greeting("127.0.0.3"), greeting("10.1.2.3")]
        let contexts = ReplyFieldInference.clientAddressContexts(group, options: SimplifierOptions())
        #expect(contexts == [bytes(" [")])
        let other = ObservedReply(reply: Reply(messages: [bytes("250 Hello longer.name [192.168.100.200]\r\n")]), count: 1)
        #expect(ReplyFieldInference.clientAddresses(contexts, in: other) == [ReplyField(message: 0, offset: 23, length: 15, source: .clientAddress)])
        // One client only: an address that happens to be in every reply is not the client's.
        #expect(ReplyFieldInference.clientAddressContexts([greeting("127.0.0.2"), greeting("127.0.0.2"), greeting("127.0.0.2")], options: SimplifierOptions()).isEmpty)
        // Part of a longer number is no address: `[127.0.0.25` holds `127.0.0.2`.
        let partial = Sample(request: [], reply: Reply(messages: [bytes("id [127.0.0.25]")]), clients: [bytes("127.0.0.2")])
        #expect(ReplyFieldInference.clientAddressContexts([partial, greeting("127.0.0.3"), greeting("127.0.0.4")], options: SimplifierOptions()).isEmpty)
    }
}
