import Foundation
@testable import ScriptGenModel
import Testing
import ScriptGenTestSupport

/// Format 2's `edgesOf`: states with the same edges as an earlier state name it instead of
/// repeating the table (merged contexts give hundreds of states with one table).
@Suite struct SharedEdgeTableTests {
    /// Three states sharing one two-edge table, and a leaf.
    static let machine: StateMachine = {
        let table = [
            Edge(pattern: .exact(bytes("NOOP\r\n")), weight: 2, target: 1),
            Edge(pattern: Pattern(elements: [.fixed(bytes("CWD ")), .variable(min: 1, max: 9), .fixed(bytes("\r\n"))]), weight: 1, target: 2),
        ]
        return StateMachine(transport: .tcp, port: 21, states: [
            State(replies: [ObservedReply(reply: Reply(messages: [bytes("220 hi\r\n")]), count: 1)], edges: table, visits: 1),
            State(replies: [ObservedReply(reply: Reply(messages: [bytes("200 ok\r\n")]), count: 2)], edges: table, visits: 2),
            State(replies: [ObservedReply(reply: Reply(messages: [bytes("250 ok\r\n")]), count: 1)], edges: table, visits: 1, endings: 1),
            State(visits: 0),
        ], conversations: 1)
    }()

    static var model: ModelFile {
        ModelFile(toolVersion: "test", parameters: LearningParameters(), provenance: Provenance(), machines: [machine])
    }

    @Test func aRepeatedTableIsWrittenOnceAndReadBackEqual() throws {
        let text = String(decoding: Self.model.encode(), as: UTF8.self)
        #expect(text.components(separatedBy: "\"edgesOf\": 0").count - 1 == 2)
        #expect(text.components(separatedBy: Base64.encode(bytes("NOOP\r\n"))).count - 1 == 1)
        let decoded = try ModelFile.decode(from: Array(text.utf8))
        #expect(decoded == Self.model)
        #expect(decoded.encode() == Self.model.encode())
    }

    @Test func formatOneFilesWithoutEdgesOfStillRead() throws {
        var model = Self.model
        model.machines[0].states[1].edges = []
        model.machines[0].states[2].edges = []
        let text = String(decoding: model.encode(), as: UTF8.self).replacingOccurrences(of: "\"formatVersion\": 3", with: "\"formatVersion\": 1")
        #expect(!text.contains("edgesOf"))
        #expect(try ModelFile.decode(from: Array(text.utf8)).formatVersion == 1)
    }

    @Test func dotDrawsASharedTableOnce() {
        let dot = ModelRendering.dot(of: Self.machine)
        #expect(dot.components(separatedBy: "NOOP").count - 1 == 1)
        #expect(dot.components(separatedBy: "style=dashed").count - 1 == 2)
        #expect(dot.contains("s1 -> s0 [style=dashed"))
        #expect(dot.contains("(the 2 edges of state 0)"))
    }

    func loadError(_ text: String) -> ModelLoadError? {
        do {
            _ = try ModelFile.decode(from: Array(text.utf8))
            return nil
        } catch {
            return error
        }
    }

    @Test func badReferencesAreRejectedWithTheirPath() throws {
        let text = String(decoding: Self.model.encode(), as: UTF8.self)
        let forward = try #require(loadError(text.replacingOccurrences(of: "\"edgesOf\": 0", with: "\"edgesOf\": 3")))
        #expect(forward.path == "machines[0].states[1].edgesOf")
        #expect(forward.description.contains("edgesOf must name an earlier state (0...0), not 3"))
        // A chain: state 2 names state 1, which shares state 0's table itself.
        var chained = text
        chained.replaceSubrange(try #require(text.range(of: "\"edgesOf\": 0", options: .backwards)), with: "\"edgesOf\": 1")
        let chain = try #require(loadError(chained))
        #expect(chain.description.contains("shares the edges of another state itself"))
        let neither = try #require(loadError(text.replacingOccurrences(of: "\"edgesOf\": 0", with: "\"edgesOff\": 0")))
        #expect(neither.reason == .missingField)
        #expect(neither.path == "machines[0].states[1].edges")
    }
}
