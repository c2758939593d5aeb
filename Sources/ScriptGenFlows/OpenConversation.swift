import ScriptGenCapture

/// A conversation being reassembled. Becomes a `Conversation` when it ends.
///
/// A struct kept in the tracker's array and mutated in place: as a class, every access to its
/// per-direction state went through a dynamic exclusivity check, which cost more than the
/// reassembly itself.
struct OpenConversation {
    let transport: TransportProtocol
    var client: Endpoint
    var server: Endpoint
    let start: Timestamp
    var lastActivity: Timestamp
    var handshakeSeen: Bool
    var serverInferred: Bool
    let captureIndex: Int

    var log = MessageLog()
    var fromClient = TCPDirection()
    var fromServer = TCPDirection()
    var clientFinished = false
    var serverFinished = false
    var reset = false
    /// Capture time of the latest segment that carried payload (the start before any).
    var lastPayloadTime: Timestamp
    /// The server's first FIN came before the client's FIN (or crossed it), with no RST before
    /// it, within `FlowOptions.maxServerCloseDelay` of the last payload. `finished` adds the
    /// last condition of `Conversation.serverClosedFirst`: no client message after the server's.
    var serverFinishedFirst = false

    /// The reason it ends, once decided.
    var isComplete: Bool { reset || (clientFinished && serverFinished) }

    var endReason: ConversationEnd {
        if reset { return .rst }
        if clientFinished || serverFinished { return .fin }
        return .timeout
    }

    init(transport: TransportProtocol, client: Endpoint, server: Endpoint, start: Timestamp,
         handshakeSeen: Bool, serverInferred: Bool, captureIndex: Int) {
        self.transport = transport
        self.client = client
        self.server = server
        self.start = start
        self.lastActivity = start
        self.lastPayloadTime = start
        self.handshakeSeen = handshakeSeen
        self.serverInferred = serverInferred
        self.captureIndex = captureIndex
    }

    /// A placeholder for a free place in the tracker's array (holds no buffers).
    static var vacant: OpenConversation {
        let nowhere = Endpoint(address: .v4(0), port: 0)
        return OpenConversation(transport: .tcp, client: nowhere, server: nowhere, start: Timestamp(nanoseconds: 0),
                                handshakeSeen: false, serverInferred: false, captureIndex: 0)
    }

    func direction(ofPacketFrom address: IPAddress, port: UInt16) -> Direction {
        (address == client.address && port == client.port) ? .client : .server
    }

    var messages: [Message] { log.messages }
    var storedBytes: Int { log.storedBytes }
    var truncatedBytes: Int { log.truncatedBytes }

    /// Takes one UDP datagram: always a message of its own, even two in a row from one side.
    mutating func receiveDatagram(_ payload: ArraySlice<UInt8>, missing: Int, from direction: Direction, at time: Timestamp, limit: Int) {
        if time > lastActivity { lastActivity = time }
        log.appendDatagram(payload, missing: missing, from: direction, at: time, limit: limit)
    }

    func finished(closedBy: ConversationEnd) -> Conversation {
        Conversation(
            transport: transport, client: client, server: server,
            start: start, end: lastActivity, messages: log.messages,
            handshakeSeen: handshakeSeen, serverInferred: serverInferred, closedBy: closedBy,
            gapBytes: log.gapBytes, conflictingOverlapBytes: log.conflictingOverlapBytes,
            captureIndex: captureIndex,
            serverClosedFirst: serverFinishedFirst && log.lastDirection != .client
        )
    }
}
