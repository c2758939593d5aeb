import ScriptGenCapture

/// A conversation being reassembled. Becomes a `Conversation` when it ends.
///
/// A class, not a struct: the tracker's table holds many of them and touches one per packet;
/// a reference keeps lookups, sweeps and in-place updates free of copies.
final class OpenConversation {
    let transport: TransportProtocol
    var client: Endpoint
    var server: Endpoint
    let start: Timestamp
    var lastActivity: Timestamp
    var handshakeSeen: Bool
    var serverInferred: Bool
    let captureIndex: Int

    var messages: [Message] = []
    /// Payload bytes held: message payloads plus out-of-order segments.
    var storedBytes = 0
    var gapBytes = 0
    var conflictingOverlapBytes = 0
    var truncatedBytes = 0

    var fromClient = TCPDirection()
    var fromServer = TCPDirection()
    var clientFinished = false
    var serverFinished = false
    var reset = false

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
        self.handshakeSeen = handshakeSeen
        self.serverInferred = serverInferred
        self.captureIndex = captureIndex
    }

    func direction(ofPacketFrom address: IPAddress, port: UInt16) -> Direction {
        (address == client.address && port == client.port) ? .client : .server
    }

    // MARK: - Messages

    /// Appends bytes to the current message of `direction`, or starts a new one.
    func append(_ bytes: ArraySlice<UInt8>, from direction: Direction, at time: Timestamp, limit: Int) {
        guard !bytes.isEmpty else { return }
        let room = max(0, limit - storedBytes)
        let kept = bytes.prefix(room)
        truncatedBytes += bytes.count - kept.count
        if messages.last?.direction != direction {
            messages.append(Message(direction: direction, payload: [], timestamp: time))
        }
        guard !kept.isEmpty else { return }
        messages[messages.count - 1].payload.append(contentsOf: kept)
        storedBytes += kept.count
    }

    /// Records bytes of `direction` that the capture never had.
    func recordGap(_ count: Int, from direction: Direction, at time: Timestamp) {
        guard count > 0 else { return }
        if messages.last?.direction != direction {
            messages.append(Message(direction: direction, payload: [], timestamp: time))
        }
        messages[messages.count - 1].gapBytes += count
        gapBytes += count
    }

    func finished(closedBy: ConversationEnd) -> Conversation {
        Conversation(
            transport: transport, client: client, server: server,
            start: start, end: lastActivity, messages: messages,
            handshakeSeen: handshakeSeen, serverInferred: serverInferred, closedBy: closedBy,
            gapBytes: gapBytes, conflictingOverlapBytes: conflictingOverlapBytes,
            captureIndex: captureIndex
        )
    }
}
