#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ScriptGenEmulation
import ScriptGenModel

/// A wall-clock instant (for log lines; durations use the monotonic clock).
public struct WallTime: Hashable, Sendable {
    public var seconds: Int64
    public var nanoseconds: Int32

    public init(seconds: Int64, nanoseconds: Int32) {
        self.seconds = seconds
        self.nanoseconds = nanoseconds
    }

    /// The system's clock, as the emulator reads it for time fields (`WallClock.system`).
    public static func now() -> WallTime {
        let nanoseconds = WallClock.system.now()
        let seconds = nanoseconds.floorDivided(by: 1_000_000_000)
        return WallTime(seconds: seconds, nanoseconds: Int32(nanoseconds - seconds * 1_000_000_000))
    }

    /// `2026-11-27T00:04:26.214474Z` (UTC, microseconds).
    public var iso8601: String {
        var out: [UInt8] = []
        appendISO8601(to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends `iso8601` as bytes, without building strings (one call per log line).
    func appendISO8601(to out: inout [UInt8]) {
        appendSecond(to: &out)
        appendFraction(to: &out)
    }

    /// `2026-11-27T00:04:26.`: the part `WallTimeCache` keeps for the current second.
    func appendSecond(to out: inout [UInt8]) {
        let (days, secondOfDay) = ModelTime.dayAndSecond(ofUnixSeconds: seconds)
        let (year, month, day) = ModelTime.civil(fromDays: days)
        Self.appendPadded(year, width: 4, to: &out)
        out.append(UInt8(ascii: "-"))
        Self.appendPadded(month, width: 2, to: &out)
        out.append(UInt8(ascii: "-"))
        Self.appendPadded(day, width: 2, to: &out)
        out.append(UInt8(ascii: "T"))
        Self.appendPadded(secondOfDay / 3600, width: 2, to: &out)
        out.append(UInt8(ascii: ":"))
        Self.appendPadded(secondOfDay / 60 % 60, width: 2, to: &out)
        out.append(UInt8(ascii: ":"))
        Self.appendPadded(secondOfDay % 60, width: 2, to: &out)
        out.append(UInt8(ascii: "."))
    }

    /// `214474Z`: microseconds and the zone.
    func appendFraction(to out: inout [UInt8]) {
        let microseconds = Int64(nanoseconds / 1000)
        guard (0..<1_000_000).contains(microseconds) else {
            Self.appendPadded(microseconds, width: 6, to: &out)
            out.append(UInt8(ascii: "Z"))
            return
        }
        Self.withFraction(microseconds) { out.append(contentsOf: $0) }
    }

    /// `appendFraction` through a writer.
    func writeFraction(to writer: inout LineWriter) {
        let microseconds = Int64(nanoseconds / 1000)
        guard (0..<1_000_000).contains(microseconds) else {
            var out: [UInt8] = []
            appendFraction(to: &out)
            out.withUnsafeBufferPointer { writer.write($0) }
            return
        }
        Self.withFraction(microseconds) { writer.write($0) }
    }

    /// Six digits and the Z in one piece; `microseconds` in 0..<1_000_000.
    private static func withFraction(_ microseconds: Int64, _ body: (UnsafeRawBufferPointer) -> Void) {
        var text: UInt64 = 0
        withUnsafeMutableBytes(of: &text) { buffer in
            var rest = Int(microseconds)
            for index in stride(from: 5, through: 0, by: -1) {
                buffer[index] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
            }
            buffer[6] = UInt8(ascii: "Z")
            body(UnsafeRawBufferPointer(rebasing: buffer[0..<7]))
        }
    }

    /// Decimal digits of `value`, zero-padded to `width` (a minus sign first when negative).
    private static func appendPadded(_ value: Int64, width: Int, to out: inout [UInt8]) {
        if value < 0 { out.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        withUnsafeMutableBytes(of: &digits) { buffer in
            repeat {
                buffer[count] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
                count += 1
            } while magnitude > 0
            for _ in count..<max(count, width) { out.append(UInt8(ascii: "0")) }
            for index in stride(from: count - 1, through: 0, by: -1) { out.append(buffer[index]) }
        }
    }
}

/// The text of the last second formatted, so a busy log works out the date once per second,
/// not once per line. The output is `WallTime.appendISO8601`'s.
struct WallTimeCache {
    /// Bytes `write` writes at most (a 12-digit year of an extreme time included).
    static let bound = 64

    private var second: Int64?
    private var text: [UInt8] = []

    mutating func write(_ time: WallTime, to writer: inout LineWriter) {
        if time.seconds != second {
            text.removeAll(keepingCapacity: true)
            time.appendSecond(to: &text)
            second = time.seconds
        }
        text.withUnsafeBufferPointer { writer.write($0) }
        time.writeFraction(to: &writer)
    }
}

/// The monotonic clock, in nanoseconds (what `Emulator` takes as `now`).
public enum MonotonicClock {
    public static func now() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Int64(spec.tv_sec) * 1_000_000_000 + Int64(spec.tv_nsec)
    }
}
