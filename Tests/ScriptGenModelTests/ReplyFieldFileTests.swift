import Foundation
import ScriptGenModel
import ScriptGenTestSupport
import Testing

/// Reply fields in the model file (format 3) and their rendering, byte by byte.
@Suite struct ReplyFieldFileTests {
    static let id = ReplyField(message: 0, offset: 0, length: 2, source: .request(offset: 0))
    static let name = ReplyField(message: 0, offset: 4, length: 3, source: .request(offset: 4))

    static var model: ModelFile {
        let reply = ObservedReply(reply: Reply(messages: [[0x12, 0x34, 0x81, 0x80] + bytes("www") + [0x2A]]), count: 3, fields: [id, name])
        let machine = StateMachine(transport: .udp, port: 53, states: [
            State(edges: [Edge(pattern: .exact([0x12, 0x34, 0x01, 0x00] + bytes("www")), weight: 3, target: 1)], visits: 3),
            State(replies: [reply], visits: 3, endings: 3),
        ], conversations: 3)
        return ModelFile(toolVersion: "test", machines: [machine])
    }

    static func text(_ model: ModelFile) -> String { String(decoding: model.encode(), as: UTF8.self) }

    static func error(_ text: String) -> ModelLoadError? {
        do {
            _ = try ModelFile.decode(from: Array(text.utf8))
            return nil
        } catch {
            return error
        }
    }

    @Test func fieldsRoundTripInKeyOrder() throws {
        let text = Self.text(Self.model)
        #expect(text.components(separatedBy: #""class": "copy""#).count == 3)
        #expect(text.contains(#""requestOffset": 4"#))
        let decoded = try ModelFile.decode(from: Array(text.utf8))
        #expect(decoded == Self.model)
        #expect(decoded.encode() == Self.model.encode())
        // A reply without fields is written as before: no "fields" key.
        var plain = Self.model
        plain.machines[0].states[1].replies[0].fields = []
        #expect(!Self.text(plain).contains("fields"))
    }

    @Test func damagedFieldsAreRejectedWithWhere() throws {
        let text = Self.text(Self.model)
        let older = try #require(Self.error(text.replacingOccurrences(of: "\"formatVersion\": 3", with: "\"formatVersion\": 2")))
        #expect(older.description.contains("reply fields need format version 3"))
        #expect(older.path == "machines[0].states[1].replies[0].fields")
        let outside = try #require(Self.error(text.replacingOccurrences(of: #""length": 3"#, with: #""length": 30"#)))
        #expect(outside.description.contains("do not lie in a message of 8 bytes"))
        let overlapping = try #require(Self.error(text.replacingOccurrences(of: #""length": 2"#, with: #""length": 5"#)))
        #expect(overlapping.description.contains("must not overlap"))
        #expect(overlapping.path == "machines[0].states[1].replies[0].fields[1]")
        let lastClass = try #require(text.range(of: #""class": "copy""#, options: .backwards))
        let unknown = try #require(Self.error(text.replacingCharacters(in: lastClass, with: #""class": "magic""#)))
        #expect(unknown.description.contains("unknown field class \"magic\""))
        let lastMessage = try #require(text.range(of: #""message": 0"#, options: .backwards))
        let message = try #require(Self.error(text.replacingCharacters(in: lastMessage, with: #""message": 1"#)))
        #expect(message.description.contains("message 1 of a reply of 1"))
    }

    @Test func renderingCopiesTheRequestAndKeepsTheExampleWhereItIsTooShort() {
        let reply = Reply(messages: [[0x12, 0x34, 0x81, 0x80] + bytes("www") + [0x2A], bytes("second")])
        let fields = [Self.id, Self.name]
        var generator = SystemRandomNumberGenerator()
        #expect(reply.rendered(fields, context: RenderingContext(request: [0xBE, 0xEF, 0x01, 0x00] + bytes("ftp")), generator: &generator) == [[0xBE, 0xEF, 0x81, 0x80] + bytes("ftp") + [0x2A], bytes("second")])
        // Four bytes of request: the id is copied, the name's source lies beyond it.
        #expect(reply.rendered(fields, context: RenderingContext(request: [0xBE, 0xEF, 0x01, 0x00]), generator: &generator) == [[0xBE, 0xEF, 0x81, 0x80] + bytes("www") + [0x2A], bytes("second")])
        #expect(reply.rendered([], context: RenderingContext(), generator: &generator) == reply.messages)
    }

    @Test func inspectShowsAFieldInPlaceOfItsBytes() {
        let observed = Self.model.machines[0].states[1].replies[0]
        #expect(ModelRendering.preview(observed) == #"<copy request[0..<2]> hex 81 80 <copy request[4..<7]> "*""#)
    }
}
