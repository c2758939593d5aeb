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

    public init() {}

    public func validate() throws {
        guard (0...1).contains(threshold) else { throw ValidationError("--threshold must be between 0 and 1") }
        guard quietTimeMilliseconds >= 0 else { throw ValidationError("--quiet-time-ms must not be negative") }
        guard maxRequestBytes >= 1 else { throw ValidationError("--max-request-bytes must be at least 1") }
    }

    var options: EmulationOptions {
        let policy: EmulationOptions.NoMatchPolicy = switch noMatch {
        case .closest: .closest(threshold: threshold)
        case .silence: .silence
        case .close: .close
        }
        return EmulationOptions(
            noMatch: policy, responseChoice: randomReplies ? .weightedRandom : .mostFrequent,
            maxRequestBytes: maxRequestBytes, quietTime: Int64(quietTimeMilliseconds) * 1_000_000
        )
    }
}

func nanoseconds(seconds: Double) -> Int64 {
    Int64((seconds * 1e9).rounded())
}
