import Testing
@testable import ScriptGenAlignment

@Suite struct UPGMATreeTests {
    /// The classic five-taxa UPGMA example: (a,b) at 17, then e at 22, (c,d) at 28, all at 33.
    static let distances: [[Double]] = [
        [0, 17, 21, 31, 23],
        [17, 0, 30, 34, 21],
        [21, 30, 0, 28, 39],
        [31, 34, 28, 0, 43],
        [23, 21, 39, 43, 0],
    ]

    let tree = UPGMATree(distances: DistanceMatrix(count: 5) { UPGMATreeTests.distances[$0][$1] })

    @Test func mergesFollowAverageLinkage() {
        #expect(tree.merges == [
            UPGMATree.Merge(left: 0, right: 1, distance: 17, size: 2),
            UPGMATree.Merge(left: 4, right: 5, distance: 22, size: 3),
            UPGMATree.Merge(left: 2, right: 3, distance: 28, size: 2),
            UPGMATree.Merge(left: 6, right: 7, distance: 33, size: 5),
        ])
        #expect(tree.root == 8)
        #expect(tree.leaves(under: 6) == [0, 1, 4])
        #expect(tree.children(of: 3) == nil)
        #expect(tree.distance(of: 7) == 28)
    }

    @Test func cutsAtThresholds() {
        #expect(tree.clusters(threshold: 0) == [[0], [1], [2], [3], [4]])
        #expect(tree.clusters(threshold: 17) == [[0, 1], [2], [3], [4]])
        #expect(tree.clusters(threshold: 25) == [[0, 1, 4], [2], [3]])
        #expect(tree.clusters(threshold: 30) == [[0, 1, 4], [2, 3]])
        #expect(tree.clusters(threshold: 40) == [[0, 1, 2, 3, 4]])
        #expect(tree.clusterRoots(threshold: 30) == [6, 7])
    }

    @Test func subtreeRenumbersLeaves() {
        let (subtree, leaves) = tree.subtree(at: 6)
        #expect(leaves == [0, 1, 4])
        #expect(subtree.leafCount == 3)
        #expect(subtree.merges == [
            UPGMATree.Merge(left: 0, right: 1, distance: 17, size: 2),
            UPGMATree.Merge(left: 2, right: 3, distance: 22, size: 3),
        ])
    }

    @Test func smallAndTiedInputs() {
        let empty = UPGMATree(distances: DistanceMatrix(count: 0) { _, _ in 0 })
        #expect(empty.root == nil)
        #expect(empty.clusters(threshold: 1).isEmpty)
        let single = UPGMATree(distances: DistanceMatrix(count: 1) { _, _ in 0 })
        #expect(single.root == 0)
        #expect(single.clusters(threshold: 0) == [[0]])
        // All distances equal: ties resolve towards low indices, the same way every time.
        let tied = UPGMATree(distances: DistanceMatrix(count: 6) { _, _ in 0.5 })
        #expect(tied.merges.count == 5)
        #expect(tied.merges == UPGMATree(distances: DistanceMatrix(count: 6) { _, _ in 0.5 }).merges)
        #expect(tied.clusters(threshold: 0.4).count == 6)
        #expect(tied.clusters(threshold: 0.5) == [[0, 1, 2, 3, 4, 5]])
    }

    @Test func matchesNaiveUPGMAOnRandomMatrices() {
        var generator = SeededGenerator(seed: 99)
        for _ in 0..<20 {
            let n = Int.random(in: 2...25, using: &generator)
            // Distinct values so the hierarchy is unique.
            var values = (0..<(n * (n - 1) / 2)).map { Double($0 + 1) / Double(n * n) }
            values.shuffle(using: &generator)
            let matrix = DistanceMatrix(count: n) { i, j in values[DistanceMatrix.index(i, j, count: n)] }
            let fast = UPGMATree(distances: matrix)
            #expect(Set(fast.merges.map { fast.leaves(under: $0.left) + fast.leaves(under: $0.right) }.map { Set($0) })
                == Set(naiveClusters(matrix)))
        }
    }

    /// Textbook O(n³) UPGMA: the leaf sets it creates.
    private func naiveClusters(_ matrix: DistanceMatrix) -> [Set<Int>] {
        var clusters = (0..<matrix.count).map { Set([$0]) }
        var created: [Set<Int>] = []
        func average(_ a: Set<Int>, _ b: Set<Int>) -> Double {
            var sum = 0.0
            for i in a { for j in b { sum += matrix[i, j] } }
            return sum / Double(a.count * b.count)
        }
        while clusters.count > 1 {
            var best = (0, 1), bestDistance = Double.infinity
            for i in clusters.indices {
                for j in clusters.indices where j > i {
                    let d = average(clusters[i], clusters[j])
                    if d < bestDistance { best = (i, j); bestDistance = d }
                }
            }
            let merged = clusters[best.0].union(clusters[best.1])
            clusters.remove(at: best.1)
            clusters[best.0] = merged
            created.append(merged)
        }
        return created
    }
}
