import ScriptGenCapture

/// The messages of a conversation being reassembled, with the byte counts that go with them.
///
/// Kept apart from the per-direction TCP state so that a direction's reassembly can update
/// both at once (two disjoint stored properties of one struct, checked at compile time).
struct MessageLog {
    var messages: [Message] = []
    /// Payload bytes held: message payloads plus out-of-order segments.
    var storedBytes = 0
    var gapBytes = 0
    var conflictingOverlapBytes = 0
    var truncatedBytes = 0

    /// The direction of the message being built, nil before the first one.
    @inline(__always)
    var lastDirection: Direction? {
        messages.isEmpty ? nil : messages[messages.count - 1].direction
    }

    /// Appends bytes to the current message of `direction`, or starts a new one.
    mutating func append(_ bytes: ArraySlice<UInt8>, from direction: Direction, at time: Timestamp, limit: Int) {
        guard !bytes.isEmpty else { return }
        let room = max(0, limit - storedBytes)
        let kept = bytes.prefix(room)
        truncatedBytes += bytes.count - kept.count
        storedBytes += kept.count
        if lastDirection != direction {
            // A new message's payload is allocated at its first segment's size.
            startMessage(Message(direction: direction, payload: Array(kept), timestamp: time))
            return
        }
        guard !kept.isEmpty else { return }
        messages[messages.count - 1].payload.append(contentsOf: kept)
    }

    /// Appends one UDP datagram as a message of its own, even two in a row from one side.
    mutating func appendDatagram(_ payload: ArraySlice<UInt8>, missing: Int, from direction: Direction, at time: Timestamp, limit: Int) {
        let kept = payload.prefix(max(0, limit - storedBytes))
        truncatedBytes += payload.count - kept.count
        storedBytes += kept.count
        let gap = max(0, missing)
        startMessage(Message(direction: direction, payload: Array(kept), timestamp: time, gapBytes: gap))
        gapBytes += gap
    }

    /// Most conversations have a handful of messages: room for four at the first one saves
    /// the reallocations of growing one by one.
    @inline(__always)
    private mutating func startMessage(_ message: Message) {
        if messages.isEmpty { messages.reserveCapacity(4) }
        messages.append(message)
    }

    /// Records bytes of `direction` that the capture never had.
    mutating func recordGap(_ count: Int, from direction: Direction, at time: Timestamp) {
        guard count > 0 else { return }
        if lastDirection != direction {
            startMessage(Message(direction: direction, payload: [], timestamp: time))
        }
        messages[messages.count - 1].gapBytes += count
        gapBytes += count
    }

    /// Counts retransmitted bytes that disagree with the copy delivered first; returns how many.
    /// `endingBefore` is how far before the end of the current message the overlap ends, and
    /// only the last `tail` bytes of the message (contiguous up to the stream) are comparable.
    mutating func compareOverlap(_ bytes: ArraySlice<UInt8>, endingBefore: Int64, of direction: Direction, tail: Int) -> Int {
        guard !bytes.isEmpty, lastDirection == direction else { return 0 }
        let differing = messages[messages.count - 1].payload.withUnsafeBufferPointer { last -> Int in
            let end = last.count - Int(endingBefore)
            let start = end - bytes.count
            guard start >= last.count - tail, start >= 0, end <= last.count else { return 0 }
            var differing = 0
            for (old, new) in zip(last[start..<end], bytes) where old != new { differing += 1 }
            return differing
        }
        conflictingOverlapBytes += differing
        return differing
    }
}
