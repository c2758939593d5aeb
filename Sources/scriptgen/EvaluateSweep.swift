import ArgumentParser
import ScriptGenBuilder
import ScriptGenEvaluation
import ScriptGenFlows
import ScriptGenModel
import ScriptGenSimplifier

/// `evaluate --sweep` and `--baseline raw`: re-learn from training captures with several
/// settings and evaluate each on the same held-out conversations — the paper's trade-off
/// between script complexity (states, edges) and quality (matched, completed, exact).
struct EvaluationSweep {
    struct Setting {
        var label: String
        var settings: LearningSettings
    }

    struct Row {
        var setting: Setting
        var states: Int
        var edges: Int
        var report: EvaluationReport
    }

    /// The raw tree, then every threshold with microclustering on and off.
    static func grid(base: LearningSettings, thresholds: [Double]) -> [Setting] {
        var raw = base
        raw.simplifier = nil
        var settings = [Setting(label: "raw prefix tree", settings: raw)]
        for microclustering in [true, false] {
            for threshold in thresholds {
                var setting = base
                var options = base.simplifier ?? SimplifierOptions()
                options.macroclusterThreshold = threshold
                // One frequent value can never split a cluster: microclustering off.
                if !microclustering { options.maxDistinctValues = 1 }
                setting.simplifier = options
                settings.append(Setting(label: "macro \(threshold), micro \(microclustering ? "on" : "off")", settings: setting))
            }
        }
        return settings
    }

    /// Learns each setting from the same conversations and evaluates it on `heldOut`.
    static func run(_ settings: [Setting], training: [Conversation], heldOut: [Conversation],
                    options: EvaluationOptions, provenance: Provenance) throws -> [Row] {
        // One raw tree serves every setting: bounded like the largest of them needs.
        var treeOptions = BuilderOptions { $0.maxFanout = LearningSettings.rawTreeMaxFanout; $0.maxStates = LearningSettings.rawTreeMaxStates }
        if settings.allSatisfy({ $0.settings.simplifier == nil }) { treeOptions = settings[0].settings.treeBuilderOptions }
        let built = PrefixTreeBuilder.build(training, options: treeOptions)
        return try settings.map { setting in
            let rawLimited: [BuiltMachine]
            if setting.settings.simplifier == nil {
                // The raw baseline honours the builder limits the user gave.
                rawLimited = PrefixTreeBuilder.build(training, options: setting.settings.treeBuilderOptions)
            } else {
                rawLimited = built
            }
            let (machines, _) = Learning.machines(from: rawLimited, settings: setting.settings)
            let model = Learning.model(machines, settings: setting.settings, provenance: provenance)
            let report = try Evaluator.evaluate(model, on: heldOut, options: options)
            return Row(setting: setting, states: model.machines.reduce(0) { $0 + $1.states.count },
                       edges: model.machines.reduce(0) { $0 + $1.statistics.edges }, report: report)
        }
    }

    static func table(_ rows: [Row]) -> String {
        var lines = [["setting", "states", "edges", "requests", "matched", "completed", "exact answers", "equivalent", "similarity"]]
        for row in rows {
            let total = row.report.total
            lines.append([
                row.setting.label, "\(row.states)", "\(row.edges)", "\(total.requests)",
                EvaluationReport.percent(total.matchedRequests, of: total.requests),
                EvaluationReport.percent(total.completedConversations, of: total.conversations),
                EvaluationReport.percent(total.exactResponses, of: total.comparedResponses),
                EvaluationReport.percent(total.equivalentResponses, of: total.comparedResponses),
                total.meanResponseSimilarity.map { EvaluationReport.decimal($0, places: 3) } ?? "-",
            ])
        }
        let widths = (0..<lines[0].count).map { column in lines.map { $0[column].count }.max() ?? 0 }
        return lines.map { row in
            row.enumerated().map { column, cell in
                column == 0 ? cell.rightPadded(widths[column]) : cell.leftPadded(widths[column])
            }.joined(separator: "  ")
        }.joined(separator: "\n") + "\n"
    }

    static func json(_ rows: [Row]) -> String {
        let items = rows.map { row -> String in
            var parameters = "null"
            if let simplifier = row.setting.settings.simplifier {
                parameters = "{\"macroclusterThreshold\":\(simplifier.macroclusterThreshold),\"microclustering\":\(simplifier.maxDistinctValues > 1)}"
            }
            return "{\"setting\":\"\(row.setting.label)\",\"raw\":\(row.setting.settings.simplifier == nil),\"simplifier\":\(parameters)"
                + ",\"states\":\(row.states),\"edges\":\(row.edges),\"evaluation\":\(row.report.json())}"
        }
        return "{\"settings\":[" + items.joined(separator: ",") + "]}"
    }
}

private extension String {
    func leftPadded(_ width: Int) -> String { count >= width ? self : String(repeating: " ", count: width - count) + self }
    func rightPadded(_ width: Int) -> String { count >= width ? self : self + String(repeating: " ", count: width - count) }
}
