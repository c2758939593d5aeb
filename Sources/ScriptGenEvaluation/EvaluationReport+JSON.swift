import ScriptGenModel

extension EvaluationReport {
    /// The report as one JSON object on one line (docs/evaluation.md):
    /// `{"ports":[{"transport":"tcp","port":21,<metrics>}],"total":{<metrics>},"unmodelled":[...]}`,
    /// plus `"misses":[...]` when `includeMisses`. Keys come in a fixed order.
    public func json(includeMisses: Bool = false) -> String {
        var members: [(String, String)] = [
            ("ports", JSONText.array(ports.map { port in
                JSONText.object([("transport", JSONText.string(port.transport.rawValue)), ("port", String(port.port))] + port.metrics.jsonMembers)
            })),
            ("total", JSONText.object(total.jsonMembers)),
            ("unmodelled", JSONText.array(unmodelled.map { port in
                JSONText.object([
                    ("transport", JSONText.string(port.transport.rawValue)), ("port", String(port.port)),
                    ("conversations", String(port.conversations)),
                ])
            })),
        ]
        if includeMisses {
            members.append(("misses", JSONText.array(misses.map(\.json))))
        }
        return JSONText.object(members)
    }
}

extension EvaluationMetrics {
    var jsonMembers: [(String, String)] {
        var histogram = divergenceDepth.keys.sorted().map { (String($0), String(divergenceDepth[$0]!)) }
        histogram.append(("complete", String(completedConversations)))
        return [
            ("conversations", String(conversations)),
            ("requests", String(requests)),
            ("matchedRequests", String(matchedRequests)),
            ("completedConversations", String(completedConversations)),
            ("comparedResponses", String(comparedResponses)),
            ("exactResponses", String(exactResponses)),
            ("equivalentResponses", String(equivalentResponses)),
            ("templateResponses", String(templateResponses)),
            ("equivalentTemplateResponses", String(equivalentTemplateResponses)),
            ("meanResponseSimilarity", JSONText.number(meanResponseSimilarity)),
            ("divergenceDepth", JSONText.object(histogram)),
        ]
    }
}

extension EvaluationMiss {
    var json: String {
        let previewLimit = EvaluationReport.missPreviewBytes
        return JSONText.object([
            ("transport", JSONText.string(transport.rawValue)),
            ("port", String(port)),
            ("client", JSONText.string(client.description)),
            ("server", JSONText.string(server.description)),
            ("conversation", String(conversation)),
            ("request", String(request)),
            ("requestBytes", String(requestByteCount)),
            ("requestHex", JSONText.string(JSONText.hex(requestBytes))),
            ("requestPreview", JSONText.string(ModelRendering.preview(requestBytes, limit: previewLimit))),
            ("state", String(state)),
            ("stateReplyPreview", JSONText.string(ModelRendering.preview(stateReply, limit: previewLimit))),
            ("closestEdge", closest.map { String($0.edge) } ?? "null"),
            ("closestPattern", closestPattern.map { JSONText.string(ModelRendering.preview($0, limit: previewLimit)) } ?? "null"),
            ("closestScore", JSONText.number(closest?.score)),
            ("closestFollowed", closest.map { $0.followed ? "true" : "false" } ?? "null"),
            ("realResponseBytes", String(realResponseByteCount)),
            ("realResponsePreview", JSONText.string(ModelRendering.preview(realResponse, limit: previewLimit))),
        ])
    }
}
