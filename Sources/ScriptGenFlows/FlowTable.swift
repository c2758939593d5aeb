import ScriptGenCapture

/// The tracker's index of 4-tuples: open conversations and recently closed tuples.
///
/// Open addressing with linear probing over 8-byte buckets (a tag from the key's hash and an
/// entry number), entries in a dense array whose free places are reused, and backward-shift
/// deletion (no tombstones). Every packet does one lookup here: this replaces a `Dictionary`
/// whose generic hashing and probing cost more than the rest of the packet's reassembly.
struct FlowTable {
    struct Entry {
        var key: FlowKey
        /// Index into the tracker's conversations, or -1 for a closed tuple.
        var conversation: Int32
        /// For a closed tuple: stray packets until then are absorbed.
        var closedUntil: Timestamp
        /// False for a free place in `entries`.
        var inUse: Bool
    }

    /// Entries by number; free places are listed in `freeEntries`.
    private(set) var entries: [Entry] = []
    private var freeEntries: [Int32] = []
    /// 0 is empty; otherwise the hash tag in the high 32 bits, entry number + 1 in the low 32.
    private var buckets: [UInt64]
    private var shift: UInt64
    private(set) var count = 0

    init(minimumCapacity: Int = 1 << 12) {
        var capacity = 16
        while capacity < minimumCapacity * 2 { capacity <<= 1 }
        buckets = [UInt64](repeating: 0, count: capacity)
        shift = UInt64(64 - capacity.trailingZeroBitCount)
    }

    /// Fibonacci hashing: the top bits of the product are well mixed.
    @inline(__always)
    private func home(_ mix: UInt64) -> Int {
        Int(truncatingIfNeeded: (mix &* 0x9e37_79b9_7f4a_7c15) >> shift)
    }

    @inline(__always)
    private static func tag(_ mix: UInt64) -> UInt64 {
        mix << 32
    }

    /// The entry number of `key`, or nil.
    @inline(__always)
    func find(_ key: FlowKey) -> Int? {
        let mask = buckets.count - 1
        let tag = Self.tag(key.mix)
        var position = home(key.mix)
        return buckets.withUnsafeBufferPointer { buckets in
            entries.withUnsafeBufferPointer { entries in
                while true {
                    let bucket = buckets[position]
                    if bucket == 0 { return nil }
                    if bucket & 0xffff_ffff_0000_0000 == tag {
                        let index = Int(truncatingIfNeeded: bucket & 0xffff_ffff) - 1
                        if entries[index].key == key { return index }
                    }
                    position = (position + 1) & mask
                }
            }
        }
    }

    /// Adds `key`, which must not be present; returns its entry number.
    @discardableResult
    mutating func insert(_ key: FlowKey, conversation: Int32, closedUntil: Timestamp = Timestamp(nanoseconds: 0)) -> Int {
        if (count + 1) * 2 > buckets.count { grow() }
        let entry = Entry(key: key, conversation: conversation, closedUntil: closedUntil, inUse: true)
        let index: Int
        if let free = freeEntries.popLast() {
            index = Int(free)
            entries[index] = entry
        } else {
            index = entries.count
            entries.append(entry)
        }
        place(mix: key.mix, entry: index)
        count += 1
        return index
    }

    private mutating func place(mix: UInt64, entry: Int) {
        let mask = buckets.count - 1
        var position = home(mix)
        while buckets[position] != 0 { position = (position + 1) & mask }
        buckets[position] = Self.tag(mix) | UInt64(entry + 1)
    }

    /// Marks a tuple closed (its conversation handed on) until `until`.
    mutating func close(entry index: Int, until: Timestamp) {
        entries[index].conversation = -1
        entries[index].closedUntil = until
    }

    mutating func setConversation(_ conversation: Int32, ofEntry index: Int) {
        entries[index].conversation = conversation
    }

    /// Removes entry `index` (which must be in use).
    mutating func remove(entry index: Int) {
        let mask = buckets.count - 1
        let mix = entries[index].key.mix
        var position = home(mix)
        let wanted = Self.tag(mix) | UInt64(index + 1)
        while buckets[position] != wanted { position = (position + 1) & mask }
        // Backward shift: pull later members of the probe run into the hole so that every
        // remaining key stays reachable from its home without tombstones.
        var hole = position
        var next = (hole + 1) & mask
        while buckets[next] != 0 {
            let nextEntry = Int(truncatingIfNeeded: buckets[next] & 0xffff_ffff) - 1
            let nextHome = home(entries[nextEntry].key.mix)
            // Movable when its home is not in (hole, next] (cyclically).
            if (next - nextHome) & mask >= (next - hole) & mask {
                buckets[hole] = buckets[next]
                hole = next
            }
            next = (next + 1) & mask
        }
        buckets[hole] = 0
        entries[index].inUse = false
        entries[index].conversation = -1
        freeEntries.append(Int32(index))
        count -= 1
    }

    /// Forgets everything (keeps the storage).
    mutating func removeAll() {
        for position in buckets.indices { buckets[position] = 0 }
        entries.removeAll(keepingCapacity: true)
        freeEntries.removeAll(keepingCapacity: true)
        count = 0
    }

    private mutating func grow() {
        let capacity = buckets.count * 2
        buckets = [UInt64](repeating: 0, count: capacity)
        shift = UInt64(64 - capacity.trailingZeroBitCount)
        for index in entries.indices where entries[index].inUse {
            place(mix: entries[index].key.mix, entry: index)
        }
    }
}
