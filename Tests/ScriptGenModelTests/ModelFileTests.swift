@testable import ScriptGenModel
import Testing

/// Decodes `text`, expecting a failure; returns the error.
private func loadError(_ text: String) -> ModelLoadError? {
    loadError(Array(text.utf8))
}

private func loadError(_ bytes: [UInt8]) -> ModelLoadError? {
    do {
        _ = try ModelFile.decode(from: bytes)
        return nil
    } catch {
        return error
    }
}

/// The sample model's JSON with `original` replaced by `replacement` (exactly once).
private func edited(_ original: String, _ replacement: String) -> String {
    let text = String(decoding: sampleModel.encode(), as: UTF8.self)
    let parts = text.components(separatedBy: original)
    precondition(parts.count == 2, "\(original) must occur exactly once")
    return parts.joined(separator: replacement)
}

/// Byte offset of the first occurrence of `needle` in the sample model's JSON.
private func offset(of needle: String, in text: String) -> Int {
    let bytes = Array(text.utf8), pattern = Array(needle.utf8)
    for start in 0...(bytes.count - pattern.count) where Array(bytes[start..<(start + pattern.count)]) == pattern {
        return start
    }
    preconditionFailure("\(needle) not found")
}

let sampleModelJSON = """
{
  "buildReports": [
    {
      "consecutiveClientMessages": 0,
      "conversationsUsed": 3,
      "conversationsWithGaps": 0,
      "depth": 2,
      "edges": 2,
      "emptyConversations": 0,
      "largestFanout": 1,
      "messagesDroppedAtGaps": 0,
      "messagesDroppedByLimits": 0,
      "pathsCutByStateLimit": 0,
      "port": 21,
      "requestsCutByFanout": 1,
      "states": 3,
      "transport": "tcp"
    }
  ],
  "formatVersion": 3,
  "machines": [
    {
      "conversations": 3,
      "port": 21,
      "states": [
        {
          "cutRequests": 0,
          "edges": [
            {
              "pattern": [{"fixed": "VVNFUiA="}, {"var": [4, 9]}, {"fixed": "DQo="}],
              "target": 1,
              "weight": 3
            }
          ],
          "endings": 0,
          "replies": [{"count": 3, "messages": ["MjIwIEZUUCByZWFkeQ0K"]}],
          "visits": 3
        },
        {
          "cutRequests": 1,
          "edges": [
            {"pattern": [{"fixed": "UEFTUyBndWVzdA0K"}], "target": 2, "weight": 2}
          ],
          "endings": 0,
          "replies": [{"count": 3, "messages": ["MzMxIFBhc3N3b3JkIHJlcXVpcmVkDQo="]}],
          "visits": 3
        },
        {
          "cutRequests": 0,
          "edges": [],
          "endings": 2,
          "replies": [{"count": 1, "messages": ["MjMwIExvZ2dlZCBpbg0K"]}, {"count": 1, "messages": ["NTMwIExvZ2luIGluY29ycmVjdA0K"]}],
          "visits": 2
        }
      ],
      "transport": "tcp"
    }
  ],
  "parameters": {"builder.maxFanout": 64, "builder.maxStates": 10000},
  "provenance": {
    "captures": [
      {
        "conversations": 4,
        "firstPacketTime": "2005-03-01T12:00:00.25Z",
        "lastPacketTime": "2005-03-01T12:01:00Z",
        "name": "ftp.pcap",
        "sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        "sizeBytes": 4812
      }
    ],
    "conversationsRead": 4,
    "conversationsUsed": 3
  },
  "toolVersion": "0.1.0"
}

"""

@Suite struct ModelFileTests {
    @Test func encodingHasTheDocumentedLayout() {
        #expect(String(decoding: sampleModel.encode(), as: UTF8.self) == sampleModelJSON)
    }

    @Test func roundTripGivesAnEqualModelAndIdenticalBytes() throws {
        let encoded = sampleModel.encode()
        let decoded = try ModelFile.decode(from: encoded)
        #expect(decoded == sampleModel)
        #expect(decoded.encode() == encoded)
        #expect(sampleModel.encode() == encoded)
    }

    @Test func unusualValuesRoundTrip() throws {
        var model = sampleModel
        model.toolVersion = "0.2.0-dev \"quoted\" \\ tab\t é 🚀"
        model.parameters["simplifier.macroThreshold"] = .number(0.35)
        model.parameters["simplifier.tiny"] = .number(1e-300)
        model.parameters["simplifier.whole"] = .number(2.0)
        model.parameters["learn.raw"] = .flag(true)
        model.parameters["learn.note"] = .text("line\nbreak")
        model.parameters["learn.negative"] = .integer(-5)
        model.provenance.captures.append(CaptureProvenance(name: "empty.pcap", sizeBytes: 24, sha256: "00", conversations: 0))
        model.provenance.captures.append(CaptureProvenance(name: "old.pcap", sizeBytes: 1, sha256: "11", firstPacketTime: -1_500_000_001, lastPacketTime: 0))
        var udp = StateMachine(transport: .udp, port: 65535, states: [
            State(replies: [ObservedReply(reply: .silence, count: 1), ObservedReply(reply: Reply(messages: [[0, 255, 10], []]), count: 0)],
                  edges: [Edge(pattern: Pattern(elements: []), weight: 0, target: 0),
                          Edge(pattern: Pattern(elements: [.variable(min: 0, max: 0), .fixed(Array(0...255))]), weight: 1, target: 1)]),
            State(),
        ])
        udp.conversations = 1
        model.machines.append(udp)
        let decoded = try ModelFile.decode(from: model.encode())
        #expect(decoded == model)
        #expect(decoded.encode() == model.encode())
    }

    @Test func everyTruncationIsReportedAsTruncated() {
        let full = sampleModel.encode()
        // Dropping only the final newline leaves a complete document.
        for length in 0..<(full.count - 1) {
            let error = loadError(Array(full[..<length]))
            #expect(error?.reason == .truncated, "length \(length)")
            #expect(error?.byteOffset == length, "length \(length)")
        }
        #expect(loadError(Array(full.dropLast())) == nil)
    }

    @Test func truncationSaysWhereInTheDocumentItStopped() throws {
        let full = sampleModelJSON
        let cut = offset(of: "\"MzMxIFBhc3N3b3JkIHJlcXVpcmVkDQo=\"", in: full) + 5
        let error = try #require(loadError(Array(Array(full.utf8)[..<cut])))
        #expect(error.path == "machines[0].states[1].replies[0].messages[0]")
        #expect(error.description == "the file is truncated: it ends at byte \(cut) inside machines[0].states[1].replies[0].messages[0]")
    }

    @Test func aNewerFormatVersionIsRefusedBeforeAnythingElse() throws {
        let error = try #require(loadError(#"{"formatVersion": 7, "machines": "whatever the future holds"}"#))
        #expect(error.reason == .unsupportedFormatVersion(found: 7, supported: 3))
        #expect(error.path == "formatVersion")
        #expect(error.byteOffset == 18)
        #expect(error.description == "format version 7 is newer than this tool supports (3); use a newer scriptgen")
        let zero = try #require(loadError(edited("\"formatVersion\": 3", "\"formatVersion\": 0")))
        #expect(zero.description == "format version 0 is not a valid version (this tool reads 1 to 3)")
    }

    @Test func documentsThatAreNotModelsAreNamedSo() throws {
        #expect(loadError("[1, 2]")?.reason == .notAModel("the document is an array, not an object"))
        #expect(loadError(#"{"name": "x"}"#)?.reason == .notAModel("the top-level object has no \"formatVersion\" field"))
        let text = try #require(loadError(#"{"formatVersion": "1"}"#))
        #expect(text.reason == .wrongType(expected: "an integer", found: "a string"))
        #expect(loadError(#"{"formatVersion": 1.5}"#)?.reason == .wrongType(expected: "an integer", found: "the number 1.5"))
    }

    /// Loading takes several times the file size in memory: larger files are refused unparsed.
    @Test func filesOverTheSizeLimitAreRefusedBeforeParsing() {
        #expect(ModelFile.maximumFileBytes == 256 << 20)
        let tooLarge = [UInt8](repeating: 0x20, count: ModelFile.maximumFileBytes + 1)
        let error = loadError(tooLarge)
        #expect(error?.reason == .notAModel("the file is 268435457 bytes, more than the 268435456 a model may have"))
        #expect(error?.byteOffset == ModelFile.maximumFileBytes)
    }

    @Test func malformedJSONGivesTheOffendingByte() throws {
        let cases: [(String, String, Int)] = [
            ("{\"a\" 1}", "expected ':' after a key, found '1'", 5),
            ("{\"a\": 1,}", "expected a quoted key in an object, found '}'", 8),
            ("[1, 2,]", "expected a value, found ']'", 6),
            ("{\"a\": 01}", "numbers must not have leading zeros", 6),
            ("{\"a\": 1} x", "unexpected data after the end of the JSON document", 9),
            ("{\"a\": 1, \"a\": 2}", "duplicate key \"a\"", 9),
            ("{\"a\": \"\\q\"}", "invalid escape \\q", 7),
            ("{\"a\": \"x\u{01}\"}", "a control character (byte 0x01) inside a string", 8),
            ("{\"a\": tru }", "invalid literal (expected true)", 6),
            ("{\"a\": -}", "a number needs digits after '-'", 7),
            ("{\"a\": \"\\ud800x\"}", "an unpaired UTF-16 surrogate in a \\u escape", 13),
        ]
        for (text, reason, offset) in cases {
            let error = loadError(text)
            #expect(error?.reason == .malformedJSON(reason), "\(text)")
            #expect(error?.byteOffset == offset, "\(text)")
        }
        let invalidUTF8: [UInt8] = Array("{\"a\": \"".utf8) + [0xC3, 0x28] + Array("\"}".utf8)
        #expect(loadError(invalidUTF8)?.reason == .malformedJSON("a string holds invalid UTF-8"))
        let deep = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        #expect(loadError(deep)?.reason == .malformedJSON("nesting deeper than 64 levels"))
    }

    @Test func anEdgeToAMissingStateIsRejectedWithItsPath() throws {
        let text = edited("\"target\": 2", "\"target\": 9")
        let error = try #require(loadError(text))
        #expect(error.reason == .invalidValue("target state 9 does not exist (the machine has 3 states)"))
        #expect(error.path == "machines[0].states[1].edges[0].target")
        #expect(error.byteOffset == offset(of: "9, \"weight\"", in: text))
        #expect(error.description == "invalid value at machines[0].states[1].edges[0].target (byte \(error.byteOffset)): target state 9 does not exist (the machine has 3 states)")
    }

    @Test func editedValuesAreRejectedWithTheirPath() throws {
        let cases: [(String, String, ModelLoadError.Reason, String)] = [
            ("\"visits\": 2", "\"visits\": -2", .invalidValue("-2 is negative; a count cannot be"), "machines[0].states[2].visits"),
            ("\"weight\": 2", "\"weight\": \"2\"", .wrongType(expected: "an integer", found: "a string"), "machines[0].states[1].edges[0].weight"),
            ("\"count\": 3, \"messages\": [\"MzMx", "\"count\": 3.5, \"messages\": [\"MzMx", .wrongType(expected: "an integer", found: "the number 3.5"), "machines[0].states[1].replies[0].count"),
            ("\"MjMwIExvZ2dlZCBpbg0K\"", "\"MjMwIExvZ2dlZCBpbg0\"", .invalidValue("not canonical base64 (RFC 4648, with padding)"), "machines[0].states[2].replies[0].messages[0]"),
            ("\"transport\": \"tcp\"\n    }\n  ],\n  \"parameters\"", "\"transport\": \"sctp\"\n    }\n  ],\n  \"parameters\"", .invalidValue("unknown transport \"sctp\" (expected \"tcp\" or \"udp\")"), "machines[0].transport"),
            ("\"conversations\": 3,\n      \"port\": 21", "\"conversations\": 3,\n      \"port\": 70000", .invalidValue("port 70000 is outside 0...65535"), "machines[0].port"),
            ("{\"var\": [4, 9]}", "{\"var\": [9, 4]}", .invalidValue("a variable element's min 9 is above its max 4"), "machines[0].states[0].edges[0].pattern[1].var"),
            ("{\"var\": [4, 9]}", "{\"var\": [4]}", .invalidValue("a variable element is [min, max]; found 1 numbers"), "machines[0].states[0].edges[0].pattern[1].var"),
            ("{\"var\": [4, 9]}", "{\"any\": [4, 9]}", .invalidValue("a pattern element has exactly one key, \"fixed\" or \"var\""), "machines[0].states[0].edges[0].pattern[1]"),
            ("{\"fixed\": \"DQo=\"}", "{\"fixed\": \"\"}", .invalidValue("a fixed element cannot be empty"), "machines[0].states[0].edges[0].pattern[2].fixed"),
            ("\"2005-03-01T12:01:00Z\"", "\"2005-02-30T12:01:00Z\"", .invalidValue("\"2005-02-30T12:01:00Z\" is not a UTC time like 2005-03-01T12:00:00.5Z (between 1677-09-21 and 2262-04-11)"), "provenance.captures[0].lastPacketTime"),
            // Counts above 2^53 are edits; with two of them the statistics sums used to trap.
            ("\"visits\": 2", "\"visits\": 9007199254740993", .invalidValue("9007199254740993 is above 9007199254740992, the largest count a model holds"), "machines[0].states[2].visits"),
            ("\"endings\": 2", "\"endings\": 9223372036854775807", .invalidValue("9223372036854775807 is above 9007199254740992, the largest count a model holds"), "machines[0].states[2].endings"),
            ("{\"var\": [4, 9]}", "{\"var\": [4, 9007199254740993]}", .invalidValue("9007199254740993 is above 9007199254740992, the largest count a model holds"), "machines[0].states[0].edges[0].pattern[1].var[1]"),
            ("{\"count\": 1, \"messages\": [\"MjMw", "{\"count\": 9007199254740992, \"messages\": [\"MjMw", .invalidValue("the reply counts add up to more than 9007199254740992, the largest count a model holds"), "machines[0].states[2].replies"),
            // Years 0000-9999 parse, but only 1677-2262 fit Int64 nanoseconds (this used to trap).
            ("\"2005-03-01T12:00:00.25Z\"", "\"3000-01-01T00:00:00Z\"", .invalidValue("\"3000-01-01T00:00:00Z\" is not a UTC time like 2005-03-01T12:00:00.5Z (between 1677-09-21 and 2262-04-11)"), "provenance.captures[0].firstPacketTime"),
            ("\"builder.maxStates\": 10000", "\"builder.maxStates\": null", .wrongType(expected: "a number, boolean or string", found: "null"), "parameters.builder.maxStates"),
            ("\"toolVersion\": \"0.1.0\"", "\"toolVersion\": [\"0.1.0\"]", .wrongType(expected: "a string", found: "an array"), "toolVersion"),
            ("\"edges\": [],", "\"edges\": {},", .wrongType(expected: "an array", found: "an object"), "machines[0].states[2].edges"),
        ]
        for (original, replacement, reason, path) in cases {
            let error = loadError(edited(original, replacement))
            #expect(error?.reason == reason, "\(replacement)")
            #expect(error?.path == path, "\(replacement)")
        }
    }

    @Test func missingFieldsAndStatesAreNamed() throws {
        let missing = try #require(loadError(edited("\"endings\": 2,\n", "")))
        #expect(missing.reason == .missingField)
        #expect(missing.path == "machines[0].states[2].endings")
        #expect(missing.description.hasPrefix("missing field at machines[0].states[2].endings (byte "))

        var noStates = sampleModel
        noStates.machines[0].states = []
        let root = try #require(loadError(noStates.encode()))
        #expect(root.reason == .invalidValue("no states: the root state (index 0) is missing"))
        #expect(root.path == "machines[0].states")
    }

    @Test func aSecondMachineForThePortIsRejected() throws {
        var model = sampleModel
        model.machines.append(ftpMachine)
        let error = try #require(loadError(model.encode()))
        #expect(error.reason == .invalidValue("a second entry for tcp/21 (the first is at index 0)"))
        #expect(error.path == "machines[1]")
    }

    @Test func unknownFieldsAreIgnoredAndUnknownParametersKept() throws {
        let text = edited("\"toolVersion\": \"0.1.0\"", "\"toolVersion\": \"0.1.0\", \"futureField\": {\"x\": [1]}")
            .replacingOccurrences(of: "\"builder.maxStates\": 10000", with: "\"builder.maxStates\": 10000, \"future.knob\": 0.5")
        let model = try ModelFile.decode(from: Array(text.utf8))
        #expect(model.machines == sampleModel.machines)
        #expect(model.parameters["future.knob"] == .number(0.5))
    }

    @Test func lookupsFindMachinesAndReports() {
        #expect(sampleModel.machine(transport: .tcp, port: 21) == ftpMachine)
        #expect(sampleModel.machine(transport: .udp, port: 21) == nil)
        #expect(sampleModel.buildReport(transport: .tcp, port: 21)?.requestsCutByFanout == 1)
    }
}

private extension String {
    func replacingOccurrences(of target: String, with replacement: String) -> String {
        components(separatedBy: target).joined(separator: replacement)
    }

    func components(separatedBy separator: String) -> [String] {
        var parts = [String]()
        var rest = Substring(self)
        while let range = rest.firstRange(of: separator) {
            parts.append(String(rest[..<range.lowerBound]))
            rest = rest[range.upperBound...]
        }
        parts.append(String(rest))
        return parts
    }
}
