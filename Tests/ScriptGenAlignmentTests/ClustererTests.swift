import Testing
@testable import ScriptGenAlignment
import ScriptGenTestSupport

@Suite struct ClustererTests {
    static let ftp = [
        "USER alice\r\n", "PASS x\r\n", "USER bob\r\n", "PASS secret\r\n", "USER carol\r\n",
        "PASS hunter2\r\n", "USER dave\r\n", "PASS letmein\r\n", "USER eve\r\n", "PASS 123456\r\n",
    ].map(bytes)

    static let http: [[UInt8]] = {
        let paths = ["/", "/a", "/index.html", "/images/logo.png", "/login.php?user=1"]
        let agents = ["curl/7.88.1", "Mozilla/5.0 (X11; Linux x86_64)", "Wget/1.21"]
        var requests: [[UInt8]] = []
        for (index, path) in paths.enumerated() {
            let agent = agents[index % agents.count]
            requests.append(bytes("GET \(path) HTTP/1.1\r\nHost: example.com\r\nUser-Agent: \(agent)\r\nAccept: */*\r\n\r\n"))
            requests.append(bytes("POST \(path) HTTP/1.1\r\nHost: example.com\r\nUser-Agent: \(agent)\r\nContent-Length: 3\r\n\r\nabc"))
        }
        return requests
    }()

    @Test func ftpCommandsSeparate() {
        let clustering = Clusterer().cluster(Self.ftp)
        #expect(clustering.clusters.map(\.members) == [[0, 2, 4, 6, 8], [1, 3, 5, 7, 9]])
        #expect(clustering.distinctCount == 10)
        #expect(clustering.sampledCount == 10)
        #expect(clustering.assignedCount == 0)
        #expect(clustering.rounds == 1)
    }

    @Test func ftpClusterAlignsIntoCommandNameAndLineEnd() {
        let clustering = Clusterer().cluster(Self.ftp)
        let users = clustering.clusters[0]
        let alignment = users.multipleAlignment(of: Self.ftp)
        #expect(alignment.members == [0, 2, 4, 6, 8])
        let analysis = RegionAnalysis(alignment: alignment, options: .init(minFixedLength: 2))
        #expect(analysis.regions.first?.kind == .fixed(bytes("USER ")))
        #expect(analysis.regions.last?.kind == .fixed(bytes("\r\n")))
        #expect(analysis.regions.count == 3)
        #expect(analysis.regions[1].rowValues == ["alice", "bob", "carol", "dave", "eve"].map(bytes))
    }

    /// Rows grouped by their value of `region`, first seen first (what the simplifier's
    /// microclustering, docs/simplifier.md, splits a cluster by).
    static func rowsByValue(_ region: Region) -> [[Int]] {
        var order: [[UInt8]] = []
        var rows: [[UInt8]: [Int]] = [:]
        for (row, value) in region.rowValues.enumerated() {
            if rows[value] == nil { order.append(value) }
            rows[value, default: []].append(row)
        }
        return order.map { rows[$0]! }
    }

    @Test func looseThresholdMergesCommandsAndTheirRegionSeparatesThem() {
        let clustering = Clusterer(options: ClusteringOptions(threshold: 0.9)).cluster(Self.ftp)
        #expect(clustering.clusters.count == 1)
        let analysis = RegionAnalysis(alignment: clustering.clusters[0].multipleAlignment(of: Self.ftp))
        #expect(analysis.regions[0].kind == .mutating)
        // The first region holds the letters where USER and PASS differ (they share an "S"),
        // two values that separate the USER rows from the PASS rows.
        #expect(Set(Self.rowsByValue(analysis.regions[0])) == [[0, 2, 4, 6, 8], [1, 3, 5, 7, 9]])
    }

    @Test func httpMethodsShareAClusterAndSplitOnTheMethod() {
        let clustering = Clusterer().cluster(Self.http)
        #expect(clustering.clusters.count == 1)
        let cluster = clustering.clusters[0]
        #expect(cluster.members == Array(0..<10))
        let analysis = RegionAnalysis(alignment: cluster.multipleAlignment(of: Self.http), options: .init(minFixedLength: 2))
        let method = analysis.regions[0]
        #expect(method.kind == .mutating)
        let groups = Self.rowsByValue(method)
        #expect(groups.count == 2, "values \(method.rowValues)")
        let getRows = groups.first { method.rowValues[$0[0]].starts(with: bytes("GE")) }.map(Set.init) ?? []
        #expect(getRows == [0, 2, 4, 6, 8])
        // The protocol version and the Host header are fixed structure.
        let fixedText = analysis.regions.compactMap { region -> String? in
            if case .fixed(let bytes) = region.kind { return String(decoding: bytes, as: UTF8.self) }
            return nil
        }.joined(separator: "|")
        #expect(fixedText.contains(" HTTP/1.1\r\nHost: example.com\r\nUser-Agent: "))
    }

    @Test func textAndBinaryStayApart() {
        let binary: [[UInt8]] = (0..<4).map { [0xFF, 0x53, 0x4D, 0x42, 0x72, 0, 0, 0, UInt8($0), 0x18, 0x53, 0xC8] }
        let clustering = Clusterer().cluster(Self.ftp + binary)
        #expect(clustering.clusters.count == 3)
        #expect(clustering.clusters.last?.members == [10, 11, 12, 13])
    }

    @Test func duplicatesAreMergedWithTheirWeights() {
        let inputs = [bytes("USER a\r\n"), bytes("USER a\r\n"), bytes("USER b\r\n"), bytes("USER a\r\n")]
        let clustering = Clusterer().cluster(inputs, weights: [1, 2, 3, 4])
        #expect(clustering.distinctCount == 2)
        #expect(clustering.clusters.count == 1)
        let cluster = clustering.clusters[0]
        #expect(cluster.members == [0, 1, 2, 3])
        #expect(cluster.alignedMembers == [0, 2])
        #expect(cluster.alignedWeights == [7, 3])
        #expect(cluster.multipleAlignment(of: inputs).weights == [7, 3])
    }

    @Test func emptyAndSingleInputs() {
        #expect(Clusterer().cluster([]).clusters.isEmpty)
        let one = Clusterer().cluster([bytes("x")])
        #expect(one.clusters.map(\.members) == [[0]])
        #expect(one.clusters[0].multipleAlignment(of: [bytes("x")]).rows.map(text) == ["x"])
        let emptyMessages = Clusterer().cluster([[], [], bytes("a")])
        #expect(emptyMessages.clusters.map(\.members) == [[0, 1], [2]])
    }

    @Test func sampleBoundAssignsTheRestToTheNearestCluster() {
        let users = (0..<40).map { bytes("USER name\($0 * 7919 % 1000)\r\n") }
        let passwords = (0..<40).map { bytes("PASS pw\($0 * 104_729 % 100_000)x\r\n") }
        var inputs: [[UInt8]] = []
        for (user, password) in zip(users, passwords) { inputs += [user, password] }
        let bounded = Clusterer(options: ClusteringOptions(maxAlignedSamples: 16)).cluster(inputs)
        #expect(bounded.sampledCount + bounded.assignedCount == 80)
        #expect(bounded.assignedCount > 0)
        let full = Clusterer().cluster(inputs)
        #expect(full.sampledCount == 80)
        #expect(full.clusters.map(\.members) == [Array(stride(from: 0, to: 80, by: 2)), Array(stride(from: 1, to: 80, by: 2))])
        #expect(bounded.clusters.map(\.members) == full.clusters.map(\.members))
        for cluster in bounded.clusters {
            #expect(cluster.alignedMembers.count + cluster.unalignedMembers.count == cluster.members.count)
            #expect(cluster.multipleAlignment(of: inputs).members == cluster.alignedMembers)
        }
    }

    @Test func outliersBeyondEveryClusterGetAnotherRound() {
        // Far more text than the sample holds, plus two binary messages the sample may miss.
        var inputs = (0..<30).map { bytes("USER name\($0)\r\n") }
        inputs.append([0xFF, 0x00, 0x01, 0x02, 0x03, 0x04, 0x05])
        inputs.append([0xFF, 0x00, 0x01, 0x02, 0x03, 0x04, 0x06])
        let clustering = Clusterer(options: ClusteringOptions(maxAlignedSamples: 8)).cluster(inputs)
        #expect(clustering.clusters.map(\.members) == [Array(0..<30), [30, 31]])
        #expect(clustering.rounds >= 2)
    }

    @Test func isDeterministic() {
        let inputs = randomSequences(count: 120, lengths: 1...40, alphabet: bytes("USERPAS x\r\n"), seed: 12)
        let options = ClusteringOptions(maxAlignedSamples: 50)
        #expect(Clusterer(options: options).cluster(inputs) == Clusterer(options: options).cluster(inputs))
    }
}
