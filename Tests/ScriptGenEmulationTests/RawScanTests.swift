@testable import ScriptGenEmulation
import ScriptGenModel
import Testing

/// The fast scan of raw patterns gives exactly what the general scan over segments gives.
@Suite struct RawScanTests {
    @Test func rawScanEqualsGeneralScan() {
        var scratch = ScanScratch()
        for length in 1...4 {
            for raw in allInputs(ofLength: length) {
                let pattern = CompiledPattern(.exact(raw))
                #expect(pattern.rawBytes == raw)
                for input in allInputs(upTo: 6) {
                    input.withUnsafeBufferPointer { bytes in
                        let fast = CompiledPattern.scanRaw(raw, bytes)
                        let general = pattern.scanSegments(bytes, scratch: &scratch)
                        #expect(fast == general, "\(raw) on \(input)")
                        #expect(pattern.scan(bytes, scratch: &scratch) == general)
                    }
                }
            }
        }
    }

    @Test func onlyGaplessSingleSegmentPatternsAreRaw() {
        #expect(CompiledPattern(Pattern(elements: [.fixed(b("AB")), .fixed(b("C"))])).rawBytes == b("ABC"))
        #expect(CompiledPattern(Pattern(elements: [.fixed(b("AB")), .variable(min: 0, max: 0), .fixed(b("C"))])).rawBytes == b("ABC"))
        #expect(CompiledPattern(Pattern(elements: [.variable(min: 0, max: 1), .fixed(b("A"))])).rawBytes == nil)
        #expect(CompiledPattern(Pattern(elements: [.fixed(b("A")), .variable(min: 1, max: 1)])).rawBytes == nil)
        #expect(CompiledPattern(Pattern(elements: [])).rawBytes == nil)
    }
}
