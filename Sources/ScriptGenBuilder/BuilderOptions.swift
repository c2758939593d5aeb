import ScriptGenModel

/// The limits that keep a prefix tree bounded (docs/model-format.md). What happens when one is reached is
/// explicit: the request is not added, it is counted in `State.cutRequests` and in the
/// `BuildReport`, and the rest of that conversation is not used (docs/model-format.md).
public struct BuilderOptions: Hashable, Sendable {
    public static let defaultMaxFanout = 1024
    public static let defaultMaxStates = 10_000
    public static let defaultMinBannerShare = 0.25

    /// Most edges leaving one state. Values below 1 count as 1.
    public var maxFanout: Int
    /// Most states in one machine, the root included. Values below 1 count as 1.
    public var maxStates: Int
    /// Simultaneous banners (docs/model-format.md, "Banners sent at the same time as the
    /// client's first message"): when the server's most frequent banner opened at least this
    /// share of the conversations observed at the root, a conversation whose first request was
    /// answered starting with that banner is counted as having received it on connect.
    /// Values above 1 turn the rule off.
    public var minBannerShare: Double

    public init(
        maxFanout: Int = BuilderOptions.defaultMaxFanout,
        maxStates: Int = BuilderOptions.defaultMaxStates,
        minBannerShare: Double = BuilderOptions.defaultMinBannerShare
    ) {
        self.maxFanout = maxFanout
        self.maxStates = maxStates
        self.minBannerShare = minBannerShare
    }

    /// Parameter names in the model file.
    public static let maxFanoutParameter = "builder.maxFanout"
    public static let maxStatesParameter = "builder.maxStates"
    public static let minBannerShareParameter = "builder.minBannerShare"

    /// The options as model-file parameters.
    public var parameters: LearningParameters {
        LearningParameters([
            Self.maxFanoutParameter: .integer(maxFanout),
            Self.maxStatesParameter: .integer(maxStates),
            Self.minBannerShareParameter: .number(minBannerShare),
        ])
    }

    /// The options recorded in a model's parameters; defaults for the ones it lacks.
    public init(parameters: LearningParameters) {
        self.init(
            maxFanout: parameters.integer(Self.maxFanoutParameter) ?? Self.defaultMaxFanout,
            maxStates: parameters.integer(Self.maxStatesParameter) ?? Self.defaultMaxStates,
            minBannerShare: parameters.number(Self.minBannerShareParameter) ?? Self.defaultMinBannerShare
        )
    }
}
