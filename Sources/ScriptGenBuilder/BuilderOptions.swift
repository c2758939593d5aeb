import ScriptGenModel

/// The limits that keep a prefix tree bounded (docs/model-format.md). What happens when one is reached is
/// explicit: the request is not added, it is counted in `State.cutRequests` and in the
/// `BuildReport`, and the rest of that conversation is not used (docs/model-format.md).
public struct BuilderOptions: Hashable, Sendable {
    /// Most edges leaving one state. Values below 1 count as 1.
    public var maxFanout: Int = 1024
    /// Most states in one machine, the root included. Values below 1 count as 1.
    public var maxStates: Int = 10_000
    /// Simultaneous banners (docs/model-format.md, "Banners sent at the same time as the
    /// client's first message"): when the server's most frequent banner opened at least this
    /// share of the conversations observed at the root, a conversation whose first request was
    /// answered starting with that banner is counted as having received it on connect.
    /// Values above 1 turn the rule off.
    public var minBannerShare: Double = 0.25

    public init() {}

    /// The defaults changed by `configure`.
    public init(_ configure: (inout BuilderOptions) -> Void) {
        self.init()
        configure(&self)
    }

    /// Every option: the model file's `builder.*` parameters and the documentation check.
    public static let table = OptionTable<BuilderOptions>(stage: "builder", fields: [
        .integer("maxFanout", \.maxFanout),
        .integer("maxStates", \.maxStates),
        .number("minBannerShare", \.minBannerShare),
    ])

    /// The options as model-file parameters.
    public var parameters: LearningParameters { Self.table.parameters(of: self) }

    /// The options recorded in a model's parameters; defaults for the ones it lacks.
    public init(parameters: LearningParameters) {
        self = Self.table.options(from: parameters, defaults: BuilderOptions())
    }
}
