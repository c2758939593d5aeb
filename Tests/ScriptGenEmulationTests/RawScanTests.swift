@testable import ScriptGenEmulation
import ScriptGenModel
import Testing
import ScriptGenTestSupport

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
        #expect(CompiledPattern(Pattern(elements: [.fixed(bytes("AB")), .fixed(bytes("C"))])).rawBytes == bytes("ABC"))
        #expect(CompiledPattern(Pattern(elements: [.fixed(bytes("AB")), .variable(min: 0, max: 0), .fixed(bytes("C"))])).rawBytes == bytes("ABC"))
        #expect(CompiledPattern(Pattern(elements: [.variable(min: 0, max: 1), .fixed(bytes("A"))])).rawBytes == nil)
        #expect(CompiledPattern(Pattern(elements: [.fixed(bytes("A")), .variable(min: 1, max: 1)])).rawBytes == nil)
        #expect(CompiledPattern(Pattern(elements: [])).rawBytes == nil)
    }
}
