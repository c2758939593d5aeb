import Testing
@testable import ScriptGenAlignment
import ScriptGenTestSupport

@Suite struct RegionAnalysisTests {
    func rows(_ texts: [String]) -> [[AlignedSymbol]] {
        texts.map { row in row.utf8.map { $0 == UInt8(ascii: "-") ? .gap : AlignedSymbol($0) } }
    }

    @Test func columnStatistics() {
        let analysis = RegionAnalysis(rows: rows(["ab-", "ac-", "ada", "aca"]), weights: [1, 1, 1, 1])
        let columns = analysis.columns
        #expect(columns.count == 3)
        #expect(columns[0].isFixed)
        #expect(columns[0].values == [.init(byte: 0x61, rows: 4, weight: 4)])
        #expect(columns[0].mutationRate == 0)
        #expect(columns[0].gapRate == 0)
        #expect(columns[1].values.map(\.byte) == bytes("bcd"))
        #expect(columns[1].values.map(\.rows) == [1, 2, 1])
        #expect(columns[1].mutationRate == 0.5)
        #expect(columns[2].gapRate == 0.5)
        #expect(columns[2].mutationRate == 0)
        #expect(!columns[2].isFixed)
        #expect(columns.map(\.dataClass) == [.text, .text, .text])
    }

    @Test func dataClasses() {
        #expect(DataClass(bytes: bytes("GET /\r\n\t")) == .text)
        #expect(DataClass(bytes: [0, 0]) == .zero)
        #expect(DataClass(bytes: [0xFF, 0x41]) == .binary)
        #expect(DataClass(bytes: [0x00, 0x41]) == .binary)
        #expect(DataClass(bytes: []) == .empty)
        let gapsOnly = RegionAnalysis(rows: [[.gap], [AlignedSymbol(0)]])
        #expect(gapsOnly.columns[0].dataClass == .zero)
    }

    @Test func fixedAndMutatingRegions() {
        let analysis = RegionAnalysis(rows: rows(["USER alice\r\n", "USER bob--\r\n", "USER carol\r\n"]))
        #expect(analysis.regions.map(\.kind) == [.fixed(bytes("USER ")), .mutating, .fixed(bytes("\r\n"))])
        #expect(analysis.regions.map(\.columns) == [0..<5, 5..<10, 10..<12])
        let name = analysis.regions[1]
        #expect(name.values(row: 0) == bytes("alice"))
        #expect(name.values(row: 1) == bytes("bob"))
        #expect(name.rowValues == [bytes("alice"), bytes("bob"), bytes("carol")])
        #expect(name.lengthRange == 3...5)
        #expect(name.dataClass == .text)
        #expect(analysis.regions[0].lengthRange == 5...5)
        #expect(analysis.regions[0].isFixed)
    }

    @Test func shortFixedRunsFoldIntoMutatingRegions() {
        // "o" agrees by chance inside the names; with minFixedLength 2 it is not structure.
        let aligned = rows(["USER bob\r\n", "USER tom\r\n"])
        let loose = RegionAnalysis(rows: aligned)
        #expect(loose.regions.map(\.kind) == [.fixed(bytes("USER ")), .mutating, .fixed(bytes("o")), .mutating, .fixed(bytes("\r\n"))])
        let strict = RegionAnalysis(rows: aligned, options: .init(minFixedLength: 2))
        #expect(strict.regions.map(\.kind) == [.fixed(bytes("USER ")), .mutating, .fixed(bytes("\r\n"))])
        #expect(strict.regions[1].rowValues == [bytes("bob"), bytes("tom")])
        // An alignment with nothing mutating keeps even a one-byte fixed region.
        #expect(RegionAnalysis(rows: rows(["x", "x"]), options: .init(minFixedLength: 4)).regions.map(\.kind) == [.fixed(bytes("x"))])
    }

    @Test func binaryAndZeroRegions() {
        let aligned: [[AlignedSymbol]] = [[0xFF, 0x53, 0x00, 0x00, 0x72], [0xFF, 0x53, 0x00, 0x00, 0x73]].map { $0.map(AlignedSymbol.init) }
        let analysis = RegionAnalysis(rows: aligned)
        #expect(analysis.regions.map(\.kind) == [.fixed([0xFF, 0x53, 0x00, 0x00]), .mutating])
        #expect(analysis.regions[0].dataClass == .binary)
        #expect(analysis.columns[2].dataClass == .zero)
        #expect(analysis.regions[1].dataClass == .text)
    }

    @Test func emptyAlignment() {
        let analysis = RegionAnalysis(rows: [])
        #expect(analysis.columns.isEmpty)
        #expect(analysis.regions.isEmpty)
    }
}
