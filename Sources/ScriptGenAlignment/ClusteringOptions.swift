/// Parameters of macroclustering (`Clusterer`).
public struct ClusteringOptions: Hashable, Sendable {
    /// The pairwise scoring behind the distances. Default `.distanceDefault` (PI style,
    /// d = 1 − LCS / longer length).
    public var scoring: AlignmentScoring
    /// The UPGMA cut: groups stay together while their average distance is at most this.
    /// Default 0.6, loose on purpose (microclustering splits commands afterwards): with the
    /// default scoring, FTP `USER <name>` requests merge below 0.48 and only join `PASS <word>`
    /// at 0.64; realistic HTTP GET requests with different paths, agents and header sets all
    /// merge below 0.58, while text and binary messages stay apart (d > 0.9).
    public var threshold: Double
    /// The bound on the quadratic work. At most this many distinct requests are aligned
    /// pairwise (n·(n−1)/2 alignments, a matrix of n² / 2 floats) and clustered by UPGMA; the
    /// others are then assigned to the cluster of their nearest representative (a few
    /// alignments each). Default 1,000: about 500,000 alignments.
    public var maxAlignedSamples: Int
    /// Representatives per cluster that unsampled requests are compared with: the medoid,
    /// then the members farthest from those already chosen. Default 4.
    public var representativesPerCluster: Int

    public init(
        scoring: AlignmentScoring = .distanceDefault, threshold: Double = 0.6,
        maxAlignedSamples: Int = 1_000, representativesPerCluster: Int = 4
    ) {
        precondition(maxAlignedSamples >= 2, "ClusteringOptions: maxAlignedSamples must be at least 2")
        precondition(representativesPerCluster >= 1, "ClusteringOptions: representativesPerCluster must be at least 1")
        self.scoring = scoring
        self.threshold = threshold
        self.maxAlignedSamples = maxAlignedSamples
        self.representativesPerCluster = representativesPerCluster
    }
}
