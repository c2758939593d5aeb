#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where the emulator reads the current date for time fields: the system's clock when serving,
/// a fixed or replayed time in tests and offline evaluation.
public struct WallClock: Sendable {
    /// Nanoseconds since 1970, UTC.
    public let now: @Sendable () -> Int64

    public init(now: @escaping @Sendable () -> Int64) {
        self.now = now
    }

    /// `CLOCK_REALTIME`.
    public static let system = WallClock {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec) * 1_000_000_000 + Int64(spec.tv_nsec)
    }

    /// Always `nanoseconds`.
    public static func fixed(_ nanoseconds: Int64) -> WallClock {
        WallClock { nanoseconds }
    }
}
