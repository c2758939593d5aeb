import ScriptGenModel

extension EvaluationReport {
    /// Bytes shown per preview in the misses.
    static let missPreviewBytes = 80

    /// A readable table: one row per port and the total, with percentages, then the divergence
    /// histogram and the unmodelled ports. Ends with a newline.
    public func table() -> String {
        var rows: [[String]] = [["port", "conversations", "requests", "matched", "completed", "exact answers", "equivalent", "fields right", "similarity"]]
        for port in ports {
            rows.append(Self.row(label: "\(port.transport.rawValue)/\(port.port)", port.metrics))
        }
        rows.append(Self.row(label: "total", total))
        var lines = Self.align(rows, rightAligned: 1...8)
        lines.append("")
        lines.append("divergence (number of the first unmatched request: conversations)")
        for port in ports {
            lines.append("  \(port.transport.rawValue)/\(port.port): " + Self.histogram(port.metrics))
        }
        if !unmodelled.isEmpty {
            let list = unmodelled.map { "\($0.transport.rawValue)/\($0.port) (\($0.conversations))" }
            lines.append("")
            lines.append("not in the model, not replayed: \(unmodelledConversations) conversation\(unmodelledConversations == 1 ? "" : "s") on "
                         + list.prefix(20).joined(separator: ", ") + (list.count > 20 ? ", …" : ""))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The misses, numbered, each with the request, the state it arrived in, the closest edge
    /// and what the real server answered. Ends with a newline (empty when there are none).
    public func missesText() -> String {
        let limit = Self.missPreviewBytes
        var lines: [String] = []
        for (number, miss) in misses.enumerated() {
            lines.append("\(number + 1). \(miss.transport.rawValue)/\(miss.port) conversation \(miss.conversation) (\(miss.client) -> \(miss.server)), request \(miss.request), in state \(miss.state)")
            lines.append("   request   " + ModelRendering.preview(miss.requestBytes, limit: limit) + Self.fullLength(miss.requestByteCount, shown: miss.requestBytes.count))
            lines.append("   state     replied " + ModelRendering.preview(miss.stateReply, limit: limit))
            if let closest = miss.closest, let pattern = miss.closestPattern {
                lines.append("   closest   edge \(closest.edge) " + ModelRendering.preview(pattern, limit: limit)
                             + ", score " + Self.decimal(closest.score, places: 3) + (closest.followed ? " (answered as it)" : " (below the threshold: not followed)"))
            } else {
                lines.append("   closest   none (the state has no edges)")
            }
            lines.append("   real      " + ModelRendering.preview(miss.realResponse, limit: limit) + Self.fullLength(miss.realResponseByteCount, shown: miss.realResponse.count))
        }
        return lines.isEmpty ? "" : lines.joined(separator: "\n") + "\n"
    }

    private static func fullLength(_ count: Int, shown: Int) -> String {
        count > shown ? " (\(count) bytes)" : ""
    }

    private static func row(label: String, _ metrics: EvaluationMetrics) -> [String] {
        [
            label,
            String(metrics.conversations),
            String(metrics.requests),
            "\(metrics.matchedRequests) (\(percent(metrics.matchedRequests, of: metrics.requests)))",
            "\(metrics.completedConversations) (\(percent(metrics.completedConversations, of: metrics.conversations)))",
            "\(metrics.exactResponses)/\(metrics.comparedResponses) (\(percent(metrics.exactResponses, of: metrics.comparedResponses)))",
            "\(metrics.equivalentResponses) (\(percent(metrics.equivalentResponses, of: metrics.comparedResponses)))",
            "\(metrics.equivalentTemplateResponses)/\(metrics.templateResponses) (\(percent(metrics.equivalentTemplateResponses, of: metrics.templateResponses)))",
            metrics.meanResponseSimilarity.map { decimal($0, places: 3) } ?? "-",
        ]
    }

    private static func histogram(_ metrics: EvaluationMetrics) -> String {
        var parts = metrics.divergenceDepth.keys.sorted().map { "\($0): \(metrics.divergenceDepth[$0]!)" }
        parts.append("complete: \(metrics.completedConversations)")
        return parts.joined(separator: ", ")
    }

    /// `68.1%`, or `-` for nothing to count.
    public static func percent(_ part: Int, of whole: Int) -> String {
        guard whole > 0 else { return "-" }
        return decimal(Double(part) * 100 / Double(whole), places: 1) + "%"
    }

    /// Fixed decimals without Foundation.
    public static func decimal(_ value: Double, places: Int) -> String {
        var scale = 1.0
        for _ in 0..<places { scale *= 10 }
        let scaled = Int64((value * scale).rounded())
        let sign = scaled < 0 ? "-" : ""
        let magnitude = scaled.magnitude
        let whole = magnitude / UInt64(scale)
        guard places > 0 else { return sign + String(whole) }
        var fraction = String(magnitude % UInt64(scale))
        while fraction.count < places { fraction = "0" + fraction }
        return sign + String(whole) + "." + fraction
    }

    private static func align(_ rows: [[String]], rightAligned: ClosedRange<Int>) -> [String] {
        let widths = rows[0].indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { column, cell in
                let padding = String(repeating: " ", count: widths[column] - cell.count)
                return rightAligned.contains(column) ? padding + cell : cell + padding
            }.joined(separator: "  ").trimmingTrailingSpaces()
        }
    }
}

private extension String {
    func trimmingTrailingSpaces() -> String {
        var text = self
        while text.last == " " { text.removeLast() }
        return text
    }
}
