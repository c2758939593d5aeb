/// The model file: everything learned from a set of captures, self-describing and versioned.
///
/// `encode()` gives the same bytes for the same value (sorted keys, fixed layout, base64
/// payloads), so learning the same captures with the same parameters gives a byte-identical
/// file. `decode(from:)` checks syntax, version, types and meaning (see docs/model-format.md).
public struct ModelFile: Hashable, Sendable {
    /// The format this tool writes and the newest it reads. Version 2 added `edgesOf` (a state
    /// that shares an earlier state's edge table), version 3 reply `fields` (ranges filled in
    /// when the reply is sent); older files are read as they are.
    public static let currentFormatVersion = 3
    /// The oldest format this tool reads.
    public static let oldestReadableFormatVersion = 1

    public var formatVersion: Int
    /// Version of the scriptgen that wrote the file.
    public var toolVersion: String
    public var parameters: LearningParameters
    public var provenance: Provenance
    /// One machine per (transport, port), sorted by transport then port.
    public var machines: [StateMachine]
    /// What the builder did per machine (thresholds, cuts); may be empty for hand-made models.
    public var buildReports: [BuildReport]

    public init(
        toolVersion: String, parameters: LearningParameters = LearningParameters(), provenance: Provenance = Provenance(),
        machines: [StateMachine], buildReports: [BuildReport] = [], formatVersion: Int = ModelFile.currentFormatVersion
    ) {
        self.formatVersion = formatVersion
        self.toolVersion = toolVersion
        self.parameters = parameters
        self.provenance = provenance
        self.machines = machines
        self.buildReports = buildReports
    }

    public func machine(transport: StateMachine.Transport, port: UInt16) -> StateMachine? {
        machines.first { $0.transport == transport && $0.port == port }
    }

    public func buildReport(transport: StateMachine.Transport, port: UInt16) -> BuildReport? {
        buildReports.first { $0.transport == transport && $0.port == port }
    }

    /// The largest count, weight, size or gap bound a model file may hold (2^53, the largest
    /// integer a JSON reader using doubles keeps exact), and the largest total of one state's
    /// reply counts or edge weights. Learned models stay far below it; a larger value is an
    /// edit, and rejecting it keeps every sum a reader makes of a few of them from overflowing.
    public static let maximumCount = 1 << 53

    /// Larger files are refused before parsing (a learned model is megabytes; loading takes
    /// several times the file size in memory). Readers should stop reading past it.
    public static let maximumFileBytes = 256 << 20

    /// The file's bytes: UTF-8 JSON ending in a newline.
    public func encode() -> [UInt8] {
        JSONWriter.write(jsonValue())
    }

    /// Reads a model file, rejecting anything that is not a well-formed model of a supported
    /// version with an error naming the JSON path and byte offset of the problem.
    public static func decode(from bytes: [UInt8]) throws(ModelLoadError) -> ModelFile {
        guard bytes.count <= maximumFileBytes else {
            throw ModelLoadError(
                reason: .notAModel("the file is \(bytes.count) bytes, more than the \(maximumFileBytes) a model may have"),
                path: "", byteOffset: maximumFileBytes
            )
        }
        let document: JSONValue
        do {
            document = try JSONParser.parse(bytes)
        } catch {
            if bytes.isEmpty {
                throw ModelLoadError(reason: .truncated, path: "", byteOffset: 0)
            }
            throw ModelLoadError(
                reason: error.truncated ? .truncated : .malformedJSON(error.reason),
                path: JSONPathComponent.render(error.path), byteOffset: error.byteOffset
            )
        }
        do {
            return try ModelFile(json: document)
        } catch {
            throw error.loadError
        }
    }
}
