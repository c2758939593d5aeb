/// One learning parameter's value as stored in the model file.
public enum ParameterValue: Hashable, Sendable, CustomStringConvertible {
    case integer(Int)
    case number(Double)
    case flag(Bool)
    case text(String)

    public var description: String {
        switch self {
        case .integer(let value): String(value)
        case .number(let value): String(value)
        case .flag(let value): String(value)
        case .text(let value): value
        }
    }
}

/// The parameters a model was learned with, by name.
///
/// Names are namespaced by pipeline stage (`builder.maxFanout`, later `simplifier.…`), so each
/// stage adds its own without a format change, and a tool reading a model written by a newer
/// version keeps the parameters it does not know (they round-trip unchanged). Each stage owns
/// the conversion between its options and these values.
public struct LearningParameters: Hashable, Sendable {
    public var values: [String: ParameterValue]

    public init(_ values: [String: ParameterValue] = [:]) {
        self.values = values
    }

    public subscript(name: String) -> ParameterValue? {
        get { values[name] }
        set { values[name] = newValue }
    }

    /// The value of `name` when it is an integer.
    public func integer(_ name: String) -> Int? {
        if case .integer(let value) = values[name] { return value }
        return nil
    }

    /// The value of `name` when it is a number (integers are widened).
    public func number(_ name: String) -> Double? {
        switch values[name] {
        case .number(let value): value
        case .integer(let value): Double(value)
        default: nil
        }
    }

    /// Names in the order the model file lists them (sorted by UTF-8 bytes).
    public var sortedNames: [String] {
        values.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }
}
