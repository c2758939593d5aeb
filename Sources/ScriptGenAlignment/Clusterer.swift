/// Macroclustering of requests, PI style, with bounded work.
///
/// 1. Identical requests are merged (their weights add up).
/// 2. If more than `maxAlignedSamples` distinct requests remain, a deterministic sample is
///    taken: the most frequent quarter, then requests evenly spread over the rest ordered by
///    length (so every length stratum is represented).
/// 3. The sample's distance matrix (all cores), a UPGMA tree, cut at `threshold`.
/// 4. Every request outside the sample joins the cluster of its nearest representative when
///    that distance is within `threshold`; those farther from every cluster are clustered again
///    the same way (a new round), so an outlier is never forced into a cluster.
/// Cost per round: S·(S−1)/2 alignments for a sample of S plus (n − S)·clusters·R alignments.
public struct Clusterer: Sendable {
    public var options: ClusteringOptions

    public init(options: ClusteringOptions = ClusteringOptions()) {
        self.options = options
    }

    public func cluster(_ sequences: [[UInt8]], weights: [Double]? = nil) -> Clustering {
        let weights = weights ?? [Double](repeating: 1, count: sequences.count)
        precondition(weights.count == sequences.count, "Clusterer: one weight per sequence")
        // Distinct requests, in order of first appearance.
        var distinctIndex: [[UInt8]: Int] = [:]
        var firstInput: [Int] = [], distinctWeight: [Double] = [], inputsOf: [[Int]] = []
        for (input, sequence) in sequences.enumerated() {
            if let existing = distinctIndex[sequence] {
                distinctWeight[existing] += weights[input]
                inputsOf[existing].append(input)
            } else {
                distinctIndex[sequence] = firstInput.count
                firstInput.append(input)
                distinctWeight.append(weights[input])
                inputsOf.append([input])
            }
        }
        distinctIndex = [:]
        let distinct = firstInput.map { sequences[$0] }

        var clusters: [Clustering.Cluster] = []
        var pending = Array(distinct.indices)
        var sampledCount = 0, assignedCount = 0, rounds = 0
        while !pending.isEmpty {
            rounds += 1
            let sample = samplePending(pending, sequences: distinct, weights: distinctWeight)
            let sampleSet = Set(sample)
            let rest = pending.filter { !sampleSet.contains($0) }
            sampledCount += sample.count
            let matrix = DistanceMatrix(store: SequenceStore(sample.map { distinct[$0] }), scoring: options.scoring)
            let tree = UPGMATree(distances: matrix)
            let roots = tree.clusterRoots(threshold: options.threshold)
            // Per cluster: its sample positions and guide tree.
            var roundClusters: [(positions: [Int], tree: UPGMATree, assigned: [Int])] = roots.map { root in
                let (subtree, leaves) = tree.subtree(at: root)
                return (leaves, subtree, [])
            }
            var leftovers: [Int] = []
            if !rest.isEmpty {
                var representatives: [(cluster: Int, position: Int)] = []
                for (index, cluster) in roundClusters.enumerated() {
                    for position in representativesOf(cluster.positions, matrix: matrix) {
                        representatives.append((index, position))
                    }
                }
                let distances = DistanceMatrix.rectangular(
                    queries: SequenceStore(rest.map { distinct[$0] }),
                    targets: SequenceStore(representatives.map { distinct[sample[$0.position]] }),
                    scoring: options.scoring)
                for (row, request) in rest.enumerated() {
                    // Nearest representative; ties go to the earlier one (lower cluster, then medoid first).
                    var best = -1
                    var bestDistance = Float.infinity
                    for (column, value) in distances[row].enumerated() where value < bestDistance {
                        best = column
                        bestDistance = value
                    }
                    if best >= 0 && Double(bestDistance) <= options.threshold {
                        roundClusters[representatives[best].cluster].assigned.append(request)
                        assignedCount += 1
                    } else {
                        leftovers.append(request)
                    }
                }
            }
            for cluster in roundClusters {
                let aligned = cluster.positions.map { sample[$0] }
                let all = aligned + cluster.assigned
                clusters.append(Clustering.Cluster(
                    members: all.flatMap { inputsOf[$0] }.sorted(),
                    alignedMembers: aligned.map { firstInput[$0] },
                    alignedWeights: aligned.map { distinctWeight[$0] },
                    guideTree: cluster.tree,
                    unalignedMembers: cluster.assigned.map { firstInput[$0] }.sorted()))
            }
            pending = leftovers
        }
        clusters.sort { $0.members[0] < $1.members[0] }
        return Clustering(
            clusters: clusters, distinctCount: distinct.count, sampledCount: sampledCount,
            assignedCount: assignedCount, rounds: rounds)
    }

    /// The deterministic sample of one round (all of `pending` when it fits), ascending.
    private func samplePending(_ pending: [Int], sequences: [[UInt8]], weights: [Double]) -> [Int] {
        let limit = options.maxAlignedSamples
        if pending.count <= limit { return pending }
        let frequentCount = limit / 4
        let byWeight = pending.sorted { weights[$0] != weights[$1] ? weights[$0] > weights[$1] : $0 < $1 }
        var chosen = Set(byWeight.prefix(frequentCount))
        let remainder = pending.filter { !chosen.contains($0) }
            .sorted { (sequences[$0].count, $0) < (sequences[$1].count, $1) }
        let slots = limit - chosen.count
        for slot in 0..<slots {
            // The middle of each of `slots` equal strata of the length-ordered remainder.
            chosen.insert(remainder[(2 * slot + 1) * remainder.count / (2 * slots)])
        }
        return chosen.sorted()
    }

    /// Up to `representativesPerCluster` sample positions: the medoid, then farthest-first.
    private func representativesOf(_ positions: [Int], matrix: DistanceMatrix) -> [Int] {
        let count = min(options.representativesPerCluster, positions.count)
        var medoid = positions[0], medoidSum = Double.infinity
        for candidate in positions {
            let sum = positions.reduce(0.0) { $0 + matrix[candidate, $1] }
            if sum < medoidSum { medoid = candidate; medoidSum = sum }
        }
        var chosen = [medoid]
        var nearest = positions.map { matrix[medoid, $0] }
        while chosen.count < count {
            var farthest = -1, farthestDistance = -1.0
            for (index, distance) in nearest.enumerated() where distance > farthestDistance {
                farthest = index
                farthestDistance = distance
            }
            if farthestDistance <= 0 { break }
            chosen.append(positions[farthest])
            for (index, position) in positions.enumerated() {
                nearest[index] = min(nearest[index], matrix[positions[farthest], position])
            }
        }
        return chosen
    }
}

/// The result of `Clusterer.cluster`.
public struct Clustering: Hashable, Sendable {
    public struct Cluster: Hashable, Sendable {
        /// Every input index in the cluster (duplicates included), ascending.
        public var members: [Int]
        /// One input index per distinct request that was aligned pairwise and sits in
        /// `guideTree` (leaf i is `alignedMembers[i]`), ascending.
        public var alignedMembers: [Int]
        /// Weight of each aligned member: the total weight of its identical requests.
        public var alignedWeights: [Double]
        /// UPGMA tree over `alignedMembers`, the guide for the multiple alignment.
        public var guideTree: UPGMATree
        /// One input index per distinct request assigned to the cluster by nearest
        /// representative (only when the sample bound applied), ascending.
        public var unalignedMembers: [Int]

        /// The multiple alignment of the aligned members along the guide tree; its `members`
        /// are input indices.
        public func multipleAlignment(
            of sequences: [[UInt8]], options: MultipleAlignment.Options = MultipleAlignment.Options()
        ) -> MultipleAlignment {
            let alignment = MultipleAlignment(
                sequences: alignedMembers.map { sequences[$0] }, tree: guideTree,
                weights: alignedWeights, options: options)
            return MultipleAlignment(
                rows: alignment.rows, members: alignment.members.map { alignedMembers[$0] },
                weights: alignment.weights)
        }
    }

    /// Ordered by lowest member.
    public var clusters: [Cluster]
    /// Distinct requests in the input.
    public var distinctCount: Int
    /// Distinct requests aligned pairwise (all of them when under the bound).
    public var sampledCount: Int
    /// Distinct requests placed by nearest representative.
    public var assignedCount: Int
    /// Sampling rounds (1 unless the bound applied and outliers needed another round).
    public var rounds: Int
}
