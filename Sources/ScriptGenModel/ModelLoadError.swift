/// Why a model file could not be loaded: what is wrong, where (the JSON path of the value and
/// the byte offset it starts at), so a truncated or hand-edited file can be fixed or replaced.
public struct ModelLoadError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Reason: Hashable, Sendable {
        /// The bytes are not JSON (a wrong byte, a duplicate key, invalid UTF-8, ...).
        case malformedJSON(String)
        /// The file ends in the middle of the JSON document: it was cut short.
        case truncated
        /// The file is JSON but not a ScriptGen model (no `formatVersion` at the top level).
        case notAModel(String)
        /// Written by a newer ScriptGen whose format this tool does not know.
        case unsupportedFormatVersion(found: Int, supported: Int)
        /// A required field is absent.
        case missingField
        /// A field holds a value of the wrong JSON type.
        case wrongType(expected: String, found: String)
        /// A field has the right type but an impossible value (a negative count, an edge to
        /// a state that does not exist, bad base64, ...).
        case invalidValue(String)
    }

    public var reason: Reason
    /// JSON path of the offending value, like `machines[0].states[3].edges[1].target`;
    /// empty when the problem is with the document as a whole.
    public var path: String
    /// Offset in the file of the offending byte or of the start of the offending value.
    public var byteOffset: Int

    public init(reason: Reason, path: String, byteOffset: Int) {
        self.reason = reason
        self.path = path
        self.byteOffset = byteOffset
    }

    public var description: String {
        let location = path.isEmpty ? "at byte \(byteOffset)" : "at \(path) (byte \(byteOffset))"
        switch reason {
        case .malformedJSON(let detail):
            return "not valid JSON \(location): \(detail)"
        case .truncated:
            return "the file is truncated: it ends at byte \(byteOffset)\(path.isEmpty ? "" : " inside \(path)")"
        case .notAModel(let detail):
            return "not a ScriptGen model: \(detail)"
        case .unsupportedFormatVersion(let found, let supported):
            if found > supported {
                return "format version \(found) is newer than this tool supports (\(supported)); use a newer scriptgen"
            }
            return "format version \(found) is not a valid version (this tool reads \(ModelFile.oldestReadableFormatVersion) to \(supported))"
        case .missingField:
            return "missing field \(location)"
        case .wrongType(let expected, let found):
            return "wrong type \(location): expected \(expected), found \(found)"
        case .invalidValue(let detail):
            return "invalid value \(location): \(detail)"
        }
    }
}
