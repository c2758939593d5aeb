import ArgumentParser
import ScriptGenEmulation

/// How the emulation core answers; shared by `serve` and `respond`.
public struct EmulationArguments: ParsableArguments {
    public enum NoMatch: String, ExpressibleByArgument, CaseIterable, Sendable {
        case closest, silence, close
    }

    @Option(name: .customLong("no-match"), help: "Unmatched requests: answer as the closest edge (above --threshold), stay silent, or close.")
    public var noMatch: NoMatch = .closest

    @Option(help: "Similarity (0...1) the closest edge needs under --no-match closest.")
    public var threshold: Double = 0.5

    @Option(name: .customLong("quiet-time-ms"), help: "Milliseconds without new bytes after which pending TCP input counts as a complete request.")
    public var quietTimeMilliseconds: Int = Int(EmulationOptions.defaultQuietTime / 1_000_000)

    @Option(name: .customLong("max-request-bytes"), help: "A request is cut at this size (logged as limit maxRequestBytes).")
    public var maxRequestBytes: Int = EmulationOptions.defaultMaxRequestBytes

    @Flag(name: .customLong("random-replies"), help: "Pick among a state's observed replies at random, weighted by frequency (default: the most frequent).")
    public var randomReplies = false

    @Option(help: "Seed for the random choices, so a run replays (default: random).")
    public var seed: UInt64?

    @Option(name: .customLong("close-share"), help: "Close after a state's reply when the real server closed there after more than this share (0...1) of the state's visits; 1: never (only --no-match close closes).")
    public var closeShare: Double = EmulationOptions.defaultServerCloseShare

    public init() {}

    public func validate() throws {
        guard (0...1).contains(threshold) else { throw ValidationError("--threshold must be between 0 and 1") }
        guard (0...maxMilliseconds).contains(quietTimeMilliseconds) else {
            throw ValidationError("--quiet-time-ms must be between 0 and \(maxMilliseconds) (one day)")
        }
        guard maxRequestBytes >= 1 else { throw ValidationError("--max-request-bytes must be at least 1") }
        guard (0...1).contains(closeShare) else { throw ValidationError("--close-share must be between 0 and 1") }
    }

    var options: EmulationOptions {
        let policy: EmulationOptions.NoMatchPolicy = switch noMatch {
        case .closest: .closest(threshold: threshold)
        case .silence: .silence
        case .close: .close
        }
        return EmulationOptions(
            noMatch: policy, responseChoice: randomReplies ? .weightedRandom : .mostFrequent,
            maxRequestBytes: maxRequestBytes, quietTime: Int64(clamping: quietTimeMilliseconds).multipliedClamped(by: 1_000_000),
            serverCloseShare: Self.serverCloseShare(closeShare)
        )
    }

    /// `--close-share` as `EmulationOptions.serverCloseShare`: 1 (no share of the visits can be
    /// more than all of them) switches closing off.
    public static func serverCloseShare(_ share: Double) -> Double? {
        share >= 1 ? nil : share
    }
}

/// The longest time an option accepts: one day, far beyond any conversation worth keeping, and
/// far below where nanoseconds overflow `Int64`.
let maxSeconds: Double = 86_400
let maxMilliseconds = 86_400_000

/// Throws unless `seconds` is a positive, finite time of at most `maxSeconds`.
func validateSeconds(_ seconds: Double, option: String) throws {
    guard seconds > 0, seconds <= maxSeconds else {
        throw ValidationError("\(option) must be more than 0 and at most \(Int(maxSeconds)) seconds (one day)")
    }
}

/// Nanoseconds for an option in seconds; out-of-range values (NaN, infinite, huge) clamp
/// instead of trapping, though `validateSeconds` rejects them first.
func nanoseconds(seconds: Double) -> Int64 {
    let value = (seconds * 1e9).rounded()
    guard value.isFinite else { return value > 0 ? .max : 0 }
    // Int64.max is not a Double; 2^63 is the first value that does not fit.
    if value >= 9_223_372_036_854_775_808.0 { return .max }
    if value <= -9_223_372_036_854_775_808.0 { return .min }
    return Int64(value)
}

extension Int64 {
    func multipliedClamped(by other: Int64) -> Int64 {
        let (product, overflow) = multipliedReportingOverflow(by: other)
        return overflow ? ((self < 0) != (other < 0) ? .min : .max) : product
    }
}
