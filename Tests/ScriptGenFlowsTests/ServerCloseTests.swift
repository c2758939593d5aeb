import Testing
import ScriptGenCapture
@testable import ScriptGenFlows

/// `Conversation.serverClosedFirst`: the server closed of its own accord right after its last
/// message. Synthetic segments (`Script` adds 1 ms per packet) with the FINs in every order.
@Suite struct ServerCloseTests {
    /// Handshake, banner, `QUIT`, `221`: the server's next byte is `v + 26`, the client's `c + 6`.
    private static func quitExchange() -> (script: Script, client: UInt32, server: UInt32) {
        var s = Script()
        s.handshake()
        let c = s.clientISN &+ 1, v = s.serverISN &+ 1
        s.add(.server, seq: v, ack: c, flags: [.ack, .psh], "220 ready\r\n")
        s.add(.client, seq: c, ack: v &+ 11, flags: [.ack, .psh], "QUIT\r\n")
        s.add(.server, seq: v &+ 11, ack: c &+ 6, flags: [.ack, .psh], "221 Goodbye.\r\n")
        return (s, c &+ 6, v &+ 25)
    }

    private static func only(_ script: Script, options: FlowOptions = FlowOptions()) throws -> Conversation {
        let (conversations, _) = script.run(options: options)
        #expect(conversations.count == 1)
        return try #require(conversations.first)
    }

    @Test func serverFinBeforeTheClientsIsAServerClose() throws {
        var (s, c, v) = Self.quitExchange()
        s.add(.server, seq: v, ack: c, flags: [.ack, .fin])
        s.add(.client, seq: c, ack: v &+ 1, flags: [.ack, .fin])
        s.add(.server, seq: v &+ 1, ack: c &+ 1)
        let conversation = try Self.only(s)
        #expect(conversation.serverClosedFirst)
        #expect(conversation.closedBy == .fin)
        #expect(texts(conversation) == ["S:220 ready\r\n", "C:QUIT\r\n", "S:221 Goodbye.\r\n"])
    }

    @Test func replyCarriedOnTheFinSegmentItselfIsAServerClose() throws {
        var s = Script()
        s.handshake()
        let c = s.clientISN &+ 1, v = s.serverISN &+ 1
        s.add(.client, seq: c, ack: v, flags: [.ack, .psh], "GET / HTTP/1.0\r\n\r\n")
        s.add(.server, seq: v, ack: c &+ 18, flags: [.ack, .psh, .fin], "HTTP/1.1 200 OK\r\n\r\nhi")
        s.add(.client, seq: c &+ 18, ack: v &+ 23, flags: [.ack, .fin])
        #expect(try Self.only(s).serverClosedFirst)
    }

    @Test func replyInOneByteSegmentsThenFinIsAServerClose() throws {
        var s = Script()
        s.handshake()
        let c = s.clientISN &+ 1, v = s.serverISN &+ 1
        s.add(.client, seq: c, ack: v, flags: [.ack, .psh], "QUIT\r\n")
        let reply = Array("221 bye\r\n")
        for (offset, character) in reply.enumerated() {
            s.add(.server, seq: v &+ UInt32(offset), ack: c &+ 6, flags: [.ack], String(character))
        }
        s.add(.server, seq: v &+ UInt32(reply.count), ack: c &+ 6, flags: [.ack, .fin])
        let conversation = try Self.only(s)
        #expect(texts(conversation) == ["C:QUIT\r\n", "S:221 bye\r\n"])
        #expect(conversation.serverClosedFirst)
    }

    @Test func finCapturedAheadOfTheReplysLastSegmentIsAServerClose() throws {
        var s = Script()
        s.handshake()
        let c = s.clientISN &+ 1, v = s.serverISN &+ 1
        s.add(.client, seq: c, ack: v, flags: [.ack, .psh], "QUIT\r\n")
        s.add(.server, seq: v &+ 4, ack: c &+ 6, flags: [.ack, .fin])
        s.add(.server, seq: v, ack: c &+ 6, flags: [.ack, .psh], "221 ")
        let conversation = try Self.only(s)
        #expect(texts(conversation) == ["C:QUIT\r\n", "S:221 "])
        #expect(conversation.serverClosedFirst)
    }

    @Test func clientFinFirstIsNoServerClose() throws {
        var (s, c, v) = Self.quitExchange()
        s.add(.client, seq: c, ack: v, flags: [.ack, .fin])
        s.add(.server, seq: v, ack: c &+ 1, flags: [.ack, .fin])   // acknowledges the client's FIN
        s.add(.client, seq: c &+ 1, ack: v &+ 1)
        let conversation = try Self.only(s)
        #expect(!conversation.serverClosedFirst)
        #expect(conversation.closedBy == .fin)
    }

    @Test func finsThatCrossAreAServerClose() throws {
        // The client's FIN is captured first, but the server's FIN does not acknowledge it:
        // the server closed before it saw the client's (a simultaneous close).
        var (s, c, v) = Self.quitExchange()
        s.add(.client, seq: c, ack: v, flags: [.ack, .fin])
        s.add(.server, seq: v, ack: c, flags: [.ack, .fin])
        let conversation = try Self.only(s)
        #expect(conversation.serverClosedFirst)
        #expect(conversation.closedBy == .fin)
    }

    @Test func serverFinWithoutAnyClientFinIsAServerClose() throws {
        var (s, c, v) = Self.quitExchange()
        s.add(.server, seq: v, ack: c, flags: [.ack, .fin])
        let conversation = try Self.only(s)
        #expect(conversation.serverClosedFirst)
        #expect(conversation.closedBy == .fin)
    }

    @Test func finAfterClientDataTheServerNeverAnsweredIsNoServerClose() throws {
        var (s, c, v) = Self.quitExchange()
        s.add(.client, seq: c, ack: v, flags: [.ack, .psh], "NOOP\r\n")
        s.add(.server, seq: v, ack: c &+ 6, flags: [.ack, .fin])
        s.add(.client, seq: c &+ 6, ack: v &+ 1, flags: [.ack, .fin])
        let conversation = try Self.only(s)
        #expect(texts(conversation).last == "C:NOOP\r\n")
        #expect(!conversation.serverClosedFirst)
    }

    @Test func clientDataAfterTheServersFinIsNoServerClose() throws {
        // The client still wrote after the server's FIN (half-close): the server's close did
        // not end the conversation after the server's last message.
        var (s, c, v) = Self.quitExchange()
        s.add(.server, seq: v, ack: c, flags: [.ack, .fin])
        s.add(.client, seq: c, ack: v &+ 1, flags: [.ack, .psh], "HELP\r\n")
        s.add(.server, seq: v &+ 1, ack: c &+ 6, flags: [.rst])
        let conversation = try Self.only(s)
        #expect(!conversation.serverClosedFirst)
        #expect(conversation.closedBy == .rst)
    }

    @Test func serverResetIsNoClose() throws {
        var (s, c, v) = Self.quitExchange()
        s.add(.server, seq: v, ack: c, flags: [.ack, .rst])
        let conversation = try Self.only(s)
        #expect(!conversation.serverClosedFirst)
        #expect(conversation.closedBy == .rst)
    }

    @Test func clientResetAfterTheServersFinKeepsTheServerClose() throws {
        var (s, c, v) = Self.quitExchange()
        s.add(.server, seq: v, ack: c, flags: [.ack, .fin])
        s.add(.client, seq: c, ack: v &+ 1, flags: [.ack, .rst])
        let conversation = try Self.only(s)
        #expect(conversation.serverClosedFirst)
        #expect(conversation.closedBy == .rst)
    }

    @Test func clientResetBeforeTheServersFinIsNoServerClose() throws {
        var (s, c, v) = Self.quitExchange()
        s.add(.client, seq: c, ack: v, flags: [.ack, .rst])
        s.add(.server, seq: v, ack: c, flags: [.ack, .fin])   // after the close: absorbed
        let conversation = try Self.only(s)
        #expect(!conversation.serverClosedFirst)
        #expect(conversation.closedBy == .rst)
    }

    @Test func finAfterAnIdleWaitIsATimeoutNotACloseAfterTheReply() throws {
        var (s, c, v) = Self.quitExchange()
        s.time += 5_000_000_000   // Apache's keep-alive timeout
        s.add(.server, seq: v, ack: c, flags: [.ack, .fin])
        s.add(.client, seq: c, ack: v &+ 1, flags: [.ack, .fin])
        #expect(!(try Self.only(s).serverClosedFirst))
        var patient = FlowOptions()
        patient.maxServerCloseDelay = .seconds(10)
        #expect(try Self.only(s, options: patient).serverClosedFirst)
    }

    @Test func closeDelayLimitIsInclusive() throws {
        var (s, c, v) = Self.quitExchange()
        // The reply came 1 ms before the FIN (Script's step); the limit is exactly that.
        s.add(.server, seq: v, ack: c, flags: [.ack, .fin])
        var tight = FlowOptions()
        tight.maxServerCloseDelay = 1_000_000
        #expect(try Self.only(s, options: tight).serverClosedFirst)
        tight.maxServerCloseDelay = 999_999
        #expect(!(try Self.only(s, options: tight).serverClosedFirst))
    }

    @Test func serverClosingAtOnceWithoutAByteIsAServerClose() throws {
        var s = Script()
        s.handshake()
        s.add(.server, seq: s.serverISN &+ 1, ack: s.clientISN &+ 1, flags: [.ack, .fin])
        s.add(.client, seq: s.clientISN &+ 1, ack: s.serverISN &+ 2, flags: [.ack, .fin])
        let conversation = try Self.only(s)
        #expect(conversation.messages.isEmpty)
        #expect(conversation.serverClosedFirst)
    }

    @Test func serverClosingASilentConnectionAfterItsTimeoutIsNoServerClose() throws {
        // A web server dropping a client that never sent its request.
        var s = Script()
        s.handshake()
        s.time += 20_000_000_000
        s.add(.server, seq: s.serverISN &+ 1, ack: s.clientISN &+ 1, flags: [.ack, .fin])
        #expect(!(try Self.only(s).serverClosedFirst))
    }

    @Test func retransmittedServerFinDoesNotDecideAgain() throws {
        // The first FIN came before the client's; its retransmission after the client's FIN
        // (now acknowledging it) changes nothing.
        var (s, c, v) = Self.quitExchange()
        s.add(.server, seq: v, ack: c, flags: [.ack, .fin])
        s.add(.client, seq: c, ack: v, flags: [.ack, .fin])
        s.add(.server, seq: v, ack: c &+ 1, flags: [.ack, .fin])
        #expect(try Self.only(s).serverClosedFirst)
    }

    @Test func conversationWithoutAnyFinIsNoServerClose() throws {
        let (s, _, _) = Self.quitExchange()
        let conversation = try Self.only(s)
        #expect(!conversation.serverClosedFirst)
        #expect(conversation.closedBy == .endOfCapture)
    }

    @Test func udpIsNeverAServerClose() {
        var tracker = ConversationTracker()
        var out: [Conversation] = []
        let client = IPAddress("10.0.0.9")!, server = IPAddress("10.0.0.53")!
        for (fromClient, text) in [(true, "q"), (false, "a")] {
            let packet = DecodedPacket(
                timestamp: Timestamp(nanoseconds: fromClient ? 0 : 1), transport: .udp,
                source: fromClient ? client : server, destination: fromClient ? server : client,
                sourcePort: fromClient ? 33333 : 53, destinationPort: fromClient ? 53 : 33333,
                tcp: nil, payload: Array(text.utf8)[...])
            tracker.process(packet) { out.append($0) }
        }
        tracker.finish { out.append($0) }
        #expect(out.count == 1)
        #expect(out.allSatisfy { !$0.serverClosedFirst })
    }
}
