import ScriptGenCapture

extension OpenConversation {
    /// Takes one TCP segment of this conversation.
    ///
    /// Policy, in the paper's spirit: only payload counts; bytes already delivered are
    /// duplicates (the first copy wins, disagreements are counted); data ahead of a hole waits
    /// until the hole is filled, or until the other side answers acknowledging past the hole,
    /// or the conversation ends — then the hole is recorded as a gap.
    func receive(
        _ header: TCPHeader, payload: ArraySlice<UInt8>, missing: Int, from direction: Direction,
        at time: Timestamp, options: FlowOptions, statistics: inout FlowStatistics
    ) {
        if time > lastActivity { lastActivity = time }
        var dataSequence = header.sequenceNumber
        if header.flags.contains(.syn) {
            // The SYN takes one sequence number; data (TCP Fast Open) follows it.
            dataSequence &+= 1
            withStream(direction) { stream in
                if !stream.started {
                    stream.started = true
                    stream.nextSequence = dataSequence
                }
            }
        }
        let hasData = !payload.isEmpty || missing > 0
        if hasData && header.flags.contains(.ack) && !header.flags.contains(.rst) {
            // An answer that acknowledges the other side's bytes closes that side's message:
            // whatever of it was not captured by now never will be.
            acknowledge(upTo: header.acknowledgementNumber, of: direction.reversed, at: time, options: options, statistics: &statistics)
        }
        if hasData {
            deliver(payload, missing: missing, sequence: dataSequence, from: direction, at: time, options: options, statistics: &statistics)
        }
        if header.flags.contains(.fin) {
            let finSequence = dataSequence &+ UInt32(truncatingIfNeeded: payload.count + missing)
            withStream(direction) { stream in
                if stream.finSequence == nil { stream.finSequence = finSequence }
            }
            if direction == .client { clientFinished = true } else { serverFinished = true }
        }
        if header.flags.contains(.rst) {
            reset = true
        }
    }

    /// Delivers everything still waiting behind holes, recording the holes as gaps.
    func flushPending(at time: Timestamp, options: FlowOptions, statistics: inout FlowStatistics) {
        for direction in [Direction.client, .server] {
            while let next = withStream(direction, { stream in
                stream.pending.min { stream.distance(to: $0.sequence) < stream.distance(to: $1.sequence) }
            }) {
                let hole = withStream(direction) { Int(max(0, $0.distance(to: next.sequence))) }
                skip(hole, of: direction, at: time, statistics: &statistics)
                drainPending(of: direction, at: time, options: options, statistics: &statistics)
            }
        }
    }

    // MARK: - Reassembly steps

    /// Runs `body` on the stream of `direction` in place (no copy of its buffers).
    @discardableResult
    func withStream<Result>(_ direction: Direction, _ body: (inout TCPDirection) -> Result) -> Result {
        direction == .client ? body(&fromClient) : body(&fromServer)
    }

    private func deliver(
        _ payload: ArraySlice<UInt8>, missing: Int, sequence: UInt32, from direction: Direction,
        at time: Timestamp, options: FlowOptions, statistics: inout FlowStatistics
    ) {
        let stream = withStream(direction) { stream -> TCPDirection in
            if !stream.started {
                stream.started = true
                stream.nextSequence = sequence
            }
            return TCPDirection(started: true, nextSequence: stream.nextSequence, contiguousTail: stream.contiguousTail)
        }
        let offset = stream.distance(to: sequence)
        let length = Int64(payload.count + missing)
        if offset + length <= 0 {
            compareOverlap(payload, endingBefore: -offset, of: direction, tail: stream.contiguousTail, statistics: &statistics)
            statistics.duplicateSegments += 1
            return
        }
        if offset > 0 {
            let room = max(0, options.maxBytesPerConversation - storedBytes)
            let kept = Array(payload.prefix(room))
            truncatedBytes += payload.count - kept.count
            storedBytes += kept.count
            withStream(direction) { stream in
                stream.pending.append(.init(sequence: sequence, bytes: kept, missing: missing + payload.count - kept.count))
                stream.pendingBytes += kept.count
            }
            statistics.outOfOrderSegments += 1
            return
        }
        // Starts at or before the next expected byte: drop what was already delivered.
        let alreadySeen = Int(-offset)
        let overlap = payload.prefix(alreadySeen)
        compareOverlap(overlap, endingBefore: Int64(alreadySeen - overlap.count), of: direction, tail: stream.contiguousTail, statistics: &statistics)
        let fresh = payload.dropFirst(alreadySeen)
        let freshMissing = missing - max(0, alreadySeen - payload.count)
        accept(fresh, missing: freshMissing, from: direction, at: time, options: options)
        drainPending(of: direction, at: time, options: options, statistics: &statistics)
    }

    /// Appends in-order bytes and advances the stream.
    private func accept(_ bytes: ArraySlice<UInt8>, missing: Int, from direction: Direction, at time: Timestamp, options: FlowOptions) {
        let startsNewMessage = messages.last?.direction != direction
        append(bytes, from: direction, at: time, limit: options.maxBytesPerConversation)
        recordGap(missing, from: direction, at: time)
        withStream(direction) { stream in
            stream.nextSequence &+= UInt32(truncatingIfNeeded: bytes.count + missing)
            if missing > 0 {
                stream.contiguousTail = 0
            } else {
                stream.contiguousTail = (startsNewMessage ? 0 : stream.contiguousTail) + bytes.count
            }
        }
    }

    /// Moves the stream past `count` bytes that were never captured.
    private func skip(_ count: Int, of direction: Direction, at time: Timestamp, statistics: inout FlowStatistics) {
        guard count > 0 else { return }
        recordGap(count, from: direction, at: time)
        statistics.gapBytes += count
        withStream(direction) { stream in
            stream.nextSequence &+= UInt32(truncatingIfNeeded: count)
            stream.contiguousTail = 0
        }
    }

    /// Delivers waiting segments that the stream has now reached.
    private func drainPending(of direction: Direction, at time: Timestamp, options: FlowOptions, statistics: inout FlowStatistics) {
        while true {
            let ready = withStream(direction) { stream -> TCPDirection.PendingSegment? in
                guard let index = stream.pending.indices.min(by: {
                    stream.distance(to: stream.pending[$0].sequence) < stream.distance(to: stream.pending[$1].sequence)
                }), stream.distance(to: stream.pending[index].sequence) <= 0 else { return nil }
                let segment = stream.pending.remove(at: index)
                stream.pendingBytes -= segment.bytes.count
                return segment
            }
            guard let segment = ready else { return }
            storedBytes -= segment.bytes.count
            deliver(segment.bytes[...], missing: segment.missing, sequence: segment.sequence, from: direction, at: time, options: options, statistics: &statistics)
        }
    }

    /// The other side acknowledged `ack`: bytes of `direction` before it reached the peer.
    private func acknowledge(upTo ack: UInt32, of direction: Direction, at time: Timestamp, options: FlowOptions, statistics: inout FlowStatistics) {
        let (started, reach, firstPending) = withStream(direction) { stream -> (Bool, Int64, Int64?) in
            var reach = stream.distance(to: ack)
            if let fin = stream.finSequence, stream.distance(to: fin) < reach {
                reach = stream.distance(to: fin)   // the FIN's own sequence number is no data
            }
            let firstPending = stream.pending.map { stream.distance(to: $0.sequence) }.min()
            return (stream.started, reach, firstPending)
        }
        // A bogus or far-away acknowledgement (larger than anything we would keep) is ignored.
        guard started, reach > 0, reach <= Int64(options.maxBytesPerConversation) else { return }
        if let firstPending {
            skip(Int(min(reach, firstPending)), of: direction, at: time, statistics: &statistics)
            drainPending(of: direction, at: time, options: options, statistics: &statistics)
        } else if reach > 1 || withStream(direction, { $0.finSequence != nil }) {
            // Tail loss. A difference of exactly one may be an uncaptured FIN, not data.
            skip(Int(reach), of: direction, at: time, statistics: &statistics)
        }
    }

    /// Counts retransmitted bytes that disagree with the copy delivered first.
    /// `endingBefore` is how far before the stream's next byte the overlap ends.
    private func compareOverlap(_ bytes: ArraySlice<UInt8>, endingBefore: Int64, of direction: Direction, tail: Int, statistics: inout FlowStatistics) {
        guard !bytes.isEmpty, let last = messages.last, last.direction == direction else { return }
        let end = last.payload.count - Int(endingBefore)
        let start = end - bytes.count
        // Only bytes still in the contiguous tail of the current message can be compared.
        guard start >= last.payload.count - tail, start >= 0, end <= last.payload.count else { return }
        var differing = 0
        for (old, new) in zip(last.payload[start..<end], bytes) where old != new { differing += 1 }
        conflictingOverlapBytes += differing
        statistics.conflictingOverlapBytes += differing
    }
}
