/// How an option's value is written in the model file and given on the command line.
public enum OptionKind: String, Sendable {
    case integer
    /// A floating-point number (an integer is widened).
    case number
    /// A switch: `true`/`false` in the model file; older files wrote 0/1, still read.
    case flag
    /// A duration held in nanoseconds, written as seconds (a number) under `<name>Seconds`.
    case seconds
}

/// One option of a stage's options value: its name, its kind, and how to read and write it.
public struct OptionField<Options>: Sendable {
    /// The property's name; the model file writes it as `stage.name` (`+ Seconds` for durations).
    public let name: String
    public let kind: OptionKind
    private let read: @Sendable (Options) -> ParameterValue
    /// Stores a value of this field's kind; false (nothing stored) for any other value.
    private let write: @Sendable (inout Options, ParameterValue) -> Bool

    public static func integer(_ name: String, _ path: WritableKeyPath<Options, Int> & Sendable) -> Self {
        Self(name: name, kind: .integer, read: { .integer($0[keyPath: path]) }) { options, value in
            guard case .integer(let integer) = value else { return false }
            options[keyPath: path] = integer
            return true
        }
    }

    public static func number(_ name: String, _ path: WritableKeyPath<Options, Double> & Sendable) -> Self {
        Self(name: name, kind: .number, read: { .number($0[keyPath: path]) }) { options, value in
            switch value {
            case .number(let number): options[keyPath: path] = number
            case .integer(let integer): options[keyPath: path] = Double(integer)
            default: return false
            }
            return true
        }
    }

    public static func flag(_ name: String, _ path: WritableKeyPath<Options, Bool> & Sendable) -> Self {
        Self(name: name, kind: .flag, read: { .flag($0[keyPath: path]) }) { options, value in
            switch value {
            case .flag(let flag): options[keyPath: path] = flag
            case .integer(let integer): options[keyPath: path] = integer != 0
            default: return false
            }
            return true
        }
    }

    public static func seconds(_ name: String, _ path: WritableKeyPath<Options, Int64> & Sendable) -> Self {
        Self(name: name, kind: .seconds, read: { .number(Double($0[keyPath: path]) / 1e9) }) { options, value in
            let seconds: Double
            switch value {
            case .number(let number): seconds = number
            case .integer(let integer): seconds = Double(integer)
            default: return false
            }
            // Durations beyond the range of Int64 nanoseconds (292 years) are not durations.
            guard seconds.isFinite, abs(seconds) < 9e9 else { return false }
            options[keyPath: path] = Int64((seconds * 1e9).rounded())
            return true
        }
    }

    public func value(in options: Options) -> ParameterValue { read(options) }

    /// Stores `value` when it is of this field's kind.
    @discardableResult
    public func set(_ value: ParameterValue, in options: inout Options) -> Bool { write(&options, value) }

    /// The value `text` stands for on the command line, when it is of this field's kind.
    public func parse(_ text: String) -> ParameterValue? {
        switch kind {
        case .integer: Int(text).map(ParameterValue.integer)
        case .number, .seconds: Double(text).flatMap { $0.isFinite ? ParameterValue.number($0) : nil }
        case .flag:
            switch text.lowercased() {
            case "true", "1", "yes", "on": .flag(true)
            case "false", "0", "no", "off": .flag(false)
            default: nil
            }
        }
    }
}

/// A stage's options written once: the table drives the model file's parameters, reading them
/// back, the command line's `NAME=VALUE` assignments and the documentation checks.
public struct OptionTable<Options>: Sendable {
    /// The model file's namespace for these options (`simplifier`, `builder`, `flows`).
    public let stage: String
    public let fields: [OptionField<Options>]

    public init(stage: String, fields: [OptionField<Options>]) {
        self.stage = stage
        self.fields = fields
    }

    /// The model-file name of `field`.
    public func parameterName(_ field: OptionField<Options>) -> String {
        stage + "." + field.name + (field.kind == .seconds ? "Seconds" : "")
    }

    /// The options as model-file parameters.
    public func parameters(of options: Options) -> LearningParameters {
        var parameters = LearningParameters()
        for field in fields { parameters[parameterName(field)] = field.value(in: options) }
        return parameters
    }

    /// `defaults` with the values `parameters` records for this stage; a missing name or a value
    /// of another kind keeps the default (other stages' names are ignored).
    public func options(from parameters: LearningParameters, defaults: Options) -> Options {
        var options = defaults
        for field in fields {
            if let value = parameters[parameterName(field)] { field.set(value, in: &options) }
        }
        return options
    }

    /// The field called `name`, with or without the stage's prefix and the `Seconds` suffix of
    /// a duration.
    public func field(named name: String) -> OptionField<Options>? {
        let bare = name.hasPrefix(stage + ".") ? String(name.dropFirst(stage.count + 1)) : name
        return fields.first { $0.name == bare || parameterName($0) == stage + "." + bare }
    }

    /// Applies one command-line assignment `NAME=VALUE`; returns the field it set.
    @discardableResult
    public func assign(_ assignment: String, to options: inout Options) throws(OptionAssignmentError) -> OptionField<Options> {
        let parts = assignment.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 2, let field = field(named: parts[0]) else {
            throw OptionAssignmentError(assignment: assignment,
                                        reason: "expected NAME=VALUE with NAME one of \(fields.map(\.name).joined(separator: ", "))")
        }
        guard let value = field.parse(parts[1]), field.set(value, in: &options) else {
            let expected = switch field.kind {
            case .integer: "an integer"
            case .number: "a number"
            case .seconds: "a number of seconds"
            case .flag: "true or false"
            }
            throw OptionAssignmentError(assignment: assignment, reason: "\(field.name) takes \(expected)")
        }
        return field
    }
}

/// A `NAME=VALUE` assignment that names no option or gives a value of the wrong kind.
public struct OptionAssignmentError: Error, Equatable, CustomStringConvertible {
    public let assignment: String
    public let reason: String
    public var description: String { "\(assignment): \(reason)" }
}
