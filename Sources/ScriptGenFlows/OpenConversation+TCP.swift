import ScriptGenCapture

extension OpenConversation {
    /// Takes one TCP segment of this conversation.
    ///
    /// Policy, in the paper's spirit: only payload counts; bytes already delivered are
    /// duplicates (the first copy wins, disagreements are counted); data ahead of a hole waits
    /// until the hole is filled, or until the other side answers acknowledging past the hole,
    /// or the conversation ends — then the hole is recorded as a gap.
    mutating func receive(
        _ header: TCPHeader, payload: ArraySlice<UInt8>, missing: Int, from direction: Direction,
        at time: Timestamp, options: FlowOptions, statistics: inout FlowStatistics
    ) {
        if time > lastActivity { lastActivity = time }
        // One branch on the direction, then each stream is a plain inout: the log and the two
        // streams are disjoint stored properties, so no exclusivity check is needed at run time.
        let segment = TCPDirection.Segment(header: header, payload: payload, missing: missing, direction: direction, time: time)
        if direction == .client {
            TCPDirection.receive(segment, sender: &fromClient, peer: &fromServer, log: &log, options: options, statistics: &statistics)
        } else {
            TCPDirection.receive(segment, sender: &fromServer, peer: &fromClient, log: &log, options: options, statistics: &statistics)
        }
        if !payload.isEmpty || missing > 0 { lastPayloadTime = time }
        if header.flags.hasFIN {
            if direction == .client {
                clientFinished = true
            } else {
                if !serverFinished { serverFinishedFirst = closesFirst(header, at: time, options: options) }
                serverFinished = true
            }
        }
        if header.flags.hasRST {
            reset = true
        }
    }

    /// Whether the server's first FIN, `header`, closes the connection of the server's own
    /// accord: no RST came before it; the client had not closed, or had but the server had not
    /// seen it (its FIN does not acknowledge the client's: the two crossed, so the server
    /// closed without being asked); and it came at once after the last payload, not after an
    /// idle wait (`FlowOptions.maxServerCloseDelay`).
    private func closesFirst(_ header: TCPHeader, at time: Timestamp, options: FlowOptions) -> Bool {
        guard !reset, time.nanoseconds &- lastPayloadTime.nanoseconds <= options.maxServerCloseDelay else { return false }
        guard clientFinished else { return true }
        guard header.flags.hasACK, let clientFin = fromClient.finSequence else { return true }
        // The client's FIN takes one sequence number: acknowledging past it means it was seen.
        return Int32(bitPattern: header.acknowledgementNumber &- (clientFin &+ 1)) < 0
    }

    /// Delivers everything still waiting behind holes, recording the holes as gaps.
    mutating func flushPending(at time: Timestamp, options: FlowOptions, statistics: inout FlowStatistics) {
        fromClient.flush(.client, at: time, log: &log, options: options, statistics: &statistics)
        fromServer.flush(.server, at: time, log: &log, options: options, statistics: &statistics)
    }
}

extension TCPDirection {
    /// What reassembly needs of one segment.
    struct Segment {
        var header: TCPHeader
        var payload: ArraySlice<UInt8>
        var missing: Int
        var direction: Direction
        var time: Timestamp
    }

    /// A segment sent on `sender`'s side; `peer` is the other direction (its bytes may be
    /// acknowledged by this segment).
    @inline(__always)
    static func receive(
        _ segment: Segment, sender: inout TCPDirection, peer: inout TCPDirection, log: inout MessageLog,
        options: FlowOptions, statistics: inout FlowStatistics
    ) {
        let flags = segment.header.flags
        var dataSequence = segment.header.sequenceNumber
        if flags.hasSYN {
            // The SYN takes one sequence number; data (TCP Fast Open) follows it.
            dataSequence &+= 1
            sender.start(at: dataSequence)
        }
        let hasData = !segment.payload.isEmpty || segment.missing > 0
        if hasData && flags.hasACK && !flags.hasRST {
            // An answer that acknowledges the other side's bytes closes that side's message:
            // whatever of it was not captured by now never will be.
            peer.acknowledge(upTo: segment.header.acknowledgementNumber, of: segment.direction.reversed, at: segment.time,
                             log: &log, options: options, statistics: &statistics)
        }
        if hasData {
            sender.deliver(segment.payload, missing: segment.missing, sequence: dataSequence, from: segment.direction,
                           at: segment.time, log: &log, options: options, statistics: &statistics)
        }
        if flags.hasFIN, sender.finSequence == nil {
            sender.finSequence = dataSequence &+ UInt32(truncatingIfNeeded: segment.payload.count + segment.missing)
        }
    }

    /// Delivers everything still waiting behind holes, recording the holes as gaps.
    mutating func flush(_ direction: Direction, at time: Timestamp, log: inout MessageLog, options: FlowOptions, statistics: inout FlowStatistics) {
        while let next = nearestPending {
            skip(Int(max(0, distance(to: next))), of: direction, at: time, log: &log, statistics: &statistics)
            drainPending(of: direction, at: time, log: &log, options: options, statistics: &statistics)
        }
    }

    // MARK: - Reassembly steps

    /// Places one segment, then delivers whatever waiting segments it made ready — in a loop,
    /// not by recursion, so a long run of reordered segments cannot exhaust the stack.
    mutating func deliver(
        _ payload: ArraySlice<UInt8>, missing: Int, sequence: UInt32, from direction: Direction,
        at time: Timestamp, log: inout MessageLog, options: FlowOptions, statistics: inout FlowStatistics
    ) {
        place(payload, missing: missing, sequence: sequence, from: direction, at: time, log: &log, options: options, statistics: &statistics)
        if !pending.isEmpty {
            drainPending(of: direction, at: time, log: &log, options: options, statistics: &statistics)
        }
    }

    /// Appends in-order bytes (dropping what was delivered before) or queues a segment that
    /// arrived ahead of a hole. Never drains the queue.
    private mutating func place(
        _ payload: ArraySlice<UInt8>, missing: Int, sequence: UInt32, from direction: Direction,
        at time: Timestamp, log: inout MessageLog, options: FlowOptions, statistics: inout FlowStatistics
    ) {
        start(at: sequence)
        let offset = distance(to: sequence)
        let length = Int64(payload.count + missing)
        if offset + length <= 0 {
            statistics.conflictingOverlapBytes += log.compareOverlap(payload, endingBefore: -offset, of: direction, tail: contiguousTail)
            statistics.duplicateSegments += 1
            return
        }
        if offset > 0 {
            guard pending.count < options.maxOutOfOrderSegments else {
                // Past the limit the segment is dropped (counted); if data follows it, its bytes
                // become a recorded gap.
                statistics.outOfOrderSegmentsDropped += 1
                return
            }
            let room = max(0, options.maxBytesPerConversation - log.storedBytes)
            let kept = Array(payload.prefix(room))
            log.truncatedBytes += payload.count - kept.count
            log.storedBytes += kept.count
            enqueue(PendingSegment(sequence: sequence, bytes: kept, missing: missing + payload.count - kept.count))
            statistics.outOfOrderSegments += 1
            return
        }
        // Starts at or before the next expected byte: drop what was already delivered.
        let alreadySeen = Int(-offset)
        if alreadySeen > 0 {
            let overlap = payload.prefix(alreadySeen)
            statistics.conflictingOverlapBytes += log.compareOverlap(
                overlap, endingBefore: Int64(alreadySeen - overlap.count), of: direction, tail: contiguousTail)
        }
        let fresh = payload.dropFirst(alreadySeen)
        let freshMissing = missing - max(0, alreadySeen - payload.count)
        // Appends in-order bytes and advances the stream.
        let startsNewMessage = log.lastDirection != direction
        log.append(fresh, from: direction, at: time, limit: options.maxBytesPerConversation)
        log.recordGap(freshMissing, from: direction, at: time)
        advance(by: fresh.count, missing: freshMissing, startsNewMessage: startsNewMessage)
    }

    /// Moves the stream past `count` bytes that were never captured.
    mutating func skip(_ count: Int, of direction: Direction, at time: Timestamp, log: inout MessageLog, statistics: inout FlowStatistics) {
        guard count > 0 else { return }
        log.recordGap(count, from: direction, at: time)
        statistics.gapBytes += count
        nextSequence &+= UInt32(truncatingIfNeeded: count)
        contiguousTail = 0
    }

    /// Delivers waiting segments that the stream has now reached.
    mutating func drainPending(of direction: Direction, at time: Timestamp, log: inout MessageLog, options: FlowOptions, statistics: inout FlowStatistics) {
        while let segment = takeReadyPending() {
            log.storedBytes -= segment.bytes.count
            place(segment.bytes[...], missing: segment.missing, sequence: segment.sequence, from: direction,
                  at: time, log: &log, options: options, statistics: &statistics)
        }
    }

    /// The other side acknowledged `ack`: bytes of this direction before it reached the peer.
    mutating func acknowledge(upTo ack: UInt32, of direction: Direction, at time: Timestamp, log: inout MessageLog, options: FlowOptions, statistics: inout FlowStatistics) {
        guard started else { return }
        var reach = distance(to: ack)
        guard reach > 0 else { return }
        if let fin = finSequence, distance(to: fin) < reach {
            reach = distance(to: fin)   // the FIN's own sequence number is no data
        }
        // A bogus or far-away acknowledgement (larger than anything we would keep) is ignored.
        guard reach > 0, reach <= Int64(options.maxBytesPerConversation) else { return }
        if let firstPending = nearestPending.map({ distance(to: $0) }) {
            skip(Int(min(reach, firstPending)), of: direction, at: time, log: &log, statistics: &statistics)
            drainPending(of: direction, at: time, log: &log, options: options, statistics: &statistics)
        } else if reach > 1 || finSequence != nil {
            // Tail loss. A difference of exactly one may be an uncaptured FIN, not data.
            skip(Int(reach), of: direction, at: time, log: &log, statistics: &statistics)
        }
    }
}
