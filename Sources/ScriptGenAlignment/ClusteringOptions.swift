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
    /// pairwise (n·(n−1)/2 alignments, a condensed matrix of n·(n−1)/2 `Float`s, plus its
    /// working copy for UPGMA) and clustered by UPGMA; the others are then assigned to the
    /// cluster of their nearest representative (`representativesPerCluster` alignments per
    /// cluster each). Default 2,000: about 2 million alignments, 16 MB of distances, under two
    /// seconds on two cores with the default scoring for ~200-byte requests. Raise it to
    /// cluster bigger states exactly (5,000 requests: about 15 s and 120 MB).
    public var maxAlignedSamples: Int
    /// Representatives per cluster that unsampled requests are compared with: the medoid,
    /// then the members farthest from those already chosen. Default 4.
    public var representativesPerCluster: Int

    public init(
        scoring: AlignmentScoring = .distanceDefault, threshold: Double = 0.6,
        maxAlignedSamples: Int = 2_000, representativesPerCluster: Int = 4
    ) {
        precondition(maxAlignedSamples >= 2, "ClusteringOptions: maxAlignedSamples must be at least 2")
        precondition(representativesPerCluster >= 1, "ClusteringOptions: representativesPerCluster must be at least 1")
        self.scoring = scoring
        self.threshold = threshold
        self.maxAlignedSamples = maxAlignedSamples
        self.representativesPerCluster = representativesPerCluster
    }
}
