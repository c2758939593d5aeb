/// Bounded IP fragment reassembly (IPv4 and IPv6), driven by capture time.
///
/// Datagrams are keyed by (source, destination, identification, upper protocol). Overlaps
/// follow one policy: bytes that arrived first win; later fragments only fill holes. The
/// datagram's length comes from the first fragment seen without "more fragments".
struct FragmentReassembler {
    struct Key: Hashable {
        var source: IPAddress
        var destination: IPAddress
        var identification: UInt32
        var transport: UInt8
    }

    enum Result {
        case pending
        case complete([UInt8])
        case discarded(SkipReason)
    }

    fileprivate struct Datagram {
        var bytes: [UInt8] = []
        /// Sorted, merged, non-adjacent ranges of `bytes` that hold received data.
        var covered: [Range<Int>] = []
        var totalLength: Int?
        var fragments = 0
        var deadline: Int64
    }

    let options: PacketDecoder.Options
    private var pending: [Key: Datagram] = [:]
    private var nextDeadline = Int64.max
    private(set) var discarded: [SkipReason: Int] = [:]

    init(options: PacketDecoder.Options) {
        self.options = options
    }

    var pendingDatagramCount: Int { pending.count }
    var pendingFragmentCount: Int { pending.values.reduce(0) { $0 + $1.fragments } }

    /// Drops datagrams whose deadline passed before `now` (capture time).
    @inline(__always)
    mutating func expire(now: Timestamp) {
        guard now.nanoseconds > nextDeadline else { return }
        expireSlow(now: now.nanoseconds)
    }

    private mutating func expireSlow(now: Int64) {
        var earliest = Int64.max
        for (key, datagram) in pending {
            if datagram.deadline < now {
                discarded[.fragmentTimeout, default: 0] += datagram.fragments
                pending[key] = nil
            } else {
                earliest = min(earliest, datagram.deadline)
            }
        }
        nextDeadline = earliest
    }

    /// Counts every datagram still pending as incomplete and forgets it.
    mutating func finish() {
        for datagram in pending.values {
            discarded[.fragmentIncomplete, default: 0] += datagram.fragments
        }
        pending.removeAll()
        nextDeadline = .max
    }

    mutating func add(_ key: Key, offset: Int, payload: ArraySlice<UInt8>, moreFragments: Bool, timestamp: Timestamp) -> Result {
        let fragmentEnd = offset + payload.count
        var datagram: Datagram
        if let existing = pending.removeValue(forKey: key) {
            datagram = existing
        } else {
            if pending.count >= options.maxPendingDatagrams { evictOldest() }
            guard options.maxPendingDatagrams > 0 else { return .discarded(.fragmentLimit) }
            datagram = Datagram(deadline: timestamp.nanoseconds &+ options.fragmentTimeout)
            nextDeadline = min(nextDeadline, datagram.deadline)
        }
        datagram.fragments += 1
        guard fragmentEnd <= options.maxDatagramBytes, datagram.fragments <= options.maxFragmentsPerDatagram else {
            discarded[.fragmentLimit, default: 0] += datagram.fragments - 1
            return .discarded(.fragmentLimit)
        }
        if !moreFragments && datagram.totalLength == nil {
            datagram.totalLength = fragmentEnd
        }
        if datagram.bytes.count < fragmentEnd {
            datagram.bytes.append(contentsOf: repeatElement(0, count: fragmentEnd - datagram.bytes.count))
        }
        datagram.fill(offset..<fragmentEnd, from: payload)
        if let total = datagram.totalLength, let first = datagram.covered.first,
           first.lowerBound == 0, first.upperBound >= total {
            return .complete(Array(datagram.bytes[0..<total]))
        }
        pending[key] = datagram
        return .pending
    }

    private mutating func evictOldest() {
        guard let oldest = pending.min(by: { $0.value.deadline < $1.value.deadline }) else { return }
        discarded[.fragmentLimit, default: 0] += oldest.value.fragments
        pending[oldest.key] = nil
    }
}

extension FragmentReassembler.Datagram {
    /// Copies the parts of `range` not yet covered (first-arrived bytes win), then merges.
    mutating func fill(_ range: Range<Int>, from payload: ArraySlice<UInt8>) {
        guard !range.isEmpty else { return }
        let base = payload.startIndex - range.lowerBound
        var cursor = range.lowerBound
        var merged: [Range<Int>] = []
        merged.reserveCapacity(covered.count + 1)
        var newRange = range
        for existing in covered {
            if existing.upperBound < newRange.lowerBound || existing.lowerBound > newRange.upperBound {
                merged.append(existing)
                continue
            }
            // Overlapping or adjacent: copy the hole before it, then absorb it.
            if cursor < existing.lowerBound {
                let holeEnd = min(existing.lowerBound, range.upperBound)
                if cursor < holeEnd { bytes.replaceSubrange(cursor..<holeEnd, with: payload[(base + cursor)..<(base + holeEnd)]) }
            }
            cursor = max(cursor, existing.upperBound)
            newRange = min(newRange.lowerBound, existing.lowerBound)..<max(newRange.upperBound, existing.upperBound)
        }
        if cursor < range.upperBound {
            bytes.replaceSubrange(cursor..<range.upperBound, with: payload[(base + cursor)..<(base + range.upperBound)])
        }
        merged.append(newRange)
        merged.sort { $0.lowerBound < $1.lowerBound }
        covered = merged
    }
}
