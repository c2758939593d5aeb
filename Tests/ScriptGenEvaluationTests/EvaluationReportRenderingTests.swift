import Foundation
import ScriptGenEvaluation
import ScriptGenModel
import Testing

@Suite struct EvaluationReportRenderingTests {
    typealias F = Fixtures

    static let metricKeys: Set<String> = [
        "conversations", "requests", "matchedRequests", "completedConversations",
        "comparedResponses", "exactResponses", "equivalentResponses", "templateResponses", "equivalentTemplateResponses",
        "meanResponseSimilarity", "divergenceDepth",
    ]

    static let report: EvaluationReport = {
        let conversations = [
            F.ftpExact, EvaluatorTests.helpConversation, F.conversation(over: .udp, port: 53, "C:Q", "S:R"),
            F.conversation(port: 8080, "C:x"), F.conversation(port: 7),
        ]
        return try! Evaluator.evaluate(F.model, on: conversations, options: EvaluationOptions(maxMisses: 3))
    }()

    func parse(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test func jsonHasThePortsTotalAndUnmodelled() throws {
        let text = Self.report.json()
        #expect(!text.contains("\n"))
        let object = try parse(text)
        #expect(Set(object.keys) == ["ports", "total", "unmodelled"])

        let ports = try #require(object["ports"] as? [[String: Any]])
        #expect(ports.map { "\($0["transport"]!)/\($0["port"]!)" } == ["tcp/7", "tcp/21", "udp/53"])
        for port in ports {
            #expect(Set(port.keys) == Self.metricKeys.union(["transport", "port"]))
        }
        let ftp = ports[1]
        #expect(ftp["conversations"] as? Int == 2)
        #expect(ftp["requests"] as? Int == 8)
        #expect(ftp["matchedRequests"] as? Int == 7)
        #expect(ftp["completedConversations"] as? Int == 1)
        #expect(ftp["comparedResponses"] as? Int == 10)
        #expect(ftp["exactResponses"] as? Int == 9)
        #expect(ftp["meanResponseSimilarity"] as? Double == 0.9)
        #expect(ftp["divergenceDepth"] as? [String: Int] == ["2": 1, "complete": 1])

        // The empty conversation on port 7 compared nothing: no mean.
        #expect(ports[0]["meanResponseSimilarity"] is NSNull)
        #expect(ports[0]["divergenceDepth"] as? [String: Int] == ["complete": 1])

        let total = try #require(object["total"] as? [String: Any])
        #expect(Set(total.keys) == Self.metricKeys)
        #expect(total["conversations"] as? Int == 4)
        #expect(total["divergenceDepth"] as? [String: Int] == ["2": 1, "complete": 3])

        let unmodelled = try #require(object["unmodelled"] as? [[String: Any]])
        #expect(unmodelled.count == 1)
        #expect(unmodelled[0]["port"] as? Int == 8080)
        #expect(unmodelled[0]["conversations"] as? Int == 1)
    }

    @Test func jsonKeysComeInTheDocumentedOrder() {
        let text = Self.report.json()
        let order = ["\"conversations\"", "\"requests\"", "\"matchedRequests\"", "\"completedConversations\"",
                     "\"comparedResponses\"", "\"exactResponses\"", "\"meanResponseSimilarity\"", "\"divergenceDepth\""]
        let positions = order.map { text.range(of: $0)!.lowerBound }
        #expect(positions == positions.sorted())
        #expect(text.hasPrefix("{\"ports\":[{\"transport\":\"tcp\",\"port\":7,"))
    }

    @Test func jsonMissesWhenAsked() throws {
        let object = try parse(Self.report.json(includeMisses: true))
        let misses = try #require(object["misses"] as? [[String: Any]])
        #expect(misses.count == 1)
        let miss = misses[0]
        #expect(miss["port"] as? Int == 21)
        #expect(miss["conversation"] as? Int == 2)
        #expect(miss["request"] as? Int == 2)
        #expect(miss["requestHex"] as? String == "48454c500d0a")
        #expect(miss["requestPreview"] as? String == "\"HELP\\r\\n\"")
        #expect(miss["state"] as? Int == 1)
        #expect(miss["closestEdge"] as? Int == 0)
        #expect(miss["closestFollowed"] as? Bool == false)
        #expect(miss["client"] as? String == "10.0.0.2:40000")
    }

    @Test func tableHasARowPerPortAndTheTotal() {
        let lines = Self.report.table().split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines[0].hasPrefix("port"))
        #expect(lines[2].hasPrefix("tcp/21 "))
        #expect(lines[2].hasSuffix("0.900"))
        #expect(lines[2].contains("7 (87.5%)"))
        #expect(lines[2].contains("1 (50.0%)"))
        #expect(lines[2].contains("9/10 (90.0%)"))
        #expect(lines[4].hasPrefix("total "))
        #expect(lines.contains("  tcp/21: 2: 1, complete: 1"))
        #expect(lines.contains { $0.hasPrefix("not in the model, not replayed: 1 conversation on tcp/8080 (1)") })
    }

    @Test func missesTextNamesTheRequestStateAndClosestEdge() {
        let text = Self.report.missesText()
        #expect(text.hasPrefix("1. tcp/21 conversation 2 (10.0.0.2:40000 -> 10.0.0.1:21), request 2, in state 1\n"))
        #expect(text.contains("   request   \"HELP\\r\\n\"\n"))
        #expect(text.contains("   state     replied \"331 pw\\r\\n\"\n"))
        #expect(text.contains("   closest   edge 0 \"PASS \" <var 1-16 bytes> \"\\r\\n\", score 0.214 (below the threshold: not followed)\n"))
        #expect(text.contains("   real      \"214 help\\r\\n\"\n"))
    }
}
