import Foundation
import ScriptGenAlignment

func explore(count: Int, threshold: Double) {
    var corpus = RequestCorpus(seed: 1)
    let sequences = corpus.requests(count)
    let clustering = Clusterer(options: ClusteringOptions(threshold: threshold)).cluster(sequences)
    for cluster in clustering.clusters {
        print("cluster of \(cluster.members.count)")
        for member in cluster.members.prefix(4) {
            print("   ", String(decoding: sequences[member], as: UTF8.self).replacingOccurrences(of: "\r\n", with: "|").prefix(150))
        }
    }
    let tree = UPGMATree(distances: DistanceMatrix(sequences: sequences))
    print("top merge distances:", tree.merges.suffix(8).map { String(format: "%.3f", $0.distance) })
}
