import Testing
@testable import ScriptGenAlignment
import ScriptGenTestSupport

@Suite struct MultipleAlignmentTests {
    static let users = [bytes("USER alice\r\n"), bytes("USER bob\r\n"), bytes("USER carol\r\n"), bytes("USER dave\r\n")]

    @Test func rowsHaveEqualLengthAndKeepTheirBytes() {
        let alignment = MultipleAlignment(sequences: Self.users)
        #expect(alignment.rows.count == 4)
        #expect(alignment.members == [0, 1, 2, 3])
        #expect(alignment.rows.allSatisfy { $0.count == alignment.columnCount })
        for (row, member) in zip(alignment.rows, alignment.members) {
            #expect(row.ungappedBytes == Self.users[member])
        }
        // The shared syntax lines up: "USER " in front, CRLF at the end of every row.
        for row in alignment.rows {
            #expect(text(Array(row.prefix(5))) == "USER ")
            #expect(text(Array(row.suffix(2))) == "\\x0D\\x0A")
        }
    }

    @Test func twoSequencesAlignLikeThePairwiseAligner() {
        let alignment = MultipleAlignment(sequences: [bytes("ACGT"), bytes("AGT")], options: .init(scoring: AlignmentScoring(match: 1, mismatch: -1, gap: -1)))
        #expect(alignment.rows.map(text) == ["ACGT", "A-GT"])
    }

    @Test func identicalEmptyAndSingleSequences() {
        let same = MultipleAlignment(sequences: [bytes("abc"), bytes("abc"), bytes("abc")])
        #expect(same.rows.map(text) == ["abc", "abc", "abc"])
        let withEmpty = MultipleAlignment(sequences: [bytes("ab"), []])
        #expect(withEmpty.rows.map(text) == ["ab", "--"])
        let single = MultipleAlignment(sequences: [bytes("x")])
        #expect(single.rows.map(text) == ["x"])
        let none = MultipleAlignment(sequences: [])
        #expect(none.rows.isEmpty)
        #expect(none.columnCount == 0)
    }

    @Test func alongAGivenTreeAndNode() {
        let sequences = Self.users + [bytes("PASS secret\r\n"), bytes("PASS x\r\n")]
        let tree = UPGMATree(distances: DistanceMatrix(sequences: sequences))
        let alignment = MultipleAlignment(sequences: sequences, tree: tree, weights: [1, 2, 3, 4, 5, 6])
        #expect(alignment.members == [0, 1, 2, 3, 4, 5])
        #expect(alignment.weights == [1, 2, 3, 4, 5, 6])
        let root = tree.root!
        let (left, right) = tree.children(of: root)!
        let part = MultipleAlignment(sequences: sequences, tree: tree, node: left)
        #expect(part.members == tree.leaves(under: left))
        #expect(MultipleAlignment(sequences: sequences, tree: tree, node: right).members == tree.leaves(under: right))
    }

    @Test func oversizedStepsAreJoinedLeftJustified() {
        let options = MultipleAlignment.Options(maxCellsPerStep: 10)
        let alignment = MultipleAlignment(sequences: [bytes("abcdef"), bytes("xyz")], options: options)
        #expect(alignment.rows.map(text) == ["abcdef", "xyz---"])
    }

    @Test func isDeterministic() {
        let sequences = randomSequences(count: 30, lengths: 5...60, alphabet: bytes("GET /ab\r\n"), seed: 4)
        #expect(MultipleAlignment(sequences: sequences) == MultipleAlignment(sequences: sequences))
    }
}
