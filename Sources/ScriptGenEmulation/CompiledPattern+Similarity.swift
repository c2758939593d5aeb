extension CompiledPattern {
    /// How close `bytes` come to matching, from 0 (nothing in common) to 1 (a match, or as good).
    ///
    /// Used to pick the closest edge when nothing matches. It is cheap (no alignment) and
    /// deterministic:
    /// - Fixed share: the pattern's fixed bytes found in order, as a share of `fixedByteCount`
    ///   (1 when the pattern has none). A forward pass takes the fixed segments from the start of
    ///   the request (a common prefix for the first one, then the first occurrence of each next
    ///   segment inside the window its gap allows) until one fails; a backward pass does the
    ///   same from the end (common suffixes, last occurrences), without crossing the forward
    ///   pass. So `PASS secret1\r\n` against the raw `PASS secret2\r\n` finds 13 of 14 bytes.
    /// - Length factor: 1 when the request length lies in the pattern's length range, otherwise
    ///   the ratio of the request length to the nearest bound (shorter / longer).
    ///
    /// The score is their product.
    public func similarity(to bytes: some Collection<UInt8>) -> Double {
        withContiguousBytes(bytes) { similarity(to: $0) }
    }

    func similarity(to bytes: UnsafeBufferPointer<UInt8>) -> Double {
        let n = bytes.count
        let lengthFactor: Double
        if n < minimumLength {
            lengthFactor = Double(n) / Double(minimumLength)
        } else if n > maximumLength {
            lengthFactor = Double(maximumLength) / Double(n)
        } else {
            lengthFactor = 1
        }
        guard fixedByteCount > 0 else { return lengthFactor }
        let found = fixedBytesFoundInOrder(bytes)
        return Double(found) / Double(fixedByteCount) * lengthFactor
    }

    private func fixedBytesFoundInOrder(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
        let n = bytes.count
        var found = 0
        // Forward pass. `cursor` is where the next gap starts in the request.
        var cursor = 0
        var gap = leadingGap
        // Where the forward pass stopped: segment index and bytes of it already credited.
        var stopSegment = segments.count
        var stopOffset = 0
        for (index, segment) in segments.enumerated() {
            let fixed = segment.fixed
            let position: Int?
            if index == 0 && gap == .none {
                position = 0
            } else {
                position = firstOccurrence(of: fixed[...], in: bytes, from: cursor.addingSaturated(gap.min), through: cursor.addingSaturated(gap.max))
            }
            guard let start = position else {
                stopSegment = index
                break
            }
            let common = commonPrefixLength(fixed[...], bytes, at: start)
            found += common
            if common < fixed.count {
                stopSegment = index
                stopOffset = common
                cursor = start + common
                break
            }
            cursor = start + fixed.count
            gap = segment.gapAfter
        }
        guard stopSegment < segments.count else { return found }

        // Backward pass, from the end of the request down to the forward pass's stop.
        var end = n
        var index = segments.count - 1
        while index >= stopSegment {
            let segment = segments[index]
            let usable = segment.fixed[(index == stopSegment ? stopOffset : 0)...]
            let lowest = cursor
            let position: Int?
            if index == segments.count - 1 && segment.gapAfter == .none {
                position = end
            } else {
                position = lastOccurrenceEnd(of: usable, in: bytes, from: end.addingSaturated(-segment.gapAfter.max), through: end - segment.gapAfter.min, notBelow: lowest)
            }
            guard let segmentEnd = position else { break }
            let common = commonSuffixLength(usable, bytes, endingAt: segmentEnd, notBelow: lowest)
            found += common
            if common < usable.count { break }
            end = segmentEnd - usable.count
            index -= 1
        }
        return found
    }
}

private func commonPrefixLength(_ fixed: ArraySlice<UInt8>, _ bytes: UnsafeBufferPointer<UInt8>, at start: Int) -> Int {
    let available = min(fixed.count, bytes.count - start)
    var common = 0
    while common < available && bytes[start + common] == fixed[fixed.startIndex + common] { common += 1 }
    return common
}

private func commonSuffixLength(_ fixed: ArraySlice<UInt8>, _ bytes: UnsafeBufferPointer<UInt8>, endingAt end: Int, notBelow lowest: Int) -> Int {
    let available = min(fixed.count, end - lowest)
    var common = 0
    while common < available && bytes[end - 1 - common] == fixed[fixed.endIndex - 1 - common] { common += 1 }
    return common
}

/// First start in `[low, high]` where all of `fixed` occurs.
private func firstOccurrence(of fixed: ArraySlice<UInt8>, in bytes: UnsafeBufferPointer<UInt8>, from low: Int, through high: Int) -> Int? {
    let last = min(high, bytes.count - fixed.count)
    guard low <= last else { return nil }
    for start in low...last where commonPrefixLength(fixed, bytes, at: start) == fixed.count {
        return start
    }
    return nil
}

/// Last end in `[low, high]` (searched downwards) where all of `fixed` occurs, starting at or above `lowest`.
private func lastOccurrenceEnd(of fixed: ArraySlice<UInt8>, in bytes: UnsafeBufferPointer<UInt8>, from low: Int, through high: Int, notBelow lowest: Int) -> Int? {
    let first = max(low, lowest + fixed.count)
    let last = min(high, bytes.count)
    guard first <= last else { return nil }
    for end in stride(from: last, through: first, by: -1) where commonSuffixLength(fixed, bytes, endingAt: end, notBelow: lowest) == fixed.count {
        return end
    }
    return nil
}
