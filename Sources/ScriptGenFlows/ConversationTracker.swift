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

    private enum Slot {
        case open(OpenConversation)
        /// Recently closed: stray packets until `until` are absorbed; a SYN starts anew.
        case closed(until: Timestamp)
    }

    private var table: [FlowKey: Slot] = [:]
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
        let keys = table.keys.sorted { lhs, rhs in
            guard case .open(let a) = table[lhs]!, case .open(let b) = table[rhs]! else {
                return openFirst(table[lhs]!, table[rhs]!)
            }
            return (a.start, a.client, a.server) < (b.start, b.client, b.server)
        }
        for key in keys {
            guard case .open(let conversation) = table[key]! else { continue }
            let reason: ConversationEnd = conversation.isComplete || conversation.clientFinished || conversation.serverFinished
                ? conversation.endReason : .endOfCapture
            try close(key, reason: reason, emit: emit)
        }
        table.removeAll()
    }

    private func openFirst(_ lhs: Slot, _ rhs: Slot) -> Bool {
        if case .open = lhs, case .closed = rhs { return true }
        return false
    }

    // MARK: - TCP

    private mutating func processTCP(
        _ packet: DecodedPacket, key: FlowKey, source: Endpoint, destination: Endpoint,
        captureIndex: Int, emit: (Conversation) throws -> Void
    ) rethrows {
        guard let header = packet.tcp else { return }
        let isInitialSYN = header.flags.contains(.syn) && !header.flags.contains(.ack)
        var conversation: OpenConversation?
        if let index = table.index(forKey: key) {
            switch table.values[index] {
            case .closed(let until):
                if !isInitialSYN {
                    statistics.packetsAfterClose += 1
                    // Data long after the close opens a new mid-stream conversation below.
                    if packet.timestamp <= until || (packet.payload.isEmpty && packet.missingPayloadBytes == 0) { return }
                }
                table.remove(at: index)
            case .open(let open):
                let fromClient = open.direction(ofPacketFrom: source.address, port: source.port) == .client
                if isInitialSYN, fromClient, open.fromClient.started,
                   header.sequenceNumber &+ 1 != open.fromClient.nextSequence || !open.messages.isEmpty {
                    // A new connection reuses the 4-tuple of one whose end we did not see.
                    try close(key, reason: open.endReason, emit: emit)
                    table[key] = nil
                } else if isInitialSYN, !fromClient {
                    // The other side opens a connection on the same tuple (rare): treat as reuse.
                    try close(key, reason: open.endReason, emit: emit)
                    table[key] = nil
                } else {
                    conversation = open
                }
            }
        }
        if conversation == nil {
            guard let opened = openTCP(packet, header: header, source: source, destination: destination, captureIndex: captureIndex) else { return }
            table[key] = .open(opened)
            openCount += 1
            statistics.peakOpenConversations = max(statistics.peakOpenConversations, openCount)
            conversation = opened
        }
        guard let conversation else { return }
        let before = conversation.storedBytes
        let direction = conversation.direction(ofPacketFrom: source.address, port: source.port)
        conversation.receive(header, payload: packet.payload, missing: packet.missingPayloadBytes, from: direction,
                             at: packet.timestamp, options: options, statistics: &statistics)
        storedBytes += conversation.storedBytes - before
        if conversation.isComplete {
            try close(key, reason: conversation.endReason, emit: emit)
        }
    }

    /// Starts a conversation from its first packet, deciding which side is the server.
    private mutating func openTCP(_ packet: DecodedPacket, header: TCPHeader, source: Endpoint, destination: Endpoint, captureIndex: Int) -> OpenConversation? {
        let flags = header.flags
        let client: Endpoint, server: Endpoint, handshake: Bool, inferred: Bool
        if flags.contains(.syn) && !flags.contains(.ack) {
            (client, server, handshake, inferred) = (source, destination, true, false)
        } else if flags.contains(.syn) {
            // SYN-ACK: its sender is the server; the client's SYN was not captured.
            (client, server, handshake, inferred) = (destination, source, true, false)
        } else {
            if options.requireHandshake {
                statistics.droppedWithoutHandshake += 1
                return nil
            }
            if flags.contains(.rst) && packet.payload.isEmpty {
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
        var conversation: OpenConversation?
        if case .open(let existing) = table[key] {
            if packet.timestamp.nanoseconds &- existing.lastActivity.nanoseconds > options.udpIdleTimeout {
                try close(key, reason: .timeout, emit: emit)
            } else {
                conversation = existing
            }
        }
        if conversation == nil {
            let sourceIsServer = Self.looksLikeServer(source.port, comparedTo: destination.port) && source.port < 1024
            let (client, server) = sourceIsServer ? (destination, source) : (source, destination)
            let opened = OpenConversation(transport: .udp, client: client, server: server, start: packet.timestamp,
                                          handshakeSeen: false, serverInferred: sourceIsServer, captureIndex: captureIndex)
            table[key] = .open(opened)
            openCount += 1
            statistics.peakOpenConversations = max(statistics.peakOpenConversations, openCount)
            conversation = opened
        }
        guard let conversation else { return }
        let before = conversation.storedBytes
        if packet.timestamp > conversation.lastActivity { conversation.lastActivity = packet.timestamp }
        let direction = conversation.direction(ofPacketFrom: source.address, port: source.port)
        // Every datagram is its own message, even two in a row from one side.
        conversation.messages.append(Message(direction: direction, payload: [], timestamp: packet.timestamp))
        conversation.append(packet.payload, from: direction, at: packet.timestamp, limit: options.maxBytesPerConversation)
        conversation.recordGap(packet.missingPayloadBytes, from: direction, at: packet.timestamp)
        statistics.gapBytes += packet.missingPayloadBytes
        storedBytes += conversation.storedBytes - before
    }

    // MARK: - Ending conversations

    private mutating func close(_ key: FlowKey, reason: ConversationEnd, emit: (Conversation) throws -> Void) rethrows {
        guard case .open(let conversation) = table[key] else { return }
        table[key] = conversation.transport == .tcp
            ? .closed(until: conversation.lastActivity.adding(nanoseconds: options.closedLinger)) : nil
        openCount -= 1
        storedBytes -= conversation.storedBytes
        conversation.flushPending(at: conversation.lastActivity, options: options, statistics: &statistics)
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
        var forgotten: [FlowKey] = []
        for (key, slot) in table {
            switch slot {
            case .closed(let until):
                if until < now { forgotten.append(key) }
            case .open(let conversation):
                let timeout = conversation.transport == .tcp ? options.tcpIdleTimeout : options.udpIdleTimeout
                if now.nanoseconds &- conversation.lastActivity.nanoseconds > timeout {
                    let reason: ConversationEnd = conversation.transport == .udp ? .timeout : conversation.endReason
                    expired.append((conversation.start, key, reason))
                }
            }
        }
        for key in forgotten { table[key] = nil }
        // Deterministic hand-off order: by start time, then endpoints.
        for (_, key, reason) in expired.sorted(by: { ($0.0, $0.1) < ($1.0, $1.1) }) {
            try close(key, reason: reason, emit: emit)
        }
    }

    /// Hands on the least recently active eighth of the open conversations.
    private mutating func evictLeastRecentlyActive(emit: (Conversation) throws -> Void) rethrows {
        var candidates: [(Timestamp, FlowKey)] = []
        candidates.reserveCapacity(openCount)
        for (key, slot) in table {
            if case .open(let conversation) = slot { candidates.append((conversation.lastActivity, key)) }
        }
        candidates.sort { ($0.0, $0.1) < ($1.0, $1.1) }
        let count = max(1, candidates.count / 8)
        for (_, key) in candidates.prefix(count) {
            try close(key, reason: .evicted, emit: emit)
        }
    }
}

/// A conversation's identity regardless of direction: the two endpoints in a fixed order.
struct FlowKey: Hashable, Comparable {
    var transport: TransportProtocol
    var low: Endpoint
    var high: Endpoint
    /// A cheap mix of the fields, fed to the dictionary's hasher as one word: hashing the
    /// nested enums field by field cost more than the rest of a packet's reassembly.
    private var mix: UInt64

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
