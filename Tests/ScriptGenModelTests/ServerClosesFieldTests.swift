@testable import ScriptGenModel
import Testing

/// `serverCloses` in the model file: optional within format 2, written only when not 0.
@Suite struct ServerClosesFieldTests {
    /// The sample model with the last state's two endings both closed by the server.
    private static var closingModel: ModelFile {
        var model = sampleModel
        model.machines[0].states[2].serverCloses = 2
        return model
    }

    private static func text(_ model: ModelFile) -> String {
        String(decoding: model.encode(), as: UTF8.self)
    }

    @Test func aStateWithoutClosesIsWrittenAsBefore() {
        #expect(!Self.text(sampleModel).contains("serverCloses"))
        #expect(Self.text(sampleModel) == sampleModelJSON)
    }

    @Test func closesAreWrittenInKeyOrderAndRoundTrip() throws {
        let text = Self.text(Self.closingModel)
        #expect(text.contains("""
                  "replies": [{"count": 1, "messages": ["MjMwIExvZ2dlZCBpbg0K"]}, {"count": 1, "messages": ["NTMwIExvZ2luIGluY29ycmVjdA0K"]}],
                  "serverCloses": 2,
                  "visits": 2
        """))
        #expect(text.components(separatedBy: "serverCloses").count == 2)
        let decoded = try ModelFile.decode(from: Array(text.utf8))
        #expect(decoded == Self.closingModel)
        #expect(decoded.encode() == Self.closingModel.encode())
    }

    @Test func aFileWithoutTheFieldReadsAsNoCloses() throws {
        let decoded = try ModelFile.decode(from: Array(sampleModelJSON.utf8))
        #expect(decoded.machines[0].states.allSatisfy { $0.serverCloses == 0 })
        // A format-1 file (before `edgesOf`) has no closes either.
        let versionOne = sampleModelJSON.replacingFirst("\"formatVersion\": 3", with: "\"formatVersion\": 1")
        #expect(try ModelFile.decode(from: Array(versionOne.utf8)).machines == sampleModel.machines)
    }

    @Test func anExplicitZeroIsReadAndNotWrittenBack() throws {
        let text = Self.text(sampleModel).replacingFirst("\"endings\": 2,", with: "\"endings\": 2, \"serverCloses\": 0,")
        let decoded = try ModelFile.decode(from: Array(text.utf8))
        #expect(decoded == sampleModel)
        #expect(decoded.encode() == sampleModel.encode())
    }

    @Test func impossibleCountsAreRejectedWithTheirPathAndOffset() throws {
        let cases: [(String, ModelLoadError.Reason)] = [
            ("3", .invalidValue("3 server closes but only 2 endings: each close ends a conversation")),
            ("-1", .invalidValue("-1 is negative; a count cannot be")),
            ("9007199254740993", .invalidValue("9007199254740993 is above 9007199254740992, the largest count a model holds")),
            ("\"2\"", .wrongType(expected: "an integer", found: "a string")),
            ("1.5", .wrongType(expected: "an integer", found: "the number 1.5")),
        ]
        for (value, reason) in cases {
            let text = Self.text(Self.closingModel).replacingFirst("\"serverCloses\": 2", with: "\"serverCloses\": \(value)")
            do {
                _ = try ModelFile.decode(from: Array(text.utf8))
                Issue.record("\(value) was accepted")
            } catch {
                #expect(error.reason == reason, "\(value)")
                #expect(error.path == "machines[0].states[2].serverCloses", "\(value)")
                #expect(error.byteOffset == Array(text.utf8).firstRange(of: Array("\"serverCloses\": \(value)".utf8))!.lowerBound + 16, "\(value)")
            }
        }
    }
}

private extension String {
    func replacingFirst(_ target: String, with replacement: String) -> String {
        var copy = self
        guard let range = copy.firstRange(of: target) else { preconditionFailure("\(target) not found") }
        copy.replaceSubrange(range, with: replacement)
        return copy
    }
}

/// `inspect --tree` and `--dot` show where the server closed.
@Suite struct ServerCloseRenderingTests {
    private static var machine: StateMachine {
        var machine = ftpMachine
        machine.states[2].serverCloses = 2   // both endings of 2 visits: a majority
        machine.states[1].serverCloses = 1   // hand-made: 1 of 3 visits, no majority
        machine.states[1].endings = 1
        return machine
    }

    @Test func theTreeSaysClosesNOfM() {
        #expect(ModelRendering.tree(of: Self.machine) == #"""
            tcp/21: 3 conversations, 3 states, 2 edges, depth 2
            state 0: 3 visits, 0 endings
              reply 3x "220 FTP ready\r\n"
              "USER " <var 4-9 bytes> "\r\n" (weight 3) -> state 1: 3 visits, 1 ending, closes 1/3
                reply 3x "331 Password required\r\n"
                (1 request cut by the fan-out or state limit)
                "PASS guest\r\n" (weight 2) -> state 2: 2 visits, 2 endings, closes 2/2
                  reply 1x "230 Logged in\r\n"
                  reply 1x "530 Login incorrect\r\n"

            """#)
    }

    @Test func theGraphDoublesTheBorderWhereMostVisitsClosed() {
        let dot = ModelRendering.dot(of: Self.machine)
        #expect(dot.contains(#"s1 [label="state 1: 3 visits, 1 ending, closes 1/3\l3x \"331 Password required\\r\\n\"\l(1 request cut)\l"];"#))
        #expect(dot.contains(#"s2 [label="state 2: 2 visits, 2 endings, closes 2/2\l1x \"230 Logged in\\r\\n\"\l1x \"530 Login incorrect\\r\\n\"\l", peripheries=2];"#))
        #expect(!ModelRendering.dot(of: ftpMachine).contains("peripheries"))
    }

    @Test func exactlyHalfTheVisitsIsNoDoubledBorder() {
        var machine = ftpMachine
        machine.states[2].serverCloses = 1
        #expect(!ModelRendering.dot(of: machine).contains("peripheries"))
        #expect(ModelRendering.tree(of: machine).contains("state 2: 2 visits, 2 endings, closes 1/2"))
    }
}
