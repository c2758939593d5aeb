import ScriptGenEmulation
import ScriptGenModel
@testable import ScriptGenSimplifier
import ScriptGenTestSupport
import Testing

/// Copy fields learned from crafted observations, byte by byte (docs/simplifier.md, *Reply fields*).
@Suite struct ReplyFieldInferenceTests {
    typealias Sample = ReplyFieldInference.Sample

    /// A binary request `id id 01 00 <name>` answered `id id 81 80 <name> 00 00 00 2a`, as a
    /// resolver echoes the transaction id and the question.
    static func sample(id: [UInt8], name: String, answer: [UInt8] = [0, 0, 0, 0x2A]) -> Sample {
        Sample(request: id + [0x01, 0x00] + bytes(name), reply: Reply(messages: [id + [0x81, 0x80] + bytes(name) + answer]))
    }

    @Test func anIdAndAnEchoedNameAreCopies() {
        var group = [Self.sample(id: [0x12, 0x34], name: "www"), Self.sample(id: [0xAB, 0x01], name: "ftp"),
                     Self.sample(id: [0x00, 0xFF], name: "abc")]
        // Requests of two lengths (one carries a trailing option): the offsets are fixed.
        group[2].request += [0x00, 0x29]
        let fields = ReplyFieldInference.copyFields(in: group, options: SimplifierOptions())
        #expect(fields == [
            ReplyField(message: 0, offset: 0, length: 2, source: .request(offset: 0)),
            ReplyField(message: 0, offset: 4, length: 3, source: .request(offset: 4)),
        ])
        // Requests all of one length are no evidence that an offset is fixed.
        group[2].request.removeLast(2)
        #expect(ReplyFieldInference.copyFields(in: group, options: SimplifierOptions()).isEmpty)
    }

    /// Bytes after a variable-length name move with it: only the header's id is a copy.
    @Test func bytesAfterAVariableLengthNameAreNotCopies() {
        let group = [Self.sample(id: [0x12, 0x34], name: "www"), Self.sample(id: [0xAB, 0x01], name: "ftpx"),
                     Self.sample(id: [0x00, 0xFF], name: "ab")]
        #expect(ReplyFieldInference.copyFields(in: group, options: SimplifierOptions())
            == [ReplyField(message: 0, offset: 0, length: 2, source: .request(offset: 0))])
    }

    /// Part of a word copied is chance: `Hello cli` + `ent.example` agrees with `EHLO client…`
    /// on a few letters only.
    @Test func partOfAWordIsNotACopy() {
        let group = ["client.example", "clown.example", "clever.example.org"].map { name in
            Sample(request: bytes("EHLO " + name + "\r\n"), reply: Reply(messages: [bytes("250 Hello " + String(name.prefix(4)) + "ent ok\r\n")]))
        }
        #expect(ReplyFieldInference.copyFields(in: group, options: SimplifierOptions()).isEmpty)
    }

    /// A copy grows over the neighbouring bytes for which it also holds: an id whose high byte
    /// happens to be equal in every observation is still copied whole.
    @Test func aCopyCoversBytesThatHappenedToBeEqual() {
        let group = [Self.sample(id: [0x12, 0x34], name: "www"), Self.sample(id: [0x12, 0x01], name: "wwww"),
                     Self.sample(id: [0x12, 0xFF], name: "ww")]
        let fields = ReplyFieldInference.copyFields(in: group, options: SimplifierOptions())
        // Bytes 0...1 (the id); the flags that follow differ from the request's.
        #expect(fields == [ReplyField(message: 0, offset: 0, length: 2, source: .request(offset: 0))])
    }

    @Test func tooFewObservationsOrAConstantAreNoEvidence() {
        let two = [Self.sample(id: [0x12, 0x34], name: "www"), Self.sample(id: [0xAB, 0x01], name: "ftp")]
        var options = SimplifierOptions()
        #expect(ReplyFieldInference.inferredFields(two, options: options).isEmpty)
        // The same id three times: nothing varies, nothing is learned.
        let same = Array(repeating: Self.sample(id: [0x12, 0x34], name: "www"), count: 3)
        #expect(ReplyFieldInference.copyFields(in: same, options: options).isEmpty)
        options.minCopyLength = 4
        let group = two + [Self.sample(id: [0x00, 0xFF], name: "abc")]
        #expect(ReplyFieldInference.copyFields(in: group, options: options).isEmpty)
    }

    /// A reply byte run that equals request bytes in some observations but not in all is a
    /// coincidence, not a copy; a varying answer no request explains stays as observed.
    @Test func aCoincidenceIsNotTakenForACopy() {
        let group = [
            Sample(request: bytes("GET AB"), reply: Reply(messages: [bytes("OK AB")])),
            Sample(request: bytes("GET CD"), reply: Reply(messages: [bytes("OK CD")])),
            Sample(request: bytes("GET EF"), reply: Reply(messages: [bytes("OK XY")])),
        ]
        #expect(ReplyFieldInference.copyFields(in: group, options: SimplifierOptions()).isEmpty)
        var answers = [Self.sample(id: [1, 2], name: "www", answer: [9, 9, 9, 1]),
                       Self.sample(id: [3, 4], name: "www", answer: [8, 8, 8, 2]),
                       Self.sample(id: [5, 6], name: "www", answer: [7, 7, 7, 3])]
        answers[0].request.append(0)
        #expect(ReplyFieldInference.copyFields(in: answers, options: SimplifierOptions())
            == [ReplyField(message: 0, offset: 0, length: 2, source: .request(offset: 0))])
    }

    /// Through the simplifier: queries differing in their id merge into one edge, their answers
    /// into one template with the id copied, and the emulator answers a new id with it.
    @Test func theSimplifiedMachineAnswersANewIdWithItsOwn() throws {
        let ids: [[UInt8]] = [[0x10, 0x01], [0x22, 0x9A], [0x35, 0x17], [0x4C, 0xE0], [0x5D, 0x42]]
        var raw = StateMachine(transport: .udp, port: 53, states: [State(visits: ids.count)], conversations: ids.count)
        for (index, id) in ids.enumerated() {
            var sample = Self.sample(id: id, name: "www")
            sample.request += Array(repeating: 0, count: index % 2)
            raw.states[0].edges.append(Edge(pattern: .exact(sample.request), weight: 1, target: raw.states.count))
            raw.states.append(State(replies: [ObservedReply(reply: sample.reply, count: 1)], visits: 1, endings: 1))
        }
        let (machine, report) = try simplifyChecked(raw)
        // Whatever edges the requests of two lengths make, every answer copies the id and the
        // answers of each state are one template.
        let id = ReplyField(message: 0, offset: 0, length: 2, source: .request(offset: 0))
        for state in machine.states.dropFirst() {
            #expect(state.replies.count == 1 && state.replies[0].fields == [id])
        }
        #expect(report.replyFields["copy"] == machine.states.count - 1)
        #expect(report.repliesJoinedIntoTemplates == ids.count - (machine.states.count - 1))

        var emulator = Emulator(machine: try CompiledMachine(machine), seed: 1)
        let query = Self.sample(id: [0xBE, 0xEF], name: "www")
        let sent = emulator.receiveDatagram(query.request).compactMap { action -> [UInt8]? in
            if case .send(let bytes) = action { return bytes }
            return nil
        }
        #expect(sent == query.reply.messages)

        var off = SimplifierOptions()
        off.replyFields = false
        let replayed = Simplifier.simplify(raw, options: off).0
        #expect(replayed.states.allSatisfy { $0.replies.allSatisfy { $0.fields.isEmpty } })
    }
}
