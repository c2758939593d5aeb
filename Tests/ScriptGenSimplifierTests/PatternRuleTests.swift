import ScriptGenAlignment
import ScriptGenEmulation
import ScriptGenModel
@testable import ScriptGenSimplifier
import Testing
import ScriptGenTestSupport

/// The pattern rules on hand-made alignments (`-` is a gap).
@Suite struct PatternRuleTests {
    func regions(_ rows: [String]) -> [Region] {
        RegionAnalysis(rows: rows.map { row in row.utf8.map { $0 == UInt8(ascii: "-") ? AlignedSymbol.gap : AlignedSymbol($0) } }).regions
    }

    func regions(binary rows: [[UInt8]]) -> [Region] {
        RegionAnalysis(rows: rows.map { $0.map(AlignedSymbol.init) }).regions
    }

    let builder = PatternBuilder(options: SimplifierOptions())

    @Test func shortTextMatchInsideAFieldIsFolded() throws {
        // "a" agrees by chance between two names: not structure.
        let pattern = try #require(builder.pattern(regions: regions(["USER xay\r\n", "USER zaw\r\n"]), rowCount: 2))
        #expect(fixedParts(pattern) == [bytes("USER "), bytes("\r\n")])
        #expect(pattern.elements.count == 3)
    }

    @Test func shortRunsAnchoredAtEitherEndAreKept() throws {
        let pattern = try #require(builder.pattern(regions: regions(["Xabc\n", "Xdef\n"]), rowCount: 2))
        #expect(fixedParts(pattern) == [bytes("X"), bytes("\n")])
    }

    @Test func shortBinaryRunsNeedEnoughRows() throws {
        let four: [[UInt8]] = [[0, 1, 0xAA, 5, 2], [0, 2, 0xAA, 6, 2], [0, 3, 0xAA, 7, 2], [0, 4, 0xAA, 8, 2]]
        let kept = try #require(builder.pattern(regions: regions(binary: four), rowCount: 4))
        #expect(fixedParts(kept) == [[0], [0xAA], [2]])
        let three = Array(four.prefix(3))
        let folded = try #require(builder.pattern(regions: regions(binary: three), rowCount: 3))
        #expect(fixedParts(folded) == [[0], [2]])
        // A binary field seen with one length keeps exactly that length.
        #expect(folded.elements[1] == .variable(min: 3, max: 3))
    }

    @Test func textGapsGetSlack() throws {
        let untrimmed = PatternBuilder(options: SimplifierOptions { $0.trimPartialTokens = false })
        let pattern = try #require(untrimmed.pattern(regions: regions(["USER abcd-----\r\n", "USER abcdefghi\r\n"].map { $0 }), rowCount: 2))
        // Lengths 0 and 5 after "USER abcd": slack max(2, ceil(0.5 * 5)) = 3.
        #expect(pattern.elements == [.fixed(bytes("USER abcd")), .variable(min: 0, max: 8), .fixed(bytes("\r\n"))])
    }

    @Test func partOfAWordBeforeAGapGoesToTheGap() throws {
        // "CWD p" is shared by "pub" and "projects" by chance; "CWD etc" must match too.
        let pattern = try #require(builder.pattern(regions: regions(["CWD pub-----\r\n", "CWD projects\r\n"]), rowCount: 2))
        #expect(pattern.elements == [.fixed(bytes("CWD ")), .variable(min: 0, max: 12), .fixed(bytes("\r\n"))])
        #expect(CompiledPattern(pattern).matches(bytes("CWD etc\r\n")))
        let untrimmed = PatternBuilder(options: SimplifierOptions { $0.trimPartialTokens = false })
        #expect(try fixedParts(#require(untrimmed.pattern(regions: regions(["CWD pub-----\r\n", "CWD projects\r\n"]), rowCount: 2))) == [bytes("CWD p"), bytes("\r\n")])
    }

    @Test func partOfAWordAfterAGapGoesToTheGap() throws {
        // Both addresses happen to end in "m" before ">".
        let pattern = try #require(builder.pattern(regions: regions(["TO:<ann--m>\r\n", "TO:<bobbym>\r\n"]), rowCount: 2))
        // Values "annm" and "bobbym": slack max(2, ceil(0.5 * 6)) = 3.
        #expect(pattern.elements == [.fixed(bytes("TO:<")), .variable(min: 1, max: 9), .fixed(bytes(">\r\n"))])
    }

    @Test func wordsEndingAtADelimiterOrMadeOnlyOfWordBytesStay() throws {
        // "GET /" ends at a delimiter: nothing to trim.
        let get = try #require(builder.pattern(regions: regions(["GET /ab-\r\n", "GET /xyz\r\n"]), rowCount: 2))
        #expect(fixedParts(get) == [bytes("GET /"), bytes("\r\n")])
        // A run of word bytes alone between gaps is not trimmed (nothing would be left), but it
        // lies inside one varying word, so the word rule folds it.
        let word = try #require(builder.pattern(regions: regions(["abKEEPcd\r\n", "xyKEEPzw\r\n"]), rowCount: 2))
        #expect(fixedParts(word) == [bytes("\r\n")])
        let spaced = try #require(builder.pattern(regions: regions(["ab KEEP cd\r\n", "xy KEEP zw\r\n"]), rowCount: 2))
        #expect(fixedParts(spaced) == [bytes(" KEEP "), bytes("\r\n")])
    }

    @Test func runInsideAVaryingWordIsFolded() throws {
        // Every address seen had "@example." inside it; "carol@partner.example" must match too.
        let pattern = try #require(builder.pattern(regions: regions(["X:<ab-@example.com>\r\n", "X:<cde@example.org>\r\n"]), rowCount: 2))
        // Values "ab@example.com" and "cde@example.org": slack max(2, ceil(0.5 * 15)) = 8.
        #expect(pattern.elements == [.fixed(bytes("X:<")), .variable(min: 6, max: 23), .fixed(bytes(">\r\n"))])
        #expect(CompiledPattern(pattern).matches(bytes("X:<carol@partner.example>\r\n")))
        // A run with a space in it separates words: kept.
        let words = try #require(builder.pattern(regions: regions(["A ab- HTTP/x1\r\n", "A cde HTTP/y2\r\n"]), rowCount: 2))
        #expect(fixedParts(words).contains(bytes(" HTTP/")))
    }

    @Test func loneOneLineCommandGetsAGapForItsArgument() throws {
        let pattern = try #require(LoneArguments.pattern(for: bytes("helo oldclient\r\n")))
        #expect(pattern.elements == [.fixed(bytes("helo ")), .variable(min: 1, max: 64), .fixed(bytes("\r\n"))])
        #expect(LoneArguments.pattern(for: bytes("CWD x\n"))?.elements.last == .fixed(bytes("\n")))
        // Twice the length seen when that is longer than 64.
        let long = String(repeating: "a", count: 40)
        #expect(LoneArguments.pattern(for: bytes("KEY \(long)\r\n"))?.elements[1] == .variable(min: 1, max: 80))
        // No argument, no line end, several lines, binary: exact (RESP arrays: RespPatternTests).
        for request in ["QUIT\r\n", "helo x", "A b\r\nC d\r\n", " x\r\n", "A  \r\n"] {
            #expect(LoneArguments.pattern(for: bytes(request)) == nil, "\(request)")
        }
        #expect(LoneArguments.pattern(for: [0x41, 0x20, 0xFF, 0x0D, 0x0A]) == nil)
    }

    @Test func loneArgumentsOnlyWhereNoOtherEdgeCouldTakeTheCommand() {
        var machine = StateMachine(transport: .tcp, port: 21)
        machine.states[0].edges = [
            Edge(pattern: .exact(bytes("helo oldclient\r\n")), weight: 1, target: 0),
            Edge(pattern: .exact(bytes("QUIT\r\n")), weight: 1, target: 0),
            Edge(pattern: .exact(bytes("SIZE a.txt\r\n")), weight: 1, target: 0),
            Edge(pattern: Pattern(elements: [.fixed(bytes("SIZE ")), .variable(min: 3, max: 9), .fixed(bytes("\r\n"))]), weight: 2, target: 0),
        ]
        let (generalised, count) = LoneArguments.generalised(machine)
        #expect(count == 1)
        #expect(generalised.states[0].edges.map(\.pattern.exactBytes) == [nil, bytes("QUIT\r\n"), bytes("SIZE a.txt\r\n"), nil])
        // An edge starting with a gap could take anything: nothing is generalised beside it.
        machine.states[0].edges.append(Edge(pattern: Pattern(elements: [.variable(min: 1, max: 9)]), weight: 1, target: 0))
        #expect(LoneArguments.generalised(machine).count == 0)
    }

    @Test func longBinaryRegionsOfOneLengthAreContentNotFields() throws {
        // Four rows, a 12-byte binary region of one length between fixed bytes.
        var rows: [[UInt8]] = []
        for row in 0..<4 {
            var middle: [UInt8] = []
            for column in 0..<12 { middle.append(UInt8((column * 7 + row * 13) % 251 + 1)) }
            rows.append([0xAA, 0xBB] + middle + [0xCC, 0xDD])
        }
        let pattern = try #require(builder.pattern(regions: regions(binary: rows), rowCount: 4))
        #expect(pattern.elements.count == 3)
        // Widened by the slack (12 + 6), not kept at exactly 12 like an id.
        #expect(pattern.elements[1] == .variable(min: 6, max: 18))
    }

    @Test func gapsAtLineEndsOfMultiLineRequestsTakeMoreLines() throws {
        let pattern = try #require(builder.pattern(regions: regions(["GET /\r\nHost: ab-\r\nUA: z\r\n\r\n", "GET /\r\nHost: cde\r\nUA: z\r\n\r\n"]), rowCount: 2))
        let compiled = CompiledPattern(pattern)
        #expect(compiled.matches(bytes("GET /\r\nHost: cde\r\nUA: z\r\n\r\n")))
        #expect(compiled.matches(bytes("GET /\r\nHost: cde\r\nA\r\nUA: z\r\n\r\n")))
        // A client that sends another header between Host and User-Agent.
        #expect(compiled.matches(bytes("GET /\r\nHost: cde\r\nAccept: any\r\nUA: z\r\n\r\n")))
        // One line only: no such room.
        let oneLine = try #require(builder.pattern(regions: regions(["USER ab-\r\n", "USER cde\r\n"]), rowCount: 2))
        #expect(oneLine.elements[1] == .variable(min: 0, max: 5))
    }

    @Test func wildcardOnlyWithEnoughRequests() throws {
        #expect(builder.pattern(regions: regions(["abc", "xyz"]), rowCount: 2) == nil)
        let pattern = try #require(builder.pattern(regions: regions(["abc", "xyz", "pqr", "mno"]), rowCount: 4))
        #expect(pattern.fixedByteCount == 0)
    }

    @Test func widenedFitsUnseenLengths() throws {
        let pattern = Pattern(elements: [.fixed(bytes("GET ")), .variable(min: 1, max: 4), .fixed(bytes("\r\n"))])
        let widened = try #require(EdgeGeneraliser.widened(pattern, toFit: bytes("GET /a/long/path\r\n")))
        #expect(widened.elements == [.fixed(bytes("GET ")), .variable(min: 1, max: 12), .fixed(bytes("\r\n"))])
        #expect(EdgeGeneraliser.widened(pattern, toFit: bytes("PUT /x\r\n")) == nil)
        #expect(EdgeGeneraliser.widened(pattern, toFit: bytes("GET /x\r\nextra")) == nil)
    }

    @Test func commonPrefixAndSuffix() {
        let sequences = [bytes("GET / HTTP/1.0\r\n\r\n"), bytes("GET / HTTP/1.0\r\nHost: x\r\n\r\n")]
        let suffix = EdgeGeneraliser.commonSuffix(sequences, keeping: 0)
        #expect(suffix == bytes("\r\n\r\n"))
        #expect(EdgeGeneraliser.commonPrefix(sequences, keeping: suffix.count) == bytes("GET / HTTP/1.0"))
    }

    @Test func restrictedTreeKeepsTheMergeOrder() {
        // ((0,1),(2,3)) then restricted to {1, 2, 3}: 1 joins (2,3) last.
        let distances: [[Double]] = [[0, 0.1, 0.8, 0.8], [0.1, 0, 0.8, 0.8], [0.8, 0.8, 0, 0.2], [0.8, 0.8, 0.2, 0]]
        let tree = UPGMATree(distances: DistanceMatrix(count: 4) { distances[$0][$1] })
        let restricted = tree.restricted(to: [1, 2, 3])
        #expect(restricted.leafCount == 3)
        #expect(restricted.merges.count == 2)
        #expect(restricted.children(of: 3).map { [$0.left, $0.right] } == [1, 2])
        #expect(restricted.children(of: 4).map { [$0.left, $0.right] } == [0, 3])
        #expect(restricted.merges.last?.size == 3)
    }
}
