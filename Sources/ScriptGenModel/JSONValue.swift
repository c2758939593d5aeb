/// A JSON value with the byte offset where it starts, so that errors found while reading the
/// model can say where in the file the offending value is.
///
/// The model file has its own small JSON reader and writer instead of Foundation's: the model
/// module stays Foundation-free (the serving binary links it), loading is fast, syntax errors
/// carry exact byte offsets, and the writer's layout is fixed (sorted keys, stable indentation)
/// so the same model always gives the same bytes.
struct JSONValue: Hashable, Sendable {
    indirect enum Kind: Hashable, Sendable {
        case null
        case bool(Bool)
        /// The number's text as written; converted on use so integers stay exact.
        case number(String)
        case string(String)
        case array([JSONValue])
        case object([String: JSONValue])
    }

    var kind: Kind
    /// Offset of the value's first byte in the parsed input (0 for values built in memory).
    var offset: Int

    init(_ kind: Kind, offset: Int = 0) {
        self.kind = kind
        self.offset = offset
    }

    static func integer<T: BinaryInteger>(_ value: T) -> JSONValue { JSONValue(.number(String(value))) }
    static func string(_ value: String) -> JSONValue { JSONValue(.string(value)) }
    static func array(_ values: [JSONValue]) -> JSONValue { JSONValue(.array(values)) }
    static func object(_ members: [String: JSONValue]) -> JSONValue { JSONValue(.object(members)) }

    /// A word for the value's type, used in "expected X, found Y" messages.
    var typeName: String {
        switch kind {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}

/// One step of a path into a JSON document: `machines[0].states[3]` is
/// `[.key("machines"), .index(0), .key("states"), .index(3)]`.
enum JSONPathComponent: Hashable, Sendable {
    case key(String)
    case index(Int)

    /// Renders components as `machines[0].states[3].edges[1].target`; empty for the document.
    static func render(_ components: [JSONPathComponent]) -> String {
        var text = ""
        for component in components {
            switch component {
            case .key(let key):
                if !text.isEmpty { text += "." }
                text += key
            case .index(let index):
                text += "[\(index)]"
            }
        }
        return text
    }
}
