/// The quiet-time deadlines of one event loop, earliest first. Entries are never removed
/// early: a connection that re-arms or closes leaves its old entry, which the loop recognises
/// as stale (another generation or deadline) when it comes up.
struct DeadlineHeap {
    struct Entry: Equatable {
        var deadline: Int64
        var descriptor: Int32
        var generation: UInt32
    }

    private(set) var entries: [Entry] = []

    var first: Entry? { entries.first }
    var isEmpty: Bool { entries.isEmpty }

    mutating func insert(_ entry: Entry) {
        entries.append(entry)
        var child = entries.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            if entries[parent].deadline <= entries[child].deadline { break }
            entries.swapAt(parent, child)
            child = parent
        }
    }

    /// Removes and returns the earliest entry.
    @discardableResult
    mutating func removeFirst() -> Entry {
        let first = entries[0]
        let last = entries.removeLast()
        guard !entries.isEmpty else { return first }
        entries[0] = last
        var parent = 0
        while true {
            let left = 2 * parent + 1
            guard left < entries.count else { break }
            let right = left + 1
            let child = right < entries.count && entries[right].deadline < entries[left].deadline ? right : left
            if entries[parent].deadline <= entries[child].deadline { break }
            entries.swapAt(parent, child)
            parent = child
        }
        return first
    }
}
