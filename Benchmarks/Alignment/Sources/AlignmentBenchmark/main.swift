import CScalarReference
import Foundation
import ScriptGenAlignment

// Usage:
//   AlignmentBenchmark kernel                 single-core cells/s of each kernel
//   AlignmentBenchmark matrix N [scheme]      distance matrix of N requests on all cores
//   AlignmentBenchmark cluster N              cluster N requests, align and analyse each cluster
// One size per process, so the peak memory (VmHWM) belongs to that size alone.

let arguments = CommandLine.arguments
print("$ " + arguments.map { ($0 as NSString).lastPathComponent == $0 ? $0 : $0 }.joined(separator: " "))
print("cores: \(ProcessInfo.processInfo.activeProcessorCount)")

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

func measure<T>(_ body: () -> T) -> (T, Double) {
    let clock = ContinuousClock()
    let start = clock.now
    let result = body()
    return (result, seconds(clock.now - start))
}

/// Peak resident memory of this process (VmHWM), in MB.
func peakMemoryMB() -> Double {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return .nan }
    for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
        let kilobytes = line.split(separator: " ").compactMap { Double($0) }.first ?? .nan
        return kilobytes / 1024
    }
    return .nan
}

let schemes: [String: AlignmentScoring] = [
    "lcs": .distanceDefault,
    "global": AlignmentScoring(match: 2, mismatch: -1, gap: -1),
    "local": AlignmentScoring(match: 2, mismatch: -1, gap: -2, mode: .local),
]

func format(_ value: Double, _ digits: Int = 2) -> String { String(format: "%.\(digits)f", value) }

func kernelBenchmark() {
    var corpus = RequestCorpus(seed: 1)
    let sequences = corpus.requests(400)
    let queries = Array(sequences.prefix(40))
    let targets = Array(sequences.dropFirst(40))
    let cells = Double(queries.reduce(0) { $0 + $1.count } * targets.reduce(0) { $0 + $1.count })
    // Targets in input order (lane lengths vary, as they do for one query against a batch);
    // each kernel repeats the whole batch until a second has passed.
    for name in ["lcs", "global", "local"] {
        let aligner = PairwiseAligner(scoring: schemes[name]!)
        var checksum = 0, repetitions = 0
        let (_, time) = measure {
            let clock = ContinuousClock()
            let start = clock.now
            while repetitions == 0 || clock.now - start < .seconds(1) {
                for query in queries { checksum &+= aligner.scores(query, against: targets).reduce(0, &+) }
                repetitions += 1
            }
        }
        let total = cells * Double(repetitions)
        print("kernel \(name.padding(toLength: 7, withPad: " ", startingAt: 0)) 1 core: \(format(total / time / 1e9)) G cells/s  (\(Int(total)) cells in \(format(time, 3)) s, checksum \(checksum / repetitions))")
    }
    var row = [Int32](repeating: 0, count: 4096)
    var checksum = 0
    let (_, time) = measure {
        for query in queries {
            for target in targets {
                checksum &+= Int(query.withUnsafeBufferPointer { q in
                    target.withUnsafeBufferPointer { t in
                        c_scalar_nw_score(q.baseAddress, q.count, t.baseAddress, t.count, 2, -1, -1, &row)
                    }
                })
            }
        }
    }
    print("C scalar global 1 core: \(format(cells / time / 1e9)) G cells/s  (\(Int(cells)) cells in \(format(time, 3)) s, checksum \(checksum))")
}

func matrixBenchmark(count: Int, scheme: String) {
    var corpus = RequestCorpus(seed: 1)
    let sequences = corpus.requests(count)
    let lengths = sequences.map(\.count)
    var cells = 0.0
    for i in 0..<count { for j in (i + 1)..<count { cells += Double(lengths[i] * lengths[j]) } }
    let (matrix, time) = measure { DistanceMatrix(sequences: sequences, scoring: schemes[scheme]!) }
    print("distance matrix \(count) requests, \(scheme): \(format(time, 3)) s, \(format(cells / time / 1e9)) G cells/s on all cores, d(0,1) = \(format(matrix[0, 1], 4)), peak \(format(peakMemoryMB(), 1)) MB")
}

func clusterBenchmark(count: Int, options: ClusteringOptions) {
    var corpus = RequestCorpus(seed: 1)
    let sequences = corpus.requests(count)
    let clusterer = Clusterer(options: options)
    print("threshold \(options.threshold), maxAlignedSamples \(options.maxAlignedSamples)")
    let (clustering, clusterTime) = measure { clusterer.cluster(sequences) }
    let (analyses, alignTime) = measure {
        clustering.clusters.map { cluster in
            RegionAnalysis(alignment: cluster.multipleAlignment(of: sequences))
        }
    }
    let sizes = clustering.clusters.map(\.members.count)
    print("cluster \(count) requests: \(clustering.clusters.count) clusters (sizes \(sizes.prefix(12))\(sizes.count > 12 ? "…" : "")), distinct \(clustering.distinctCount), sampled \(clustering.sampledCount), assigned \(clustering.assignedCount), rounds \(clustering.rounds)")
    let regions = analyses.map(\.regions.count)
    print("  clustering \(format(clusterTime, 3)) s + multiple alignment and region analysis \(format(alignTime, 3)) s = \(format(clusterTime + alignTime, 3)) s; regions per cluster \(regions.prefix(12)); peak \(format(peakMemoryMB(), 1)) MB")
}

/// `[threshold [maxAlignedSamples]]` from the command line, defaults otherwise.
func clusteringOptions(_ rest: ArraySlice<String>) -> ClusteringOptions {
    var options = ClusteringOptions()
    if let text = rest.first, let threshold = Double(text) { options.threshold = threshold }
    if rest.count > 1, let samples = Int(rest[rest.startIndex + 1]) { options.maxAlignedSamples = samples }
    return options
}

/// Quality of the sample bound: the bounded clustering against the unbounded one on the same
/// requests (pairs of requests on which both agree: same cluster in both, or apart in both).
func compareSampling(count: Int, options: ClusteringOptions) {
    var corpus = RequestCorpus(seed: 1)
    let sequences = corpus.requests(count)
    var full = options
    full.maxAlignedSamples = count
    let (bounded, boundedTime) = measure { Clusterer(options: options).cluster(sequences) }
    let (exact, exactTime) = measure { Clusterer(options: full).cluster(sequences) }
    func labels(_ clustering: Clustering) -> [Int] {
        var label = [Int](repeating: -1, count: count)
        for (index, cluster) in clustering.clusters.enumerated() { for member in cluster.members { label[member] = index } }
        return label
    }
    let a = labels(bounded), b = labels(exact)
    var agree = 0.0, pairs = 0.0
    for i in 0..<count {
        for j in (i + 1)..<count {
            pairs += 1
            if (a[i] == a[j]) == (b[i] == b[j]) { agree += 1 }
        }
    }
    let sizes = { (c: Clustering) in c.clusters.map(\.members.count).sorted(by: >).prefix(8).map(String.init).joined(separator: ",") }
    print("threshold \(options.threshold): bounded (\(options.maxAlignedSamples) samples) \(bounded.clusters.count) clusters [\(sizes(bounded))] in \(format(boundedTime, 2)) s, rounds \(bounded.rounds); unbounded \(exact.clusters.count) clusters [\(sizes(exact))] in \(format(exactTime, 2)) s; pair agreement (Rand index) \(format(agree / pairs, 4)); peak \(format(peakMemoryMB(), 1)) MB")
}

/// Distance matrix then UPGMA tree of N requests, timed separately.
func upgmaBenchmark(count: Int) {
    var corpus = RequestCorpus(seed: 1)
    let sequences = corpus.requests(count)
    let (matrix, matrixTime) = measure { DistanceMatrix(sequences: sequences) }
    let (tree, treeTime) = measure { UPGMATree(distances: matrix) }
    let (clusters, cutTime) = measure { tree.clusters(threshold: 0.45) }
    print("\(count) requests: distance matrix \(format(matrixTime, 3)) s, UPGMA \(format(treeTime, 3)) s, cut \(format(cutTime, 4)) s (\(clusters.count) clusters at 0.45); peak \(format(peakMemoryMB(), 1)) MB")
}

switch arguments.dropFirst().first {
case "kernel": kernelBenchmark()
case "explore": explore(count: Int(arguments[2]) ?? 200, threshold: Double(arguments[3]) ?? 0.5)
case "upgma": upgmaBenchmark(count: Int(arguments[2]) ?? 5000)
case "matrix":
    matrixBenchmark(count: Int(arguments[2]) ?? 500, scheme: arguments.count > 3 ? arguments[3] : "lcs")
case "cluster":
    clusterBenchmark(count: Int(arguments[2]) ?? 500, options: clusteringOptions(arguments.dropFirst(3)))
case "compare":
    compareSampling(count: Int(arguments[2]) ?? 5000, options: clusteringOptions(arguments.dropFirst(3)))
default:
    print("usage: AlignmentBenchmark kernel | matrix N [lcs|global|local] | cluster N [threshold [maxSamples]] | compare N [threshold [maxSamples]]")
}
