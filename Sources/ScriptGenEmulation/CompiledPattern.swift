import ScriptGenModel

/// A `Pattern` prepared for fast matching against requests.
///
/// The pattern is normalised into a leading gap followed by segments of (fixed bytes, gap):
/// adjacent fixed elements are joined, adjacent gaps are summed, empty elements dropped, and
/// malformed gaps repaired (`min` below 0 becomes 0, `max` below `min` becomes `min`).
///
/// Matching works on offsets, not on a per-byte automaton: for each fixed segment it keeps the
/// sorted set of request offsets where that segment can end, trying only the start offsets the
/// preceding gap allows. One pass over a buffer answers both "does it match the whole buffer?"
/// and "could a longer buffer still match?", which is what request completion needs. Cost:
/// about one byte comparison per candidate offset; a raw (exact) pattern costs one prefix
/// comparison.
public struct CompiledPattern: Hashable, Sendable {
    /// What a prefix of a request says about the pattern.
    public enum PrefixStatus: Hashable, Sendable {
        /// The bytes match, and no longer input can match.
        case match
        /// The bytes match, and some longer input would match too (for example a trailing gap).
        case matchAndCanGrow
        /// The bytes do not match yet, but some longer input would.
        case canStillMatch
        /// Neither these bytes nor any longer input starting with them can match.
        case cannotMatch
    }

    struct Gap: Hashable, Sendable {
        var min: Int
        var max: Int
        static let none = Gap(min: 0, max: 0)
    }

    struct Segment: Hashable, Sendable {
        var fixed: [UInt8]
        var gapAfter: Gap
    }

    /// The pattern as given.
    public let pattern: Pattern
    let leadingGap: Gap
    let segments: [Segment]
    /// Bytes the pattern pins down; the first tie-breaker between matching edges.
    public let fixedByteCount: Int
    public let minimumLength: Int
    /// Saturates at `Int.max` for gaps declared unbounded.
    public let maximumLength: Int
    /// The bytes of a raw (exact, non-empty) pattern: one fixed segment and no gaps. Stored, as
    /// every scan asks for it.
    let rawBytes: [UInt8]?
    private let endsWithFixed: Bool

    public init(_ pattern: Pattern) {
        self.pattern = pattern
        var leading = Gap.none
        var segments: [Segment] = []
        for element in pattern.elements {
            switch element {
            case .fixed(let bytes):
                guard !bytes.isEmpty else { continue }
                if segments.isEmpty || segments[segments.count - 1].gapAfter != .none {
                    segments.append(Segment(fixed: bytes, gapAfter: .none))
                } else {
                    segments[segments.count - 1].fixed += bytes
                }
            case .variable(let min, let max):
                let lower = Swift.max(0, min)
                let upper = Swift.max(lower, max)
                if segments.isEmpty {
                    leading = Gap(min: leading.min.addingSaturated(lower), max: leading.max.addingSaturated(upper))
                } else {
                    let gap = segments[segments.count - 1].gapAfter
                    segments[segments.count - 1].gapAfter = Gap(min: gap.min.addingSaturated(lower), max: gap.max.addingSaturated(upper))
                }
            }
        }
        self.leadingGap = leading
        self.segments = segments
        var fixed = 0
        var minimum = leading.min
        var maximum = leading.max
        for segment in segments {
            fixed += segment.fixed.count
            minimum = minimum.addingSaturated(segment.fixed.count).addingSaturated(segment.gapAfter.min)
            maximum = maximum.addingSaturated(segment.fixed.count).addingSaturated(segment.gapAfter.max)
        }
        self.fixedByteCount = fixed
        self.minimumLength = minimum
        self.maximumLength = maximum
        self.endsWithFixed = segments.last.map { $0.gapAfter == .none } ?? false
        self.rawBytes = leading == .none && segments.count == 1 && segments[0].gapAfter == .none ? segments[0].fixed : nil
    }

    /// Whether the pattern ends with fixed bytes (`\r\n`, a closing tag, or a whole raw
    /// request), so a match is recognisable without waiting: see `EmulationOptions.CompletionRule`.
    public var endsWithFixedBytes: Bool { endsWithFixed }

    /// Whether the whole of `bytes` matches the pattern.
    public func matches(_ bytes: some Collection<UInt8>) -> Bool {
        var scratch = ScanScratch()
        return withContiguousBytes(bytes) { scan($0, scratch: &scratch).longestMatch == $0.count }
    }

    /// Whether `bytes` match, and whether a longer input starting with them could match.
    public func prefixStatus(_ bytes: some Collection<UInt8>) -> PrefixStatus {
        var scratch = ScanScratch()
        return withContiguousBytes(bytes) { buffer in
            let result = scan(buffer, scratch: &scratch)
            let matchesNow = result.longestMatch == buffer.count
            let canGrow = result.aliveThrough >= buffer.count
            switch (matchesNow, canGrow) {
            case (true, false): return .match
            case (true, true): return .matchAndCanGrow
            case (false, true): return .canStillMatch
            case (false, false): return .cannotMatch
            }
        }
    }
}

func withContiguousBytes<R>(_ bytes: some Collection<UInt8>, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
    if let result = bytes.withContiguousStorageIfAvailable(body) { return result }
    return Array(bytes).withUnsafeBufferPointer(body)
}

/// Reusable offset sets, so repeated scans allocate nothing once warmed up.
struct ScanScratch: Sendable {
    var current: [Int] = []
    var next: [Int] = []
}

/// What one pass over a buffer of `n` bytes found.
struct ScanResult: Hashable, Sendable {
    /// The largest `L <= n` such that a longer input agreeing with the first `L` bytes could
    /// still match; -1 when not even the empty input can grow into a match. Being able to grow
    /// is monotone (true for every length up to this one), so one number describes all lengths.
    var aliveThrough: Int
    /// The largest `L <= n` such that the first `L` bytes match the pattern, or -1.
    var longestMatch: Int
    /// The smallest such `L`, or -1. Gaps are lazy here: it ends at the first place where the
    /// fixed bytes after a gap appear.
    var shortestMatch: Int
}

extension CompiledPattern {
    func scan(_ bytes: UnsafeBufferPointer<UInt8>, scratch: inout ScanScratch) -> ScanResult {
        if let raw = rawBytes { return Self.scanRaw(raw, bytes) }
        return scanSegments(bytes, scratch: &scratch)
    }

    /// `scanSegments` for a raw pattern, without the offset sets: it matches only itself, and
    /// grows while the bytes are a proper prefix of it. Most edges of raw models are raw, and
    /// every request is scanned against every edge of its state.
    static func scanRaw(_ raw: [UInt8], _ bytes: UnsafeBufferPointer<UInt8>) -> ScanResult {
        let common = raw.withUnsafeBufferPointer { fixed in
            let available = min(fixed.count, bytes.count)
            var common = 0
            while common < available && bytes[common] == fixed[common] { common += 1 }
            return common
        }
        if common == raw.count { return ScanResult(aliveThrough: common - 1, longestMatch: common, shortestMatch: common) }
        return ScanResult(aliveThrough: common, longestMatch: -1, shortestMatch: -1)
    }

    /// The general scan over the offset sets of each segment; `scan` for any pattern.
    func scanSegments(_ bytes: UnsafeBufferPointer<UInt8>, scratch: inout ScanScratch) -> ScanResult {
        let n = bytes.count
        var aliveThrough = -1
        var longestMatch = -1
        // Offsets where the current gap starts (sorted, distinct).
        scratch.current.removeAll(keepingCapacity: true)
        scratch.current.append(0)
        var gap = leadingGap
        for segment in segments {
            // Inside the gap before a segment the input can always grow: the segment needs bytes.
            let lastStart = scratch.current[scratch.current.count - 1]
            aliveThrough = max(aliveThrough, min(n, lastStart.addingSaturated(gap.max)))
            scratch.next.removeAll(keepingCapacity: true)
            segment.fixed.withUnsafeBufferPointer { fixed in
                let first = fixed[0]
                var lastTried = -1
                for start in scratch.current {
                    let low = max(start.addingSaturated(gap.min), lastTried + 1)
                    let high = min(n - 1, start.addingSaturated(gap.max))
                    lastTried = max(lastTried, high)
                    guard low <= high else { continue }
                    for position in low...high where bytes[position] == first {
                        let available = min(fixed.count, n - position)
                        var common = 1
                        while common < available && bytes[position + common] == fixed[common] { common += 1 }
                        if common == fixed.count {
                            scratch.next.append(position + common)
                            aliveThrough = max(aliveThrough, position + common - 1)
                        } else {
                            // Stopped inside the segment: alive up to here, and beyond if the input ran out.
                            aliveThrough = max(aliveThrough, position + common)
                        }
                    }
                }
            }
            swap(&scratch.current, &scratch.next)
            gap = segment.gapAfter
            if scratch.current.isEmpty { return ScanResult(aliveThrough: aliveThrough, longestMatch: -1, shortestMatch: -1) }
        }
        // The final gap: a match anywhere in [end + min, end + max], growth while below max.
        // The ends are sorted, so the first one gives the shortest match.
        let shortestEnd = scratch.current[0].addingSaturated(gap.min)
        let shortestMatch = shortestEnd <= n ? shortestEnd : -1
        for end in scratch.current {
            if gap.max >= 1 {
                aliveThrough = max(aliveThrough, min(n, end.addingSaturated(gap.max - 1)))
            }
            let low = end.addingSaturated(gap.min)
            let high = min(n, end.addingSaturated(gap.max))
            if low <= high { longestMatch = max(longestMatch, high) }
        }
        return ScanResult(aliveThrough: aliveThrough, longestMatch: longestMatch, shortestMatch: shortestMatch)
    }
}

extension FixedWidthInteger where Self: SignedInteger {
    /// Addition that stops at the bounds instead of trapping: gaps may be declared unbounded.
    func addingSaturated(_ other: Self) -> Self {
        let (sum, overflow) = addingReportingOverflow(other)
        return overflow ? (other > 0 ? .max : .min) : sum
    }
}
