import ScriptGenModel

/// The limits that keep a prefix tree bounded (SPEC §2). What happens when one is reached is
/// explicit: the request is not added, it is counted in `State.cutRequests` and in the
/// `BuildReport`, and the rest of that conversation is not used (docs/model-format.md).
public struct BuilderOptions: Hashable, Sendable {
    public static let defaultMaxFanout = 64
    public static let defaultMaxStates = 10_000

    /// Most edges leaving one state. Values below 1 count as 1.
    public var maxFanout: Int
    /// Most states in one machine, the root included. Values below 1 count as 1.
    public var maxStates: Int

    public init(maxFanout: Int = BuilderOptions.defaultMaxFanout, maxStates: Int = BuilderOptions.defaultMaxStates) {
        self.maxFanout = maxFanout
        self.maxStates = maxStates
    }

    /// Parameter names in the model file.
    public static let maxFanoutParameter = "builder.maxFanout"
    public static let maxStatesParameter = "builder.maxStates"

    /// The options as model-file parameters.
    public var parameters: LearningParameters {
        LearningParameters([
            Self.maxFanoutParameter: .integer(maxFanout),
            Self.maxStatesParameter: .integer(maxStates),
        ])
    }

    /// The options recorded in a model's parameters; defaults for the ones it lacks.
    public init(parameters: LearningParameters) {
        self.init(
            maxFanout: parameters.integer(Self.maxFanoutParameter) ?? Self.defaultMaxFanout,
            maxStates: parameters.integer(Self.maxStatesParameter) ?? Self.defaultMaxStates
        )
    }
}
