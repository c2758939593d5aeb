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
    /// Segments that arrived ahead of a hole, waiting for it to be filled.
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
        guard let index = nearestPendingIndex else { return nil }
        return pending[index].sequence
    }

    private var nearestPendingIndex: Int? {
        guard !pending.isEmpty else { return nil }
        var best = 0
        var bestDistance = distance(to: pending[0].sequence)
        for index in pending.indices.dropFirst() {
            let candidate = distance(to: pending[index].sequence)
            if candidate < bestDistance { (best, bestDistance) = (index, candidate) }
        }
        return best
    }

    /// Removes and returns the nearest waiting segment if the stream has reached it.
    mutating func takeReadyPending() -> PendingSegment? {
        guard let index = nearestPendingIndex, distance(to: pending[index].sequence) <= 0 else { return nil }
        let segment = pending.remove(at: index)
        pendingBytes -= segment.bytes.count
        return segment
    }
}

