@testable import ScriptGenModel
import Testing

/// Review finding: `edgesOf` is a format 2 field, but the writer uses it whatever
/// `formatVersion` the value carries, and the reader accepts it in a version 1 file.
@Suite struct SharedEdgeTableVersionTests {
    /// A version 1 model read and written again (`export-honeyd` copies the model it read)
    /// must stay readable by a version 1 reader: no `edgesOf` under `"formatVersion": 1`.
    @Test func aFormatOneModelIsWrittenWithoutEdgesOf() throws {
        var model = SharedEdgeTableTests.model
        model.formatVersion = 1
        let text = String(decoding: model.encode(), as: UTF8.self)
        #expect(!(text.contains("\"formatVersion\": 1") && text.contains("edgesOf")))
    }

    /// A file that says it is version 1 cannot use a field version 2 added.
    @Test func edgesOfInAFormatOneFileIsRejected() {
        let text = String(decoding: SharedEdgeTableTests.model.encode(), as: UTF8.self)
            .replacingOccurrences(of: "\"formatVersion\": 3", with: "\"formatVersion\": 1")
        #expect(text.contains("edgesOf"))
        #expect(throws: ModelLoadError.self) { try ModelFile.decode(from: Array(text.utf8)) }
    }
}
