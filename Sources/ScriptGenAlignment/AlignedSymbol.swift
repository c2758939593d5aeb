/// One position of an aligned row: a byte, or the gap (the 257th symbol, as in PI).
///
/// Stored as an `Int16` so a row of symbols stays compact: `0...255` are bytes, `-1` is the gap.
public struct AlignedSymbol: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let rawValue: Int16

    public static let gap = AlignedSymbol(rawValue: -1)

    public init(_ byte: UInt8) {
        rawValue = Int16(byte)
    }

    private init(rawValue: Int16) {
        self.rawValue = rawValue
    }

    public var isGap: Bool { rawValue < 0 }

    /// The byte, or `nil` for the gap.
    public var byte: UInt8? { rawValue < 0 ? nil : UInt8(truncatingIfNeeded: rawValue) }

    public static func < (lhs: AlignedSymbol, rhs: AlignedSymbol) -> Bool {
        lhs.rawValue < rhs.rawValue
    }

    public var description: String {
        guard let byte else { return "-" }
        if byte >= 0x20 && byte < 0x7F { return String(UnicodeScalar(byte)) }
        return "\\x" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
    }
}

extension Array where Element == AlignedSymbol {
    /// The row's bytes with the gaps removed.
    public var ungappedBytes: [UInt8] {
        compactMap(\.byte)
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
