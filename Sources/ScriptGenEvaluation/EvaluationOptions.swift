import ScriptGenEmulation

/// How an evaluation replays conversations and what it keeps.
public struct EvaluationOptions: Hashable, Sendable {
    /// 4 KiB: long enough for every command/status exchange, short enough that a page or a
    /// file transfer does not make the similarity alignment quadratic in megabytes.
    public static let defaultSimilarityPrefixBytes = 4_096
    public static let defaultMissBytes = 4_096

    /// The emulator's behaviour: no-match policy, response choice, completion rule, limits.
    public var emulation: EmulationOptions
    /// Seeds the per-conversation random choices (`ResponseChoice.weightedRandom`): the same
    /// seed and the same conversations in the same order give the same report.
    public var seed: UInt64
    /// How many unmatched requests to keep (`EvaluationReport.misses`), first come first kept.
    public var maxMisses: Int
    /// Responses are compared byte for byte in full, but their similarity is computed over
    /// at most this many leading bytes of each (at least 1).
    public var similarityPrefixBytes: Int
    /// Request and real-answer bytes kept per miss (at least 1); the full lengths are kept too.
    public var missBytes: Int

    public init(
        emulation: EmulationOptions = EmulationOptions(),
        seed: UInt64 = 0,
        maxMisses: Int = 0,
        similarityPrefixBytes: Int = Self.defaultSimilarityPrefixBytes,
        missBytes: Int = Self.defaultMissBytes
    ) {
        self.emulation = emulation
        self.seed = seed
        self.maxMisses = max(0, maxMisses)
        self.similarityPrefixBytes = max(1, similarityPrefixBytes)
        self.missBytes = max(1, missBytes)
    }
}
