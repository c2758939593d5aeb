import ScriptGenEmulation
import ScriptGenModel
import Testing
import ScriptGenTestSupport

@Suite struct CompiledPatternTests {
    static let user = CompiledPattern(Pattern(elements: [.fixed(bytes("USER ")), .variable(min: 1, max: 8), .fixed(bytes("\r\n"))]))

    @Test func exactPatternMatchesOnlyItsBytes() {
        let pattern = CompiledPattern(.exact(bytes("QUIT\r\n")))
        #expect(pattern.matches(bytes("QUIT\r\n")))
        #expect(!pattern.matches(bytes("QUIT\r")))
        #expect(!pattern.matches(bytes("QUIT\r\n\r\n")))
        #expect(pattern.prefixStatus(bytes("")) == .canStillMatch)
        #expect(pattern.prefixStatus(bytes("QU")) == .canStillMatch)
        #expect(pattern.prefixStatus(bytes("QUIT\r\n")) == .match)
        #expect(pattern.prefixStatus(bytes("QX")) == .cannotMatch)
        #expect(pattern.prefixStatus(bytes("QUIT\r\nX")) == .cannotMatch)
    }

    @Test func gapMatchesItsLengthRange() {
        #expect(Self.user.matches(bytes("USER a\r\n")))
        #expect(Self.user.matches(bytes("USER abcdefgh\r\n")))
        #expect(!Self.user.matches(bytes("USER \r\n")), "gap needs at least one byte")
        #expect(!Self.user.matches(bytes("USER abcdefghi\r\n")), "gap allows at most eight")
        #expect(Self.user.matches(bytes("USER \r\n\r\n")), "gap bytes are any bytes, the delimiter included")
    }

    @Test func gapPrefixStatus() {
        #expect(Self.user.prefixStatus(bytes("USER ")) == .canStillMatch)
        #expect(Self.user.prefixStatus(bytes("USER abcdefgh")) == .canStillMatch)
        #expect(Self.user.prefixStatus(bytes("USER abcdefghi")) == .cannotMatch)
        #expect(Self.user.prefixStatus(bytes("USER a\r\n")) == .matchAndCanGrow)
        #expect(Self.user.prefixStatus(bytes("USER abcdefg\r\n")) == .match, "a longer input would need a nine-byte gap")
        #expect(Self.user.prefixStatus(bytes("PASS")) == .cannotMatch)
    }

    @Test func normalisationJoinsElementsAndRepairsGaps() {
        let pattern = CompiledPattern(Pattern(elements: [
            .fixed(bytes("AB")), .fixed([]), .fixed(bytes("C")), .variable(min: 2, max: 1), .variable(min: -3, max: 1), .fixed(bytes("D")),
        ]))
        #expect(pattern.fixedByteCount == 4)
        #expect(pattern.minimumLength == 6)
        #expect(pattern.maximumLength == 7)
        #expect(pattern.matches(bytes("ABCxyD")))
        #expect(pattern.matches(bytes("ABCxyzD")))
        #expect(!pattern.matches(bytes("ABCxD")))
    }

    @Test func emptyAndGapOnlyPatterns() {
        let empty = CompiledPattern(Pattern(elements: []))
        #expect(empty.matches(bytes("")))
        #expect(!empty.matches(bytes("x")))
        #expect(empty.prefixStatus(bytes("")) == .match)
        let anything = CompiledPattern(Pattern(elements: [.variable(min: 2, max: 3)]))
        #expect(anything.prefixStatus(bytes("a")) == .canStillMatch)
        #expect(anything.prefixStatus(bytes("ab")) == .matchAndCanGrow)
        #expect(anything.prefixStatus(bytes("abc")) == .match)
        #expect(anything.prefixStatus(bytes("abcd")) == .cannotMatch)
    }

    @Test func unboundedGapDoesNotOverflow() {
        let pattern = CompiledPattern(Pattern(elements: [.variable(min: 0, max: .max), .fixed(bytes("END")), .variable(min: 0, max: .max)]))
        #expect(pattern.maximumLength == .max)
        #expect(pattern.matches(bytes("xxENDyy")))
        #expect(pattern.prefixStatus(bytes("xxEND")) == .matchAndCanGrow)
        #expect(!pattern.matches(bytes("xxEN")))
    }

    @Test func leadingGapFindsLaterOccurrences() {
        let pattern = CompiledPattern(Pattern(elements: [.variable(min: 0, max: 6), .fixed(bytes("ab")), .variable(min: 1, max: 1), .fixed(bytes("c"))]))
        #expect(pattern.matches(bytes("abababxc")), "only the last 'ab' leaves room for the rest")
        #expect(!pattern.matches(bytes("abxxxxxxc")))
    }

    /// The scan against a brute-force reference on small patterns and every input over {a, b}.
    @Test func agreesWithBruteForce() {
        var generator = SplitMix64(seed: 7)
        for _ in 0..<150 {
            let pattern = randomPattern(using: &generator)
            let compiled = CompiledPattern(pattern)
            // A longer match, if any, needs at most max(1, minimumLength) more bytes.
            let maxExtra = max(1, compiled.minimumLength)
            for input in allInputs(upTo: 6) {
                let matches = referenceMatches(pattern.elements[...], input[...])
                let canGrow = (1...maxExtra).contains { extra in
                    allInputs(ofLength: extra).contains { referenceMatches(pattern.elements[...], (input + $0)[...]) }
                }
                #expect(compiled.matches(input) == matches, "\(pattern) on \(input)")
                #expect(compiled.prefixStatus(input) == expectedStatus(matches: matches, canGrow: canGrow), "\(pattern) on \(input)")
            }
        }
    }

    func expectedStatus(matches: Bool, canGrow: Bool) -> CompiledPattern.PrefixStatus {
        switch (matches, canGrow) {
        case (true, false): .match
        case (true, true): .matchAndCanGrow
        case (false, true): .canStillMatch
        case (false, false): .cannotMatch
        }
    }

    @Test func similarityOfRawEdges() {
        let raw = CompiledPattern(.exact(bytes("PASS secret2\r\n")))
        #expect(raw.similarity(to: bytes("PASS secret2\r\n")) == 1)
        #expect(raw.similarity(to: bytes("PASS secret1\r\n")) == 13.0 / 14.0)
        let user = CompiledPattern(.exact(bytes("USER alice\r\n")))
        // "USER " and "\r\n" found (7 of 12), shorter by 2 bytes (10 / 12).
        #expect(user.similarity(to: bytes("USER bob\r\n")) == (7.0 / 12.0) * (10.0 / 12.0))
        #expect(raw.similarity(to: bytes("")) == 0)
        #expect(raw.similarity(to: bytes("zzzz")) == 0)
    }

    @Test func similarityOfGappedPatterns() {
        #expect(Self.user.similarity(to: bytes("USER bob\r\n")) == 1)
        // Gap too long: every fixed byte is found (forward and backward), length factor 15 / 19.
        #expect(Self.user.similarity(to: bytes("USER abcdefghijkl\r\n")) == 15.0 / 19.0)
        // A trailing byte hides the delimiter from the backward pass.
        #expect(Self.user.similarity(to: bytes("USER abcdefghijkl\r\n ")) == (5.0 / 7.0) * (15.0 / 20.0))
        // The delimiter is missing: "USER " found forward, nothing backward.
        #expect(Self.user.similarity(to: bytes("USER bob")) == 5.0 / 7.0)
        // Wrong command, right delimiter: found backward only.
        #expect(Self.user.similarity(to: bytes("PASS bob\r\n")) == 2.0 / 7.0)
        let anything = CompiledPattern(Pattern(elements: [.variable(min: 2, max: 4)]))
        #expect(anything.similarity(to: bytes("abc")) == 1)
        #expect(anything.similarity(to: bytes("abcdefgh")) == 0.5)
    }

    @Test func similarityIsWithinBounds() {
        var generator = SplitMix64(seed: 11)
        for _ in 0..<2000 {
            let pattern = CompiledPattern(randomPattern(using: &generator))
            let input = (0..<Int(generator.next() % 9)).map { _ in UInt8(ascii: generator.next() % 2 == 0 ? "a" : "b") }
            let score = pattern.similarity(to: input)
            #expect((0...1).contains(score))
            if pattern.matches(input), pattern.fixedByteCount > 0 {
                #expect(score > 0)
            }
        }
    }
}


func allInputs(ofLength length: Int) -> [[UInt8]] {
    (0..<(1 << length)).map { code in (0..<length).map { UInt8(ascii: (code >> $0) & 1 == 0 ? "a" : "b") } }
}

func allInputs(upTo length: Int) -> [[UInt8]] {
    (0...length).flatMap { allInputs(ofLength: $0) }
}

/// Up to three elements over {a, b}, minimum length at most six.
func randomPattern(using generator: inout SplitMix64) -> Pattern {
    let count = Int(generator.next() % 3) + 1
    let elements: [Pattern.Element] = (0..<count).map { _ in
        if generator.next() % 2 == 0 {
            let length = Int(generator.next() % 2) + 1
            return .fixed((0..<length).map { _ in UInt8(ascii: generator.next() % 2 == 0 ? "a" : "b") })
        }
        let min = Int(generator.next() % 2)
        return .variable(min: min, max: min + Int(generator.next() % 3))
    }
    return Pattern(elements: elements)
}

/// Straightforward recursive matching, the definition the scan must agree with.
func referenceMatches(_ elements: ArraySlice<Pattern.Element>, _ input: ArraySlice<UInt8>) -> Bool {
    guard let first = elements.first else { return input.isEmpty }
    switch first {
    case .fixed(let bytes):
        return input.starts(with: bytes) && referenceMatches(elements.dropFirst(), input.dropFirst(bytes.count))
    case .variable(let min, let max):
        let lower = Swift.max(0, min)
        let upper = Swift.max(lower, max)
        guard lower <= input.count else { return false }
        return (lower...Swift.min(upper, input.count)).contains { referenceMatches(elements.dropFirst(), input.dropFirst($0)) }
    }
}
