import ScriptGenCapture

/// The Message Sequence Factory: turns decoded packets, in capture order, into conversations.
///
/// Streaming: a conversation is handed to `emit` as soon as it ends (FIN from both sides, RST,
/// idle timeout in capture time, or a limit) and then forgotten, so memory follows the number
/// of open conversations, not the size of the capture. Conversations come out in the order
/// they end. Call `finish` at the end of the input to hand on those still open.
public struct ConversationTracker {
    public let options: FlowOptions
    public private(set) var statistics = FlowStatistics()

    /// 4-tuples of open conversations (by index into `conversations`) and of recently closed
    /// ones (stray packets until a deadline are absorbed; a SYN starts anew).
    private var table = FlowTable()
    /// Open conversations, mutated in place (never copied out: they hold the messages);
    /// places of conversations handed on hold `OpenConversation.vacant` and are listed in
    /// `freeConversations`.
    private var conversations: [OpenConversation] = []
    private var freeConversations: [Int32] = []
    private var openCount = 0
    private var storedBytes = 0
    /// The latest capture time seen (captures can step back in time a little).
    private var now = Timestamp(nanoseconds: .min)
    private var lastSweep = Timestamp(nanoseconds: .min)
    private var packetsSinceSweep = 0

    private let sweepInterval: Nanoseconds

    public init(options: FlowOptions = FlowOptions()) {
        self.options = options
        sweepInterval = max(1_000_000_000, min(options.tcpIdleTimeout, options.udpIdleTimeout, options.closedLinger) / 4)
    }

    /// Number of conversations open now.
    public var openConversations: Int { openCount }

    /// Takes one packet. `captureIndex` says which input file it came from.
    public mutating func process(_ packet: DecodedPacket, captureIndex: Int = 0, emit: (Conversation) throws -> Void) rethrows {
        if packet.timestamp > now { now = packet.timestamp }
        if lastSweep.nanoseconds == .min { lastSweep = now }
        packetsSinceSweep += 1
        // Sweeps cost a pass over the table: do one only when enough capture time and enough
        // packets have gone by for it to pay (expiry is then late by at most a quarter timeout).
        if packetsSinceSweep > max(1024, openCount / 4), now.nanoseconds &- lastSweep.nanoseconds > sweepInterval {
            try expireIdle(emit: emit)
        }
        let source = Endpoint(address: packet.source, port: packet.sourcePort)
        let destination = Endpoint(address: packet.destination, port: packet.destinationPort)
        let key = FlowKey(transport: packet.transport, source, destination)
        switch packet.transport {
        case .tcp:
            statistics.tcpSegments += 1
            try processTCP(packet, key: key, source: source, destination: destination, captureIndex: captureIndex, emit: emit)
        case .udp:
            statistics.udpDatagrams += 1
            try processUDP(packet, key: key, source: source, destination: destination, captureIndex: captureIndex, emit: emit)
        }
        if openCount > options.maxOpenConversations || storedBytes > options.maxTotalBytes {
            try evictLeastRecentlyActive(emit: emit)
        }
    }

    /// Hands on every conversation still open (end of input).
    public mutating func finish(emit: (Conversation) throws -> Void) rethrows {
        var open: [(start: Timestamp, client: Endpoint, server: Endpoint, key: FlowKey, entry: Int)] = []
        for (entry, item) in table.entries.enumerated() where item.inUse && item.conversation >= 0 {
            let index = Int(item.conversation)
            open.append((conversations[index].start, conversations[index].client, conversations[index].server, item.key, entry))
        }
        open.sort { ($0.start, $0.client, $0.server, $0.key) < ($1.start, $1.client, $1.server, $1.key) }
        for item in open {
            let index = Int(table.entries[item.entry].conversation)
            let reason: ConversationEnd = conversations[index].isComplete || conversations[index].clientFinished
                || conversations[index].serverFinished ? conversations[index].endReason : .endOfCapture
            try close(entry: item.entry, reason: reason, emit: emit)
        }
        table.removeAll()
        conversations.removeAll()
        freeConversations.removeAll()
    }

    // MARK: - TCP

    private mutating func processTCP(
        _ packet: DecodedPacket, key: FlowKey, source: Endpoint, destination: Endpoint,
        captureIndex: Int, emit: (Conversation) throws -> Void
    ) rethrows {
        guard let header = packet.tcp else { return }
        let isInitialSYN = header.flags.hasSYN && !header.flags.hasACK
        var slot = -1
        if let entry = table.find(key) {
            let index = Int(table.entries[entry].conversation)
            if index < 0 {
                if !isInitialSYN {
                    statistics.packetsAfterClose += 1
                    // Data long after the close opens a new mid-stream conversation below.
                    if packet.timestamp <= table.entries[entry].closedUntil
                        || (packet.payload.isEmpty && packet.missingPayloadBytes == 0) { return }
                }
                table.remove(entry: entry)
            } else {
                let fromClient = conversations[index].direction(ofPacketFrom: source.address, port: source.port) == .client
                if isInitialSYN, fromClient, conversations[index].fromClient.started,
                   header.sequenceNumber &+ 1 != conversations[index].fromClient.nextSequence || !conversations[index].messages.isEmpty {
                    // A new connection reuses the 4-tuple of one whose end we did not see.
                    try close(entry: entry, reason: conversations[index].endReason, emit: emit)
                    table.remove(entry: entry)
                } else if isInitialSYN, !fromClient {
                    // The other side opens a connection on the same tuple (rare): treat as reuse.
                    try close(entry: entry, reason: conversations[index].endReason, emit: emit)
                    table.remove(entry: entry)
                } else {
                    slot = index
                }
            }
        }
        if slot < 0 {
            guard let opened = openTCP(packet, header: header, source: source, destination: destination, captureIndex: captureIndex) else { return }
            slot = add(opened, key: key)
        }
        let before = conversations[slot].storedBytes
        let direction = conversations[slot].direction(ofPacketFrom: source.address, port: source.port)
        conversations[slot].receive(header, payload: packet.payload, missing: packet.missingPayloadBytes, from: direction,
                                     at: packet.timestamp, options: options, statistics: &statistics)
        storedBytes += conversations[slot].storedBytes - before
        if conversations[slot].isComplete, let entry = table.find(key) {
            try close(entry: entry, reason: conversations[slot].endReason, emit: emit)
        }
    }

    /// Stores a new open conversation under `key`; returns its index in `conversations`.
    private mutating func add(_ conversation: OpenConversation, key: FlowKey) -> Int {
        let slot: Int
        if let free = freeConversations.popLast() {
            slot = Int(free)
            conversations[slot] = conversation
        } else {
            slot = conversations.count
            conversations.append(conversation)
        }
        table.insert(key, conversation: Int32(slot))
        openCount += 1
        statistics.peakOpenConversations = max(statistics.peakOpenConversations, openCount)
        return slot
    }

    /// Starts a conversation from its first packet, deciding which side is the server.
    private mutating func openTCP(_ packet: DecodedPacket, header: TCPHeader, source: Endpoint, destination: Endpoint, captureIndex: Int) -> OpenConversation? {
        let flags = header.flags
        let client: Endpoint, server: Endpoint, handshake: Bool, inferred: Bool
        if flags.hasSYN && !flags.hasACK {
            (client, server, handshake, inferred) = (source, destination, true, false)
        } else if flags.hasSYN {
            // SYN-ACK: its sender is the server; the client's SYN was not captured.
            (client, server, handshake, inferred) = (destination, source, true, false)
        } else {
            if options.requireHandshake {
                statistics.droppedWithoutHandshake += 1
                return nil
            }
            if flags.hasRST && packet.payload.isEmpty {
                // A lone RST (scan answers, late resets) carries nothing to learn from.
                statistics.packetsAfterClose += 1
                return nil
            }
            let sourceIsServer = Self.looksLikeServer(source.port, comparedTo: destination.port)
            (client, server, handshake, inferred) = sourceIsServer ? (destination, source, false, true) : (source, destination, false, true)
        }
        return OpenConversation(transport: .tcp, client: client, server: server, start: packet.timestamp,
                                handshakeSeen: handshake, serverInferred: inferred, captureIndex: captureIndex)
    }

    /// Server side inference when the handshake is missing: a well-known port (< 1024) against
    /// an ephemeral one, else the lower port; on a tie, the packet's destination.
    static func looksLikeServer(_ port: UInt16, comparedTo other: UInt16) -> Bool {
        let wellKnown = port < 1024, otherWellKnown = other < 1024
        if wellKnown != otherWellKnown { return wellKnown }
        return port < other
    }

    // MARK: - UDP

    private mutating func processUDP(
        _ packet: DecodedPacket, key: FlowKey, source: Endpoint, destination: Endpoint,
        captureIndex: Int, emit: (Conversation) throws -> Void
    ) rethrows {
        var slot = -1
        if let entry = table.find(key) {
            let index = Int(table.entries[entry].conversation)
            if packet.timestamp.nanoseconds &- conversations[index].lastActivity.nanoseconds > options.udpIdleTimeout {
                try close(entry: entry, reason: .timeout, emit: emit)
            } else {
                slot = index
            }
        }
        if slot < 0 {
            let sourceIsServer = Self.looksLikeServer(source.port, comparedTo: destination.port) && source.port < 1024
            let (client, server) = sourceIsServer ? (destination, source) : (source, destination)
            slot = add(OpenConversation(transport: .udp, client: client, server: server, start: packet.timestamp,
                                        handshakeSeen: false, serverInferred: sourceIsServer, captureIndex: captureIndex), key: key)
        }
        let before = conversations[slot].storedBytes
        let direction = conversations[slot].direction(ofPacketFrom: source.address, port: source.port)
        conversations[slot].receiveDatagram(packet.payload, missing: packet.missingPayloadBytes, from: direction,
                                             at: packet.timestamp, limit: options.maxBytesPerConversation)
        statistics.gapBytes += packet.missingPayloadBytes
        storedBytes += conversations[slot].storedBytes - before
    }

    // MARK: - Ending conversations

    /// Hands on the open conversation of table entry `entry`; a TCP tuple stays as closed for
    /// `closedLinger`, a UDP one is forgotten.
    private mutating func close(entry: Int, reason: ConversationEnd, emit: (Conversation) throws -> Void) rethrows {
        let index = Int(table.entries[entry].conversation)
        guard index >= 0 else { return }
        var conversation = OpenConversation.vacant
        swap(&conversation, &conversations[index])
        freeConversations.append(Int32(index))
        if conversation.transport == .tcp {
            table.close(entry: entry, until: conversation.lastActivity.adding(nanoseconds: options.closedLinger))
        } else {
            table.remove(entry: entry)
        }
        openCount -= 1
        storedBytes -= conversation.storedBytes
        if conversation.transport == .tcp {
            conversation.flushPending(at: conversation.lastActivity, options: options, statistics: &statistics)
        }
        statistics.truncatedBytes += conversation.truncatedBytes
        statistics.conversations += 1
        if reason == .evicted { statistics.evictedConversations += 1 }
        try emit(conversation.finished(closedBy: reason))
    }

    /// Ends idle conversations and forgets old tombstones.
    private mutating func expireIdle(emit: (Conversation) throws -> Void) rethrows {
        lastSweep = now
        packetsSinceSweep = 0
        var expired: [(Timestamp, FlowKey, ConversationEnd)] = []
        var forgotten: [Int] = []
        for (entry, item) in table.entries.enumerated() where item.inUse {
            if item.conversation < 0 {
                if item.closedUntil < now { forgotten.append(entry) }
                continue
            }
            // Fields are read in place: copying a conversation would retain its buffers.
            let index = Int(item.conversation)
            let isTCP = conversations[index].transport == .tcp
            let timeout = isTCP ? options.tcpIdleTimeout : options.udpIdleTimeout
            if now.nanoseconds &- conversations[index].lastActivity.nanoseconds > timeout {
                let reason: ConversationEnd = isTCP ? conversations[index].endReason : .timeout
                expired.append((conversations[index].start, item.key, reason))
            }
        }
        for entry in forgotten { table.remove(entry: entry) }
        // Deterministic hand-off order: by start time, then endpoints.
        for (_, key, reason) in expired.sorted(by: { ($0.0, $0.1) < ($1.0, $1.1) }) {
            if let entry = table.find(key) { try close(entry: entry, reason: reason, emit: emit) }
        }
    }

    /// Hands on the least recently active eighth of the open conversations.
    private mutating func evictLeastRecentlyActive(emit: (Conversation) throws -> Void) rethrows {
        var candidates: [(Timestamp, FlowKey)] = []
        candidates.reserveCapacity(openCount)
        for item in table.entries where item.inUse && item.conversation >= 0 {
            candidates.append((conversations[Int(item.conversation)].lastActivity, item.key))
        }
        candidates.sort { ($0.0, $0.1) < ($1.0, $1.1) }
        let count = max(1, candidates.count / 8)
        for (_, key) in candidates.prefix(count) {
            if let entry = table.find(key) { try close(entry: entry, reason: .evicted, emit: emit) }
        }
    }
}

/// A conversation's identity regardless of direction: the two endpoints in a fixed order.
struct FlowKey: Hashable, Comparable {
    var transport: TransportProtocol
    var low: Endpoint
    var high: Endpoint
    /// A cheap mix of the fields: the flow table's hash, and a quick inequality test.
    private(set) var mix: UInt64

    init(transport: TransportProtocol, _ a: Endpoint, _ b: Endpoint) {
        self.transport = transport
        if a < b { (low, high) = (a, b) } else { (low, high) = (b, a) }
        mix = Self.mix(low) &* 0x9e37_79b9_7f4a_7c15 ^ Self.mix(high) ^ (transport == .tcp ? 0 : 0x5555)
    }

    private static func mix(_ endpoint: Endpoint) -> UInt64 {
        var value: UInt64
        switch endpoint.address {
        case .v4(let address): value = UInt64(address)
        case .v6(let high, let low): value = high ^ (low &* 0xff51_afd7_ed55_8ccd)
        }
        value = (value << 16 | UInt64(endpoint.port)) &* 0xc4ce_b9fe_1a85_ec53
        return value ^ (value >> 29)
    }

    static func == (lhs: FlowKey, rhs: FlowKey) -> Bool {
        lhs.mix == rhs.mix && lhs.low == rhs.low && lhs.high == rhs.high && lhs.transport == rhs.transport
    }

    func hash(into hasher: inout Hasher) {
        hasher.combine(mix)
    }

    static func < (lhs: FlowKey, rhs: FlowKey) -> Bool {
        (lhs.transport.rawValue, lhs.low, lhs.high) < (rhs.transport.rawValue, rhs.low, rhs.high)
    }
}
