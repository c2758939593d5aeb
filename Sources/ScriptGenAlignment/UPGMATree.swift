/// Average-linkage (UPGMA) hierarchy over a distance matrix.
///
/// Built with the nearest-neighbour-chain algorithm: O(n²) time and one working copy of the
/// condensed matrix (n·(n−1)/2 `Float`s), so 5,000 sequences take about 50 MB and well under a
/// second. Ties are broken towards the lower index, so the tree is a function of the matrix.
/// Node ids: leaves are `0..<leafCount`; `merges[k]` creates node `leafCount + k`. Merges are
/// in ascending distance order, so a merge's children always have smaller ids.
public struct UPGMATree: Hashable, Sendable {
    public struct Merge: Hashable, Sendable {
        public var left: Int
        public var right: Int
        /// Average distance between the leaves under `left` and those under `right`.
        public var distance: Double
        /// Number of leaves under the new node.
        public var size: Int
    }

    public let leafCount: Int
    public let merges: [Merge]

    public init(leafCount: Int, merges: [Merge]) {
        precondition(merges.count == max(leafCount - 1, 0), "UPGMATree: a tree over n leaves has n − 1 merges")
        self.leafCount = leafCount
        self.merges = merges
    }

    public init(distances: DistanceMatrix) {
        let n = distances.count
        leafCount = n
        guard n > 1 else { merges = []; return }
        var d = distances.condensed
        var size = [Int](repeating: 1, count: n)
        var active = [Bool](repeating: true, count: n)
        // Merges as found by the chain, on slots (a cluster lives in the slot of its lowest leaf).
        var found: [(a: Int, b: Int, distance: Float)] = []
        found.reserveCapacity(n - 1)
        var lastMerge = [Int](repeating: -1, count: n)
        var chain: [Int] = []
        var remaining = n
        var lowestActive = 0
        d.withUnsafeMutableBufferPointer { d in
            @inline(__always) func at(_ i: Int, _ j: Int) -> Int {
                i < j ? DistanceMatrix.index(i, j, count: n) : DistanceMatrix.index(j, i, count: n)
            }
            while remaining > 1 {
                if chain.isEmpty {
                    while !active[lowestActive] { lowestActive += 1 }
                    chain.append(lowestActive)
                }
                let a = chain[chain.count - 1]
                let previous = chain.count >= 2 ? chain[chain.count - 2] : -1
                var nearest = previous
                var nearestDistance = previous >= 0 ? d[at(a, previous)] : Float.infinity
                // Strictly smaller wins: ties keep the previous chain link (which guarantees
                // progress) and otherwise the lowest index.
                for k in 0..<a where active[k] {
                    let value = d[DistanceMatrix.index(k, a, count: n)]
                    if value < nearestDistance { nearest = k; nearestDistance = value }
                }
                if a + 1 < n {
                    let rowStart = DistanceMatrix.index(a, a + 1, count: n) - (a + 1)
                    for k in (a + 1)..<n where active[k] {
                        let value = d[rowStart + k]
                        if value < nearestDistance { nearest = k; nearestDistance = value }
                    }
                }
                if nearest < 0 {
                    // Only NaN or infinite distances left: take the lowest other active index.
                    nearest = (0..<n).first { active[$0] && $0 != a }!
                    nearestDistance = d[at(a, nearest)]
                }
                if nearest != previous {
                    chain.append(nearest)
                    continue
                }
                chain.removeLast(2)
                let keep = min(a, nearest), gone = max(a, nearest)
                let sizeKeep = Float(size[keep]), sizeGone = Float(size[gone])
                for k in 0..<n where active[k] && k != keep && k != gone {
                    let kk = at(keep, k), kg = at(gone, k)
                    d[kk] = (sizeKeep * d[kk] + sizeGone * d[kg]) / (sizeKeep + sizeGone)
                }
                // Rounding must not place a merge below its children: clamp to theirs.
                var height = nearestDistance
                for child in [lastMerge[keep], lastMerge[gone]] where child >= 0 {
                    height = max(height, found[child].distance)
                }
                found.append((keep, gone, height))
                lastMerge[keep] = found.count - 1
                active[gone] = false
                size[keep] += size[gone]
                remaining -= 1
            }
        }
        // Renumber in ascending distance (stable: children were found before their parent).
        let order = found.indices.sorted { (found[$0].distance, $0) < (found[$1].distance, $1) }
        var nodeOfSlot = Array(0..<n)
        var leavesOfSlot = [Int](repeating: 1, count: n)
        var merges: [Merge] = []
        merges.reserveCapacity(n - 1)
        for index in order {
            let (a, b, distance) = found[index]
            let left = nodeOfSlot[a], right = nodeOfSlot[b]
            leavesOfSlot[a] += leavesOfSlot[b]
            merges.append(Merge(left: min(left, right), right: max(left, right), distance: Double(distance), size: leavesOfSlot[a]))
            nodeOfSlot[a] = n + merges.count - 1
        }
        self.merges = merges
    }

    /// The root node, or `nil` for an empty tree.
    public var root: Int? {
        leafCount == 0 ? nil : leafCount + merges.count - 1
    }

    public func isLeaf(_ node: Int) -> Bool { node < leafCount }

    /// The two children of an internal node, `nil` for a leaf.
    public func children(of node: Int) -> (left: Int, right: Int)? {
        guard node >= leafCount else { return nil }
        let merge = merges[node - leafCount]
        return (merge.left, merge.right)
    }

    /// The merge distance of a node (0 for a leaf).
    public func distance(of node: Int) -> Double {
        node < leafCount ? 0 : merges[node - leafCount].distance
    }

    /// The leaves under `node`, ascending.
    public func leaves(under node: Int) -> [Int] {
        var result: [Int] = []
        var stack = [node]
        while let top = stack.popLast() {
            if let (left, right) = children(of: top) {
                stack.append(right)
                stack.append(left)
            } else {
                result.append(top)
            }
        }
        return result.sorted()
    }

    /// The highest nodes whose merge distance is at most `threshold` (leaves included): the
    /// roots of the clusters of a cut at `threshold`, ordered by their lowest leaf.
    public func clusterRoots(threshold: Double) -> [Int] {
        guard let root else { return [] }
        let lowest = lowestLeaves()
        var roots: [(node: Int, lowestLeaf: Int)] = []
        var stack = [root]
        while let top = stack.popLast() {
            if let (left, right) = children(of: top), distance(of: top) > threshold {
                stack.append(right)
                stack.append(left)
            } else {
                roots.append((top, lowest[top]))
            }
        }
        return roots.sorted { $0.lowestLeaf < $1.lowestLeaf }.map(\.node)
    }

    /// The clusters of a cut at `threshold`: leaf indices ascending in each, clusters ordered
    /// by their lowest leaf. Every leaf is in exactly one cluster.
    public func clusters(threshold: Double) -> [[Int]] {
        clusterRoots(threshold: threshold).map { leaves(under: $0) }
    }

    /// The lowest leaf under every node, indexed by node id.
    private func lowestLeaves() -> [Int] {
        var lowest = Array(0..<leafCount)
        lowest.reserveCapacity(leafCount + merges.count)
        for merge in merges { lowest.append(min(lowest[merge.left], lowest[merge.right])) }
        return lowest
    }
}

extension UPGMATree {
    /// The part of the tree under `node`, as a tree of its own: its leaves renumbered
    /// `0..<k` in ascending order of their ids here (`leaves[i]` is the old id of new leaf i).
    public func subtree(at node: Int) -> (tree: UPGMATree, leaves: [Int]) {
        let leaves = leaves(under: node)
        var newID: [Int: Int] = [:]
        for (index, leaf) in leaves.enumerated() { newID[leaf] = index }
        var internalNodes: [Int] = []
        var stack = [node]
        while let current = stack.popLast() {
            if let (left, right) = children(of: current) {
                internalNodes.append(current)
                stack.append(left)
                stack.append(right)
            }
        }
        internalNodes.sort()
        var merges: [Merge] = []
        for current in internalNodes {
            var merge = self.merges[current - leafCount]
            let left = newID[merge.left]!, right = newID[merge.right]!
            merge.left = min(left, right)
            merge.right = max(left, right)
            newID[current] = leaves.count + merges.count
            merges.append(merge)
        }
        return (UPGMATree(leafCount: leaves.count, merges: merges), leaves)
    }
}
