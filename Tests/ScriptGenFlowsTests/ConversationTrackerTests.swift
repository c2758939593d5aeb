import Testing
import ScriptGenCapture
@testable import ScriptGenFlows

/// A tiny script of TCP packets between one client and one server.
struct Script {
    let client = Endpoint(address: IPAddress("10.0.0.1")!, port: 40000)
    let server = Endpoint(address: IPAddress("10.0.0.2")!, port: 21)
    var clientISN: UInt32 = 1000
    var serverISN: UInt32 = 5000
    var packets: [DecodedPacket] = []
    var time: Int64 = 1_700_000_000_000_000_000

    mutating func add(_ from: Direction, seq: UInt32, ack: UInt32 = 0, flags: TCPFlags = [.ack], _ text: String = "", missing: Int = 0) {
        let (source, destination) = from == .client ? (client, server) : (server, client)
        time += 1_000_000
        packets.append(DecodedPacket(
            timestamp: Timestamp(nanoseconds: time), transport: .tcp,
            source: source.address, destination: destination.address,
            sourcePort: source.port, destinationPort: destination.port,
            tcp: TCPHeader(sequenceNumber: seq, acknowledgementNumber: ack, flags: flags, window: 65535),
            payload: Array(text.utf8)[...], missingPayloadBytes: missing))
    }

    mutating func handshake() {
        add(.client, seq: clientISN, flags: [.syn])
        add(.server, seq: serverISN, ack: clientISN &+ 1, flags: [.syn, .ack])
        add(.client, seq: clientISN &+ 1, ack: serverISN &+ 1)
    }

    func run(options: FlowOptions = FlowOptions()) -> ([Conversation], FlowStatistics) {
        var tracker = ConversationTracker(options: options)
        var out: [Conversation] = []
        for packet in packets { tracker.process(packet) { out.append($0) } }
        tracker.finish { out.append($0) }
        return (out, tracker.statistics)
    }
}

func texts(_ conversation: Conversation) -> [String] {
    conversation.messages.map { "\($0.direction == .client ? "C" : "S"):\(String(decoding: $0.payload, as: UTF8.self))" }
}

@Test func handshakeBannerRequestReplyAndFin() {
    var s = Script()
    s.handshake()
    let c = s.clientISN &+ 1, v = s.serverISN &+ 1
    s.add(.server, seq: v, ack: c, flags: [.ack, .psh], "220 hi\r\n")
    s.add(.client, seq: c, ack: v &+ 8, flags: [.ack, .psh], "USER a\r\n")
    s.add(.server, seq: v &+ 8, ack: c &+ 8, flags: [.ack, .psh], "331 ok\r\n")
    s.add(.client, seq: c &+ 8, ack: v &+ 16, flags: [.ack, .fin])
    s.add(.server, seq: v &+ 16, ack: c &+ 9, flags: [.ack, .fin])
    s.add(.client, seq: c &+ 9, ack: v &+ 17)
    let (conversations, statistics) = s.run()
    #expect(conversations.count == 1)
    let conversation = conversations[0]
    #expect(texts(conversation) == ["S:220 hi\r\n", "C:USER a\r\n", "S:331 ok\r\n"])
    #expect(conversation.handshakeSeen && !conversation.serverInferred)
    #expect(conversation.closedBy == .fin)
    #expect(conversation.client == s.client && conversation.server == s.server)
    #expect(conversation.gapBytes == 0)
    // The last ACK after both FINs is absorbed, not a new conversation.
    #expect(statistics.packetsAfterClose == 1)
}

@Test func segmentsOfOneDirectionFormOneMessageAndReorderingIsUndone() {
    var s = Script()
    s.handshake()
    let c = s.clientISN &+ 1
    s.add(.client, seq: c &+ 4, "EFG")
    s.add(.client, seq: c, "ABCD")
    s.add(.client, seq: c &+ 7, "H")
    let (conversations, statistics) = s.run()
    #expect(texts(conversations[0]) == ["C:ABCDEFGH"])
    #expect(statistics.outOfOrderSegments == 1)
}

@Test func retransmissionIsDroppedAndDisagreementCounted() {
    var s = Script()
    s.handshake()
    let c = s.clientISN &+ 1
    s.add(.client, seq: c, "HELLO")
    s.add(.client, seq: c, "HELLO")          // exact retransmission
    s.add(.client, seq: c &+ 3, "xyZZ")      // overlaps "LO" with different bytes, adds "ZZ"
    let (conversations, statistics) = s.run()
    #expect(texts(conversations[0]) == ["C:HELLOZZ"])
    #expect(statistics.duplicateSegments == 1)
    #expect(conversations[0].conflictingOverlapBytes == 2)
}

@Test func sequenceNumbersWrapAround() {
    var s = Script()
    s.clientISN = UInt32.max - 2
    s.handshake()
    let c = s.clientISN &+ 1          // 0xFFFFFFFE
    s.add(.client, seq: c &+ 3, "DEF")   // wrapped to 1
    s.add(.client, seq: c, "ABC")
    let (conversations, _) = s.run()
    #expect(texts(conversations[0]) == ["C:ABCDEF"])
}

@Test func missingHandshakeInfersServerFromPorts() {
    var s = Script()
    s.add(.server, seq: 77, ack: 10, flags: [.ack, .psh], "220 banner\r\n")
    s.add(.client, seq: 10, ack: 89, flags: [.ack, .psh], "QUIT\r\n")
    let (conversations, _) = s.run()
    #expect(conversations.count == 1)
    #expect(conversations[0].server == s.server)
    #expect(conversations[0].serverInferred && !conversations[0].handshakeSeen)
    #expect(conversations[0].closedBy == .endOfCapture)
    var strict = FlowOptions()
    strict.requireHandshake = true
    let (dropped, statistics) = s.run(options: strict)
    #expect(dropped.isEmpty)
    #expect(statistics.droppedWithoutHandshake >= 1)
}

@Test func dataAfterOneSidesFinStillBelongs() {
    var s = Script()
    s.handshake()
    let c = s.clientISN &+ 1, v = s.serverISN &+ 1
    s.add(.client, seq: c, flags: [.ack, .psh], "GET /\r\n\r\n")
    s.add(.client, seq: c &+ 9, flags: [.ack, .fin])
    s.add(.server, seq: v, ack: c &+ 10, flags: [.ack, .psh], "HTTP/1.0 200 OK\r\n\r\nbody")
    s.add(.server, seq: v &+ 23, ack: c &+ 10, flags: [.ack, .fin])
    let (conversations, _) = s.run()
    #expect(conversations.count == 1)
    #expect(texts(conversations[0]) == ["C:GET /\r\n\r\n", "S:HTTP/1.0 200 OK\r\n\r\nbody"])
    #expect(conversations[0].closedBy == .fin)
}

@Test func resetEndsAndNewSynOnSameTupleStartsAgain() {
    var s = Script()
    s.handshake()
    let c = s.clientISN &+ 1
    s.add(.client, seq: c, "first")
    s.add(.server, seq: s.serverISN &+ 1, ack: c &+ 5, flags: [.rst, .ack])
    s.add(.client, seq: c &+ 5, "late")   // after the reset: absorbed
    s.clientISN = 90000
    s.handshake()
    s.add(.client, seq: 90001, "second")
    let (conversations, statistics) = s.run()
    #expect(conversations.count == 2)
    #expect(conversations[0].closedBy == .rst)
    #expect(texts(conversations[0]) == ["C:first"])
    #expect(texts(conversations[1]) == ["C:second"])
    #expect(statistics.packetsAfterClose == 1)
}

@Test func newSynOnOpenTupleClosesTheOldConversation() {
    var s = Script()
    s.handshake()
    s.add(.client, seq: s.clientISN &+ 1, "one")
    s.clientISN = 424242
    s.handshake()
    s.add(.client, seq: 424243, "two")
    let (conversations, _) = s.run()
    #expect(conversations.map(texts) == [["C:one"], ["C:two"]])
}

@Test func holeAcknowledgedByTheAnswerBecomesAGap() {
    var s = Script()
    s.handshake()
    let c = s.clientISN &+ 1, v = s.serverISN &+ 1
    s.add(.client, seq: c, "AAAA")
    // c+4..<c+8 never captured
    s.add(.client, seq: c &+ 8, "CCCC")
    s.add(.server, seq: v, ack: c &+ 12, flags: [.ack, .psh], "OK")
    let (conversations, statistics) = s.run()
    #expect(texts(conversations[0]) == ["C:AAAACCCC", "S:OK"])
    #expect(conversations[0].messages[0].gapBytes == 4)
    #expect(conversations[0].gapBytes == 4)
    #expect(statistics.gapBytes == 4)
}

@Test func unfilledHoleAtEndOfCaptureIsAGap() {
    var s = Script()
    s.handshake()
    let c = s.clientISN &+ 1
    s.add(.client, seq: c &+ 2, "late")
    let (conversations, _) = s.run()
    #expect(texts(conversations[0]) == ["C:late"])
    #expect(conversations[0].gapBytes == 2)
}

@Test func snaplenCutIsRecordedAsGap() {
    var s = Script()
    s.handshake()
    let c = s.clientISN &+ 1
    s.add(.client, seq: c, "ABC", missing: 5)
    s.add(.client, seq: c &+ 8, "Z")
    let (conversations, _) = s.run()
    #expect(texts(conversations[0]) == ["C:ABCZ"])
    #expect(conversations[0].gapBytes == 5)
}

@Test func perConversationLimitTruncatesAndCounts() {
    var s = Script()
    s.handshake()
    let c = s.clientISN &+ 1
    s.add(.client, seq: c, "0123456789")
    s.add(.client, seq: c &+ 10, "abcdef")
    var options = FlowOptions()
    options.maxBytesPerConversation = 12
    let (conversations, statistics) = s.run(options: options)
    #expect(texts(conversations[0]) == ["C:0123456789ab"])
    #expect(statistics.truncatedBytes == 4)
}

@Test func openConversationLimitEvictsLeastRecentlyActive() {
    var tracker = ConversationTracker(options: { var o = FlowOptions(); o.maxOpenConversations = 4; return o }())
    var out: [Conversation] = []
    for index in 0..<10 {
        let packet = DecodedPacket(
            timestamp: Timestamp(nanoseconds: Int64(index)), transport: .tcp,
            source: .v4(0x0a00_0001), destination: .v4(0x0a00_0002),
            sourcePort: UInt16(40000 + index), destinationPort: 80,
            tcp: TCPHeader(sequenceNumber: 1, acknowledgementNumber: 0, flags: [.syn], window: 0), payload: [])
        tracker.process(packet) { out.append($0) }
    }
    #expect(tracker.openConversations <= 4)
    #expect(tracker.statistics.evictedConversations == out.count)
    #expect(out.first?.client.port == 40000)
    #expect(out.allSatisfy { $0.closedBy == .evicted })
}

@Test func idleTimeoutEndsConversationInCaptureTime() {
    var s = Script()
    s.handshake()
    s.add(.client, seq: s.clientISN &+ 1, "x")
    s.time += 400_000_000_000   // 400 s later, other traffic
    var tracker = ConversationTracker()
    var out: [Conversation] = []
    for packet in s.packets { tracker.process(packet) { out.append($0) } }
    for index in 0..<2000 {
        let filler = DecodedPacket(
            timestamp: Timestamp(nanoseconds: s.time + Int64(index) * 1_000_000), transport: .udp,
            source: .v4(1), destination: .v4(2), sourcePort: 5000, destinationPort: 53, tcp: nil, payload: [1])
        tracker.process(filler) { out.append($0) }
    }
    #expect(out.count == 1)
    #expect(out.first?.closedBy == .timeout)
}

@Test func udpDatagramsAreMessagesGroupedByIdleTimeout() {
    var tracker = ConversationTracker()
    var out: [Conversation] = []
    let client = IPAddress("10.0.0.9")!, server = IPAddress("10.0.0.53")!
    func datagram(_ at: Int64, fromClient: Bool, _ text: String) -> DecodedPacket {
        DecodedPacket(timestamp: Timestamp(nanoseconds: at), transport: .udp,
                      source: fromClient ? client : server, destination: fromClient ? server : client,
                      sourcePort: fromClient ? 33333 : 53, destinationPort: fromClient ? 53 : 33333,
                      tcp: nil, payload: Array(text.utf8)[...])
    }
    let second: Int64 = 1_000_000_000
    for packet in [datagram(0, fromClient: true, "q1"), datagram(1, fromClient: false, "a1"),
                   datagram(2, fromClient: false, "a1b"), datagram(100 * second, fromClient: true, "q2")] {
        tracker.process(packet) { out.append($0) }
    }
    tracker.finish { out.append($0) }
    #expect(out.count == 2)
    #expect(out[0].messages.map(\.payload) == [Array("q1".utf8), Array("a1".utf8), Array("a1b".utf8)])
    #expect(out[0].server.port == 53 && out[0].closedBy == .timeout)
    #expect(out[1].messages.count == 1)
}

@Test func udpAnswerSeenFirstStillHasTheServerOnTheWellKnownPort() {
    var tracker = ConversationTracker()
    var out: [Conversation] = []
    let packet = DecodedPacket(timestamp: Timestamp(nanoseconds: 0), transport: .udp,
                               source: .v4(2), destination: .v4(1), sourcePort: 53, destinationPort: 40000, tcp: nil, payload: [9])
    tracker.process(packet) { out.append($0) }
    tracker.finish { out.append($0) }
    #expect(out[0].server.port == 53)
    #expect(out[0].messages[0].direction == .server)
}

@Test func ipv6EndpointsPrintInBrackets() {
    let endpoint = Endpoint(address: IPAddress("2001:db8::1")!, port: 443)
    #expect(endpoint.description == "[2001:db8::1]:443")
    #expect(IPAddress("::1")!.description == "::1")
    #expect(IPAddress("1:0:0:2:0:0:0:3")!.description == "1:0:0:2::3")
}

@Test func addressRangesMatchCIDR() {
    let v4 = AddressRange("10.1.0.0/16")!
    #expect(v4.contains(IPAddress("10.1.200.3")!))
    #expect(!v4.contains(IPAddress("10.2.0.1")!))
    #expect(!v4.contains(IPAddress("::1")!))
    #expect(AddressRange("0.0.0.0/0")!.contains(IPAddress("8.8.8.8")!))
    #expect(AddressRange("192.0.2.7")!.contains(IPAddress("192.0.2.7")!))
    #expect(!AddressRange("192.0.2.7")!.contains(IPAddress("192.0.2.8")!))
    let v6 = AddressRange("2001:db8::/32")!
    #expect(v6.contains(IPAddress("2001:db8:1::5")!))
    #expect(!v6.contains(IPAddress("2001:db9::5")!))
    #expect(AddressRange("::1/128")!.contains(IPAddress("::1")!))
    #expect(AddressRange("2001:db8::1:0/112")!.contains(IPAddress("2001:db8::1:ffff")!))
    #expect(AddressRange("10.0.0.0/33") == nil)
    #expect(AddressRange("nonsense") == nil)
}

@Test func longRunOfReversedSegmentsIsReassembledWithoutRecursion() {
    // 50,000 one-byte segments sent last first: each arrival waits, the first one releases
    // them all. Delivery is a loop; a recursive one would exhaust the stack.
    var s = Script()
    s.handshake()
    let c = s.clientISN &+ 1
    let count = 50_000
    for index in stride(from: count - 1, through: 0, by: -1) {
        s.add(.client, seq: c &+ UInt32(index), String(UnicodeScalar(UInt8(97 + index % 26))))
    }
    var options = FlowOptions()
    options.maxOutOfOrderSegments = count
    let (conversations, statistics) = s.run(options: options)
    #expect(conversations.count == 1)
    let payload = conversations[0].messages.first?.payload ?? []
    #expect(payload.count == count)
    #expect(payload.prefix(3) == [97, 98, 99])
    #expect(statistics.outOfOrderSegments == count - 1)
}

@Test func earlySegmentsPastTheLimitAreDroppedAndBecomeGaps() {
    // One-byte segments with a hole before each: never filled. The queue stops at its limit.
    var s = Script()
    s.handshake()
    let c = s.clientISN &+ 1
    for index in 0..<1_000 {
        s.add(.client, seq: c &+ UInt32(2 * index + 1), "x")
    }
    var options = FlowOptions()
    options.maxOutOfOrderSegments = 100
    let (conversations, statistics) = s.run(options: options)
    #expect(statistics.outOfOrderSegments == 100)
    #expect(statistics.outOfOrderSegmentsDropped == 900)
    #expect(conversations[0].messages.first?.payload.count == 100)
    #expect(conversations[0].gapBytes > 0)
}
