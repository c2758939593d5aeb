import Foundation
import ScriptGenEvaluation

/// `evaluate --sweep --svg FILE`: the sweep's rows as a picture — model size (edges, log scale)
/// against the share of held-out requests matched and conversations completed, one point pair
/// per setting. Plain SVG, no dependency: opens in any browser.
enum SweepPlot {
    static let width = 760.0, height = 440.0
    static let left = 70.0, right = 230.0, top = 40.0, bottom = 60.0

    static func svg(_ rows: [EvaluationSweep.Row], title: String) -> String {
        let plotWidth = width - left - right, plotHeight = height - top - bottom
        let sizes = rows.map { Double(max(1, $0.edges)) }
        var low = (sizes.min() ?? 1).log10Floor, high = (sizes.max() ?? 10).log10Ceiling
        if high <= low { high = low + 1 }
        if low < 0 { low = 0 }
        func x(_ edges: Int) -> Double { left + (log10(Double(max(1, edges))) - low) / (high - low) * plotWidth }
        func y(_ share: Double) -> Double { top + (1 - share) * plotHeight }

        var parts: [String] = []
        parts.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" font-family=\"sans-serif\" font-size=\"11\">")
        parts.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>")
        parts.append("<text x=\"\(left)\" y=\"22\" font-size=\"14\">\(escaped(title))</text>")
        // Axes and grid.
        for percent in stride(from: 0, through: 100, by: 20) {
            let lineY = y(Double(percent) / 100)
            parts.append("<line x1=\"\(left)\" y1=\"\(lineY)\" x2=\"\(left + plotWidth)\" y2=\"\(lineY)\" stroke=\"#ddd\"/>")
            parts.append("<text x=\"\(left - 8)\" y=\"\(lineY + 4)\" text-anchor=\"end\">\(percent)%</text>")
        }
        for exponent in Int(low)...Int(high) {
            let lineX = left + (Double(exponent) - low) / (high - low) * plotWidth
            parts.append("<line x1=\"\(lineX)\" y1=\"\(top)\" x2=\"\(lineX)\" y2=\"\(top + plotHeight)\" stroke=\"#ddd\"/>")
            parts.append("<text x=\"\(lineX)\" y=\"\(top + plotHeight + 16)\" text-anchor=\"middle\">\(power(exponent))</text>")
        }
        parts.append("<rect x=\"\(left)\" y=\"\(top)\" width=\"\(plotWidth)\" height=\"\(plotHeight)\" fill=\"none\" stroke=\"#333\"/>")
        parts.append("<text x=\"\(left + plotWidth / 2)\" y=\"\(height - 18)\" text-anchor=\"middle\">edges in the model (log scale)</text>")
        // Points, numbered; the legend on the right names each setting.
        for (index, row) in rows.enumerated() {
            let total = row.report.total
            let matched = total.requests == 0 ? 0 : Double(total.matchedRequests) / Double(total.requests)
            let completed = total.conversations == 0 ? 0 : Double(total.completedConversations) / Double(total.conversations)
            let pointX = x(row.edges)
            parts.append("<circle cx=\"\(pointX)\" cy=\"\(y(matched))\" r=\"4\" fill=\"#1f77b4\"><title>\(escaped(row.setting.label)): \(EvaluationReport.percent(total.matchedRequests, of: total.requests)) matched</title></circle>")
            parts.append("<rect x=\"\(pointX - 4)\" y=\"\(y(completed) - 4)\" width=\"8\" height=\"8\" fill=\"#ff7f0e\"><title>\(escaped(row.setting.label)): \(EvaluationReport.percent(total.completedConversations, of: total.conversations)) completed</title></rect>")
            parts.append("<text x=\"\(pointX + 6)\" y=\"\(y(matched) - 5)\" fill=\"#555\">\(index + 1)</text>")
            parts.append("<text x=\"\(left + plotWidth + 14)\" y=\"\(top + 54 + Double(index) * 15)\">\(index + 1). \(escaped(row.setting.label)) (\(row.states) states)</text>")
        }
        let legendX = left + plotWidth + 14
        parts.append("<circle cx=\"\(legendX + 4)\" cy=\"\(top + 6)\" r=\"4\" fill=\"#1f77b4\"/><text x=\"\(legendX + 14)\" y=\"\(top + 10)\">requests matched</text>")
        parts.append("<rect x=\"\(legendX)\" y=\"\(top + 18)\" width=\"8\" height=\"8\" fill=\"#ff7f0e\"/><text x=\"\(legendX + 14)\" y=\"\(top + 26)\">conversations completed</text>")
        parts.append("</svg>")
        return parts.joined(separator: "\n") + "\n"
    }

    private static func power(_ exponent: Int) -> String {
        var value = 1
        for _ in 0..<max(0, exponent) { value *= 10 }
        return "\(value)"
    }

    private static func escaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }
}

private extension Double {
    var log10Floor: Double { log10(self).rounded(.down) }
    var log10Ceiling: Double { log10(self).rounded(.up) }
}
