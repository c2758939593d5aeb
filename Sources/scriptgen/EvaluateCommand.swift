import ArgumentParser
import Foundation
import ScriptGenFlows
import ScriptGenEmulation
import ScriptGenEvaluation
import ScriptGenModel
import ScriptGenServing

/// `scriptgen evaluate MODEL CAPTURE...`: how well a model answers real conversations.
struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Replay the client side of captured conversations through a model and compare with the real server.",
        discussion: """
            Reads the conversations as `scriptgen sessions` does (same filters and limits), \
            replays each client message through the emulation core on the machine of its port, \
            and compares every emulated answer with the one the real server sent. Prints per \
            port and in total: requests matched, conversations completed, answers identical, \
            mean answer similarity, and where conversations first diverge (docs/evaluation.md).
            """
    )

    // Declared before the option group, whose captures are positional too: MODEL comes first.
    @Argument(help: "The model file written by `scriptgen learn` (with --sweep: the first held-out capture instead).")
    var model: String

    @OptionGroup var input: CaptureOptions

    @Flag(help: "Print exactly one JSON object instead of the table.")
    var json = false

    @Option(help: ArgumentHelp("Show the first N unmatched requests with the state they arrived in.", valueName: "n"))
    var showMisses = 0

    @Option(help: "What the core does with a request no edge matches: closest (answer as the closest edge above --threshold), silence, or close.")
    var noMatch: NoMatchChoice = .closest

    @Option(help: "Similarity (0...1) the closest edge needs under --no-match closest.")
    var threshold: Double = 0.5

    @Option(help: "Which observed reply to send: most-frequent, or weighted (random, weighted by observations).")
    var responses: ResponseChoiceOption = .mostFrequent

    @Option(help: "Seed of the random choices (--responses weighted): the same seed gives the same figures.")
    var seed: UInt64 = 0

    @Option(name: .customLong("train"), help: ArgumentHelp("A training capture for --sweep and --baseline (repeatable).", valueName: "capture"))
    var trainingCaptures: [String] = []

    @Flag(help: "Re-learn from the --train captures with a grid of simplifier settings (and the raw tree) and evaluate each on the held-out captures: model size against quality.")
    var sweep = false

    @Option(help: "Macroclustering thresholds of the sweep, comma-separated.")
    var sweepThresholds = "0.2,0.4,0.6,0.8,1.0"

    @Option(help: ArgumentHelp("With --sweep: also draw the trade-off (edges against matched and completed shares) as an SVG picture into this file.", valueName: "file"))
    var svg: String?

    @Option(help: "Also evaluate a baseline learned from the --train captures: raw (the unsimplified prefix tree).")
    var baseline: BaselineChoice?

    @OptionGroup(title: "Learning (for --sweep and --baseline)") var learning: LearningOptions

    enum BaselineChoice: String, ExpressibleByArgument, CaseIterable {
        case raw
    }

    var thresholds: [Double] {
        sweepThresholds.split(separator: ",").compactMap { Double($0.trimmingCharacters(in: .whitespaces)) }
    }

    enum NoMatchChoice: String, ExpressibleByArgument, CaseIterable {
        case closest, silence, close
    }

    enum ResponseChoiceOption: String, ExpressibleByArgument, CaseIterable {
        case mostFrequent = "most-frequent"
        case weighted
    }

    @Option(name: .customLong("close-share"), help: "Close after a state's reply when the real server closed there after more than this share (0...1) of the state's visits; 1: never.")
    var closeShare: Double = EmulationOptions.defaultServerCloseShare

    func validate() throws {
        guard (0...1).contains(closeShare) else { throw ValidationError("--close-share must lie between 0 and 1") }
        guard showMisses >= 0 else { throw ValidationError("--show-misses must be 0 or more") }
        guard (0...1).contains(threshold) else { throw ValidationError("--threshold must lie between 0 and 1") }
        if !sweep { try input.requireCaptures() }
        if (sweep || baseline != nil) && trainingCaptures.isEmpty {
            throw ValidationError("--sweep and --baseline re-learn: give the training captures with --train")
        }
        if svg != nil && !sweep { throw ValidationError("--svg draws the sweep: give --sweep too") }
        let parsed = thresholds
        guard !parsed.isEmpty, parsed.allSatisfy({ (0...1).contains($0) }),
              parsed.count == sweepThresholds.split(separator: ",").count else {
            throw ValidationError("--sweep-thresholds: expected numbers between 0 and 1 separated by commas")
        }
    }

    var evaluationOptions: EvaluationOptions {
        var emulation = EmulationOptions()
        switch noMatch {
        case .closest: emulation.noMatch = .closest(threshold: threshold)
        case .silence: emulation.noMatch = .silence
        case .close: emulation.noMatch = .close
        }
        emulation.responseChoice = responses == .weighted ? .weightedRandom : .mostFrequent
        emulation.serverCloseShare = EmulationArguments.serverCloseShare(closeShare)
        return EvaluationOptions(emulation: emulation, seed: seed, maxMisses: showMisses)
    }

    func run() throws {
        if sweep || baseline != nil {
            try runComparison()
            return
        }
        let modelFile = try ModelStore.read(model)
        var evaluator: Evaluator
        do {
            evaluator = try Evaluator(model: modelFile, options: evaluationOptions)
        } catch {
            throw CommandFailure("\(model): a machine cannot be served: \(error)")
        }
        let summary: CaptureRunSummary
        do {
            summary = try CaptureInput(paths: input.captures, options: input.readingOptions).run { evaluator.add($0) }
        } catch let error as InputError {
            throw CommandFailure(error.description)
        }
        Diagnostics.note(summary.line)

        let report = evaluator.report
        let output = BufferedOutput()
        if json {
            output.write(report.json(includeMisses: showMisses > 0))
        } else {
            output.write(report.table(), terminator: false)
            if showMisses > 0 {
                output.write("")
                output.write(report.misses.isEmpty ? "no unmatched requests" : "first \(report.misses.count) unmatched request\(report.misses.count == 1 ? "" : "s"):")
                output.write(report.missesText(), terminator: false)
            }
        }
        output.flush()
        if report.ports.isEmpty {
            Diagnostics.note("no conversation was on a port of the model: nothing was evaluated")
        }
    }
}

extension EvaluateCommand {
    /// --sweep, or a model against the --baseline, on the same held-out conversations.
    private func runComparison() throws {
        let heldOutPaths = sweep ? [model] + input.captures : input.captures
        let base = try learning.settings()
        func read(_ paths: [String]) throws -> ([Conversation], CaptureRunSummary) {
            var conversations: [Conversation] = []
            do {
                let summary = try CaptureInput(paths: paths, options: input.readingOptions).run { conversations.append($0) }
                return (conversations, summary)
            } catch let error as InputError {
                throw CommandFailure(error.description)
            }
        }
        let (training, trainingSummary) = try read(trainingCaptures)
        Diagnostics.note("training: " + trainingSummary.line)
        let (heldOut, heldOutSummary) = try read(heldOutPaths)
        Diagnostics.note("held out: " + heldOutSummary.line)
        let provenance = Provenance(conversationsRead: training.count, conversationsUsed: training.count)
        var settings: [EvaluationSweep.Setting]
        if sweep {
            settings = EvaluationSweep.grid(base: base, thresholds: thresholds)
        } else {
            var raw = base
            raw.simplifier = nil
            settings = [EvaluationSweep.Setting(label: "raw prefix tree (baseline)", settings: raw)]
        }
        var rows: [EvaluationSweep.Row]
        do {
            rows = try EvaluationSweep.run(settings, training: training, heldOut: heldOut, options: evaluationOptions, provenance: provenance)
        } catch {
            throw CommandFailure("a learned machine cannot be served: \(error)")
        }
        if !sweep {
            // The model under test, first.
            let modelFile = try ModelStore.read(model)
            let report: EvaluationReport
            do {
                report = try Evaluator.evaluate(modelFile, on: heldOut, options: evaluationOptions)
            } catch {
                throw CommandFailure("\(model): a machine cannot be served: \(error)")
            }
            let label = "model \((model as NSString).lastPathComponent)"
            rows.insert(EvaluationSweep.Row(
                setting: .init(label: label, settings: base), states: modelFile.machines.reduce(0) { $0 + $1.states.count },
                edges: modelFile.machines.reduce(0) { $0 + $1.statistics.edges }, report: report), at: 0)
        }
        if let svg {
            let title = "scriptgen evaluate --sweep: " + heldOutPaths.map { ($0 as NSString).lastPathComponent }.joined(separator: ", ")
            do {
                try Data(SweepPlot.svg(rows, title: title).utf8).write(to: URL(fileURLWithPath: svg), options: .atomic)
            } catch {
                throw CommandFailure("\(svg): cannot write the picture: \(error.localizedDescription)")
            }
        }
        let output = BufferedOutput()
        output.write(json ? EvaluationSweep.json(rows) : EvaluationSweep.table(rows), terminator: !json ? false : true)
        output.flush()
    }
}

private extension BufferedOutput {
    /// Text that already ends with its newline.
    func write(_ text: String, terminator: Bool) {
        if terminator { write(text); return }
        var trimmed = text
        if trimmed.last == "\n" { trimmed.removeLast() }
        if !trimmed.isEmpty { write(trimmed) }
    }
}
