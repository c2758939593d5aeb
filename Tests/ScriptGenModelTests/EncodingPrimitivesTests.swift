import Foundation
@testable import ScriptGenModel
import Testing

@Suite struct Base64Tests {
    @Test(arguments: [("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="), ("fooba", "Zm9vYmE="), ("foobar", "Zm9vYmFy")])
    func rfc4648Vectors(plain: String, encoded: String) {
        #expect(Base64.encode(Array(plain.utf8)) == encoded)
        #expect(Base64.decode(encoded) == Array(plain.utf8))
    }

    @Test func appendAgreesWithFoundationAfterAPrefix() {
        for length in 0..<64 {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 * 151 + 7) }
            var output = Array("prefix:".utf8)
            Base64.append(bytes, to: &output)
            #expect(output == Array("prefix:".utf8) + Array(Data(bytes).base64EncodedString().utf8), "length \(length)")
        }
    }

    /// Every 12-bit group in both halves of a 3-byte chunk, against Foundation.
    @Test func everyPairOfSymbolsAgreesWithFoundation() {
        var bytes: [UInt8] = []
        for value in 0..<4096 {
            bytes += [UInt8(value >> 4), UInt8((value & 0xF) << 4 | value >> 8), UInt8(value & 0xFF)]
        }
        #expect(Base64.encode(bytes) == Data(bytes).base64EncodedString())
        var output = [UInt8](repeating: 0, count: Base64.encodedCount(bytes.count))
        output.withUnsafeMutableBufferPointer { out in bytes.withUnsafeBufferPointer { Base64.encode($0, into: out.baseAddress!) } }
        #expect(String(decoding: output, as: UTF8.self) == Data(bytes).base64EncodedString())
    }

    @Test func everyByteValueAndLengthRoundTrips() {
        for length in 0..<10 {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 * 97 + 200) }
            #expect(Base64.decode(Base64.encode(bytes)) == bytes)
        }
        let all = Array(0...255).map(UInt8.init)
        #expect(Base64.decode(Base64.encode(all)) == all)
    }

    @Test(arguments: ["Zg", "Zg=", "Zh==", "Zm9=", "Z===", "Zm 9v", "Zm9v\n", "Zg==Zg==", "Zm-v", "=Zg="])
    func nonCanonicalTextIsRejected(text: String) {
        #expect(Base64.decode(text) == nil)
    }
}

@Suite struct ModelTimeTests {
    @Test func knownTimes() {
        #expect(ModelTime.format(nanoseconds: 0) == "1970-01-01T00:00:00Z")
        #expect(ModelTime.format(nanoseconds: 1_109_678_400_250_000_000) == "2005-03-01T12:00:00.25Z")
        #expect(ModelTime.format(nanoseconds: 951_782_400_000_000_001) == "2000-02-29T00:00:00.000000001Z")
        #expect(ModelTime.format(nanoseconds: -1) == "1969-12-31T23:59:59.999999999Z")
        #expect(ModelTime.parse("2005-03-01T12:00:00.25Z") == 1_109_678_400_250_000_000)
        #expect(ModelTime.parse("1970-01-01T00:00:00Z") == 0)
    }

    @Test func formatAndParseAgree() {
        var value: Int64 = -3_000_000_000_000_000_000
        while value < 3_000_000_000_000_000_000 {
            #expect(ModelTime.parse(ModelTime.format(nanoseconds: value)) == value)
            value += 7_777_777_777_777_777
        }
    }

    /// The whole Int64 range formats and parses back (a pcapng with a huge tick count gave
    /// `Int64.min + 192`, and formatting it trapped).
    @Test func theInt64ExtremesRoundTrip() {
        let extremes: [(Int64, String)] = [
            (Int64.min, "1677-09-21T00:12:43.145224192Z"), (Int64.min + 192, "1677-09-21T00:12:43.145224384Z"),
            (Int64.min + 854_775_808, "1677-09-21T00:12:44Z"), (Int64.max, "2262-04-11T23:47:16.854775807Z"),
        ]
        for (value, text) in extremes {
            #expect(ModelTime.format(nanoseconds: value) == text)
            #expect(ModelTime.parse(text) == value)
        }
    }

    /// Valid dates whose nanoseconds since 1970 do not fit an Int64 are nil, not a trap.
    @Test(arguments: ["3000-01-01T00:00:00Z", "9999-12-31T23:59:59.999999999Z", "0000-01-01T00:00:00Z",
                      "1677-09-21T00:12:43.145224191Z", "2262-04-11T23:47:16.854775808Z", "1600-01-01T00:00:00.5Z"])
    func timesOutsideTheInt64RangeAreRejected(text: String) {
        #expect(ModelTime.parse(text) == nil)
    }

    @Test(arguments: ["", "2005-03-01", "2005-03-01T12:00:00", "2005-03-01 12:00:00Z", "2005-13-01T12:00:00Z",
                      "2005-02-29T12:00:00Z", "2005-03-01T24:00:00Z", "2005-03-01T12:60:00Z", "2005-03-01T12:00:00.Z",
                      "2005-03-01T12:00:00.1234567891Z", "2005-03-01T12:00:00+01:00", "20O5-03-01T12:00:00Z"])
    func malformedTimesAreRejected(text: String) {
        #expect(ModelTime.parse(text) == nil)
    }
}

@Suite struct JSONTests {
    private func parse(_ text: String) throws -> JSONValue {
        try JSONParser.parse(Array(text.utf8))
    }

    @Test func scalarsAndEscapes() throws {
        #expect(try parse(" true ").kind == .bool(true))
        #expect(try parse("null").kind == .null)
        #expect(try parse("-12.5e+3").kind == .number("-12.5e+3"))
        #expect(try parse(#""a\"b\\c\/d\b\f\n\r\t\u00e9\ud83d\ude80""#).kind == .string("a\"b\\c/d\u{8}\u{c}\n\r\té🚀"))
        #expect(try parse("\"é\"").kind == .string("é"))
    }

    @Test func offsetsPointAtEachValue() throws {
        let value = try parse(#"{"a": [10, "x"]}"#)
        guard case .object(let members) = value.kind, let array = members["a"], case .array(let elements) = array.kind else {
            Issue.record("unexpected shape")
            return
        }
        #expect(value.offset == 0)
        #expect(array.offset == 6)
        #expect(elements.map(\.offset) == [7, 11])
    }

    @Test func writerEscapesAndSortsAndParserReadsItBack() throws {
        let value = JSONValue.object([
            "b": .string("quote\" backslash\\ newline\n control\u{1} é"),
            "a": .array([.integer(1), JSONValue(.bool(false)), JSONValue(.null)]),
            "B": .object([:]),
        ])
        let text = String(decoding: JSONWriter.write(value), as: UTF8.self)
        #expect(text == "{\"B\": {}, \"a\": [1, false, null], \"b\": \"quote\\\" backslash\\\\ newline\\n control\\u0001 é\"}\n")
        #expect(JSONWriter.write(try JSONParser.parse(JSONWriter.write(value))) == JSONWriter.write(value))
    }

    /// The parser builds the whole tree, so the number of values is capped; the error names
    /// the first value over the limit (a 48 MB file of empty arrays used 867 MB before the cap).
    @Test func valuesBeyondTheCountLimitAreRejectedAtTheirOffset() throws {
        #expect(try JSONParser.parse(Array("[1, 2]".utf8), maximumValueCount: 3).kind == .array([JSONValue(.number("1"), offset: 1), JSONValue(.number("2"), offset: 4)]))
        let cases: [(String, Int, [JSONPathComponent])] = [
            ("[1, 2, 3]", 7, [.index(2)]),
            ("[[], [[]]]", 6, [.index(1), .index(0)]),
            ("{\"a\": [], \"b\": [0]}", 16, [.key("b"), .index(0)]),  // keys are not values
        ]
        for (text, offset, path) in cases {
            #expect(throws: JSONSyntaxError(reason: "more than 3 JSON values; a model has far fewer", byteOffset: offset, truncated: false, path: path), "\(text)") {
                try JSONParser.parse(Array(text.utf8), maximumValueCount: 3)
            }
        }
        #expect(JSONParser.defaultMaximumValueCount == 8_388_608)
    }

    @Test func truncatedInputIsFlaggedAsTruncated() {
        for text in ["", "{", "[1", "\"abc", "{\"a\"", "{\"a\":", "tr", "-", "1.", "1e", "\"\\u00", "\"\\"] {
            do {
                _ = try JSONParser.parse(Array(("[" + text).utf8))
                Issue.record("\(text) parsed")
            } catch {
                #expect(error.truncated, "\(text): \(error.reason)")
            }
        }
    }
}
