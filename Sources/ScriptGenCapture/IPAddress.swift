/// An IPv4 or IPv6 address, stored inline (no allocation) because every packet carries two.
public enum IPAddress: Hashable, Sendable, Comparable, CustomStringConvertible {
    case v4(UInt32)
    /// High and low 64 bits, network order.
    case v6(UInt64, UInt64)

    public var isIPv6: Bool {
        if case .v6 = self { return true }
        return false
    }

    /// Dotted quad for IPv4; RFC 5952 form (lower case, longest zero run as `::`) for IPv6.
    public var description: String {
        switch self {
        case .v4(let value):
            return "\(value >> 24).\((value >> 16) & 0xff).\((value >> 8) & 0xff).\(value & 0xff)"
        case .v6(let high, let low):
            var groups = [UInt16]()
            groups.reserveCapacity(8)
            for shift in stride(from: 48, through: 0, by: -16) { groups.append(UInt16(truncatingIfNeeded: high >> UInt64(shift))) }
            for shift in stride(from: 48, through: 0, by: -16) { groups.append(UInt16(truncatingIfNeeded: low >> UInt64(shift))) }
            // Longest run of at least two zero groups becomes "::".
            var bestStart = -1, bestLength = 0, runStart = -1
            for index in 0...8 {
                if index < 8 && groups[index] == 0 {
                    if runStart < 0 { runStart = index }
                } else if runStart >= 0 {
                    let length = index - runStart
                    if length > bestLength && length >= 2 { bestStart = runStart; bestLength = length }
                    runStart = -1
                }
            }
            func hex(_ range: Range<Int>) -> String {
                groups[range].map { String($0, radix: 16) }.joined(separator: ":")
            }
            if bestStart < 0 { return hex(0..<8) }
            return hex(0..<bestStart) + "::" + hex((bestStart + bestLength)..<8)
        }
    }

    /// Parses `1.2.3.4` or an IPv6 address (with `::` compression, optionally in brackets).
    public init?(_ text: Substring) {
        var text = text
        if text.hasPrefix("[") && text.hasSuffix("]") { text = text.dropFirst().dropLast() }
        if text.contains(":") {
            let halves = text.split(separator: "::", maxSplits: 1, omittingEmptySubsequences: false)
            guard halves.count <= 2, !text.contains(":::") else { return nil }
            func parseGroups(_ part: Substring) -> [UInt16]? {
                if part.isEmpty { return [] }
                var result = [UInt16]()
                for group in part.split(separator: ":", omittingEmptySubsequences: false) {
                    guard (1...4).contains(group.count), let value = UInt16(group, radix: 16) else { return nil }
                    result.append(value)
                }
                return result
            }
            guard let head = parseGroups(halves[0]) else { return nil }
            var groups = head
            if halves.count == 2 {
                guard let tail = parseGroups(halves[1]), head.count + tail.count < 8 else { return nil }
                groups += Array(repeating: 0, count: 8 - head.count - tail.count) + tail
            }
            guard groups.count == 8 else { return nil }
            var high: UInt64 = 0, low: UInt64 = 0
            for index in 0..<4 { high = high << 16 | UInt64(groups[index]) }
            for index in 4..<8 { low = low << 16 | UInt64(groups[index]) }
            self = .v6(high, low)
        } else {
            let parts = text.split(separator: ".", omittingEmptySubsequences: false)
            guard parts.count == 4 else { return nil }
            var value: UInt32 = 0
            for part in parts {
                guard (1...3).contains(part.count), let byte = UInt8(part) else { return nil }
                value = value << 8 | UInt32(byte)
            }
            self = .v4(value)
        }
    }

    public init?(_ text: String) {
        self.init(Substring(text))
    }

    /// Address width in bits (for CIDR prefixes).
    public var bitWidth: Int { isIPv6 ? 128 : 32 }
}
