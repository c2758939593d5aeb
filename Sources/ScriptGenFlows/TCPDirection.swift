import ScriptGenCapture

/// Reassembly state of one direction of a TCP conversation.
///
/// Positions are 32-bit sequence numbers compared through their signed difference with
/// `nextSequence`, which handles wraparound as long as a conversation's reordering window
/// stays under 2 GiB (TCP's own assumption).
struct TCPDirection {
    /// Whether `nextSequence` is known (from the SYN or the first data segment).
    var started = false
    /// The sequence number of the next byte to deliver.
    var nextSequence: UInt32 = 0
    /// Segments that arrived ahead of a hole, waiting for it to be filled, sorted from the
    /// farthest to the nearest (so the next one to deliver is `last`; among segments at the
    /// same place the one that arrived first is nearer the end). Sorting by distance is stable
    /// as the stream advances: every distance shrinks by the same amount.
    var pending: [PendingSegment] = []
    var pendingBytes = 0
    /// Sequence number of this side's FIN, once seen.
    var finSequence: UInt32?

    struct PendingSegment {
        var sequence: UInt32
        var bytes: [UInt8]
        /// Sequence space after `bytes` that the capture cut (snaplen).
        var missing: Int
    }

    /// Signed distance from the next expected byte to `sequence`.
    func distance(to sequence: UInt32) -> Int64 {
        Int64(Int32(bitPattern: sequence &- nextSequence))
    }

    /// Bytes at the end of the current message that run contiguously up to `nextSequence`
    /// (what a retransmission can be compared against).
    var contiguousTail = 0

    /// Sets the first sequence number, unless already known.
    @inline(__always)
    mutating func start(at sequence: UInt32) {
        if !started {
            started = true
            nextSequence = sequence
        }
    }

    /// Moves past `count` delivered bytes and `missing` uncaptured ones.
    @inline(__always)
    mutating func advance(by count: Int, missing: Int, startsNewMessage: Bool) {
        nextSequence &+= UInt32(truncatingIfNeeded: count + missing)
        if missing > 0 {
            contiguousTail = 0
        } else {
            contiguousTail = (startsNewMessage ? 0 : contiguousTail) + count
        }
    }

    /// The sequence number of the waiting segment nearest the stream (the first of equals).
    var nearestPending: UInt32? {
        pending.last?.sequence
    }

    /// Queues a segment that arrived ahead of a hole, keeping the order (binary search).
    mutating func enqueue(_ segment: PendingSegment) {
        let key = distance(to: segment.sequence)
        var low = 0, high = pending.count
        // The first index whose distance is at most `key`: the new segment goes before its
        // equals, so the earlier arrivals stay nearer the end and are delivered first.
        while low < high {
            let middle = (low + high) / 2
            if distance(to: pending[middle].sequence) > key { low = middle + 1 } else { high = middle }
        }
        pending.insert(segment, at: low)
        pendingBytes += segment.bytes.count
    }

    /// Removes and returns the nearest waiting segment if the stream has reached it.
    mutating func takeReadyPending() -> PendingSegment? {
        guard let last = pending.last, distance(to: last.sequence) <= 0 else { return nil }
        pending.removeLast()
        pendingBytes -= last.bytes.count
        return last
    }
}

