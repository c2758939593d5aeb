/// A capture timestamp: nanoseconds since the Unix epoch.
///
/// pcap stores micro- or nanoseconds and pcapng a per-interface resolution; everything is
/// normalised to nanoseconds here so later stages compare times without knowing the source.
public struct Timestamp: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var nanoseconds: Int64

    public init(nanoseconds: Int64) {
        self.nanoseconds = nanoseconds
    }

    public init(seconds: Int64, nanoseconds: Int64) {
        self.nanoseconds = seconds &* 1_000_000_000 &+ nanoseconds
    }

    /// Seconds since the epoch as a floating point number (what JSON output shows).
    public var secondsSinceEpoch: Double {
        Double(nanoseconds) / 1_000_000_000
    }

    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool {
        lhs.nanoseconds < rhs.nanoseconds
    }

    public func adding(nanoseconds delta: Int64) -> Timestamp {
        Timestamp(nanoseconds: nanoseconds &+ delta)
    }

    /// `seconds.microseconds`, the way tcpdump prints times.
    public var description: String {
        let seconds = nanoseconds / 1_000_000_000
        let fraction = (nanoseconds % 1_000_000_000 + 1_000_000_000) % 1_000_000_000
        let micros = fraction / 1000
        let padded = String(micros)
        return "\(seconds).\(String(repeating: "0", count: 6 - padded.count))\(padded)"
    }
}

/// A duration in capture time, in nanoseconds.
public typealias Nanoseconds = Int64

extension Int64 {
    /// `n.seconds` reads better than `n * 1_000_000_000` at call sites that set timeouts.
    public static func seconds(_ value: Double) -> Nanoseconds {
        Nanoseconds(value * 1_000_000_000)
    }
}
