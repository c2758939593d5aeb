import ScriptGenAlignment

extension UPGMATree {
    /// The tree over only `leaves` (ascending old ids), renumbered `0..<leaves.count` in that
    /// order: absent leaves are dropped and internal nodes left with one child collapse into it.
    /// The merge order and distances of the surviving nodes are kept, so the guide tree of a
    /// microcluster part costs no new alignments.
    func restricted(to leaves: [Int]) -> UPGMATree {
        var node = [Int?](repeating: nil, count: leafCount + merges.count)
        var size = [Int](repeating: 0, count: leafCount + merges.count)
        for (newID, leaf) in leaves.enumerated() {
            node[leaf] = newID
            size[leaf] = 1
        }
        var kept: [Merge] = []
        for (index, merge) in merges.enumerated() {
            let id = leafCount + index
            switch (node[merge.left], node[merge.right]) {
            case let (left?, right?):
                let newID = leaves.count + kept.count
                size[id] = size[merge.left] + size[merge.right]
                // Merge has no public initialiser: a copy of the old merge is renumbered.
                var renumbered = merge
                renumbered.left = min(left, right)
                renumbered.right = max(left, right)
                renumbered.size = size[id]
                kept.append(renumbered)
                node[id] = newID
            case let (only?, nil):
                node[id] = only
                size[id] = size[merge.left]
            case let (nil, only?):
                node[id] = only
                size[id] = size[merge.right]
            case (nil, nil):
                break
            }
        }
        return UPGMATree(leafCount: leaves.count, merges: kept)
    }
}
