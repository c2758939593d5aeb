@testable import ScriptGenModel
import Testing

@Suite struct RespArrayFrameTests {
    func parse(_ text: String) -> RespArrayFrame.Result { RespArrayFrame.parse(Array(text.utf8)) }

    @Test func wholeArrayWithItsBulks() {
        let text = "*2\r\n$3\r\nGET\r\n$4\r\na\r\nb\r\nNEXT"
        #expect(parse(text) == .complete(length: 23, bulks: [
            .init(headerStart: 4, value: 8..<11), .init(headerStart: 13, value: 17..<21),
        ]))
        #expect(parse("*1\r\n$0\r\n\r\n") == .complete(length: 10, bulks: [.init(headerStart: 4, value: 8..<8)]))
    }

    @Test func everyPrefixOfAnArrayIsIncomplete() {
        let bytes = Array("*2\r\n$3\r\nGET\r\n$10\r\norder:9001\r\n".utf8)
        for length in 0..<bytes.count {
            #expect(RespArrayFrame.parse(bytes[..<length]) == .incomplete, "prefix of \(length) bytes")
        }
        if case .complete(let length, _) = RespArrayFrame.parse(bytes[...]) { #expect(length == bytes.count) } else { Issue.record("not complete") }
        // Offsets count from the slice's start, wherever it starts.
        let shifted = Array("xx".utf8) + bytes
        #expect(RespArrayFrame.parse(shifted[2...]) == RespArrayFrame.parse(bytes))
    }

    @Test func aResumedScanAgreesWithAFreshParseAtEveryLength() {
        for text in ["*2\r\n$3\r\nGET\r\n$10\r\norder:9001\r\nNEXT", "*2\r\n$3\r\nGET\r\n$2\r\nabX", "*1\r\n$x", "PING\r\n"] {
            let bytes = Array(text.utf8)
            var scanner = RespArrayFrame.Scanner()
            for length in 0...bytes.count {
                let resumed = bytes.withUnsafeBufferPointer { scanner.scan(UnsafeBufferPointer(rebasing: $0[..<length])) }
                let fresh: RespArrayFrame.Scanner.Status
                switch RespArrayFrame.parse(bytes[..<length]) {
                case .complete(let whole, _): fresh = .complete(length: whole)
                case .incomplete: fresh = .incomplete
                case .notAnArray: fresh = .notAnArray
                }
                #expect(resumed == fresh, "\(text.debugDescription) at \(length)")
            }
        }
    }

    @Test func malformedStartsAreNotArrays() {
        for text in [
            "x", "PING\r\n", "*\r\n", "*a\r\n", "*1\n", "*1\rx", "*0\r\n", "*1\r\n+OK\r\n", "*1\r\n$\r\n",
            "*1\r\n$x\r\n", "*1\r\n$1\n", "*1\r\n$1\r\nab\r\n", "*1\r\n$1\r\na\rx", "*1\r\n$1\r\na\nx",
            "*1\r\n$1234567890\r\n", "*1234567890\r\n", "*2000000\r\n",
        ] {
            #expect(parse(text) == .notAnArray, "\(text.debugDescription)")
        }
    }
}
