#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Names for one run of a sensor, so logs of several runs and sensors can be merged.
public enum RunIdentity {
    /// The run id every session id starts with: the start time in Unix seconds and 16 random
    /// bits, as 10 base-36 digits (`0k3v9x2qbz`). Two restarts of one sensor differ in the
    /// time, two starts within a second in the random part; ids of equal width sort by start
    /// time. Short, so a session id stays a small string (no allocation) for 9,999 sessions.
    public static func make(now: WallTime = .now(), random: UInt16 = .random(in: .min ... .max)) -> String {
        let value = (UInt64(truncatingIfNeeded: now.seconds) & 0xffff_ffff) << 16 | UInt64(random)
        let digits = String(value, radix: 36)
        return String(repeating: "0", count: max(0, 10 - digits.count)) + digits
    }

    /// The host name (the default `--sensor`); "unknown" if it cannot be read.
    public static func hostName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "unknown" }
        let name = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return name.isEmpty ? "unknown" : name
    }
}
