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
}

