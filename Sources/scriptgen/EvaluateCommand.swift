import ArgumentParser
import ScriptGenEmulation
import ScriptGenEvaluation
import ScriptGenModel

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
    @Argument(help: "The model file written by `scriptgen learn`.")
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

    enum NoMatchChoice: String, ExpressibleByArgument, CaseIterable {
        case closest, silence, close
    }

    enum ResponseChoiceOption: String, ExpressibleByArgument, CaseIterable {
        case mostFrequent = "most-frequent"
        case weighted
    }

    func validate() throws {
        guard showMisses >= 0 else { throw ValidationError("--show-misses must be 0 or more") }
        guard (0...1).contains(threshold) else { throw ValidationError("--threshold must lie between 0 and 1") }
    }

    var evaluationOptions: EvaluationOptions {
        var emulation = EmulationOptions()
        switch noMatch {
        case .closest: emulation.noMatch = .closest(threshold: threshold)
        case .silence: emulation.noMatch = .silence
        case .close: emulation.noMatch = .close
        }
        emulation.responseChoice = responses == .weighted ? .weightedRandom : .mostFrequent
        return EvaluationOptions(emulation: emulation, seed: seed, maxMisses: showMisses)
    }

    func run() throws {
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

private extension BufferedOutput {
    /// Text that already ends with its newline.
    func write(_ text: String, terminator: Bool) {
        if terminator { write(text); return }
        var trimmed = text
        if trimmed.last == "\n" { trimmed.removeLast() }
        if !trimmed.isEmpty { write(trimmed) }
    }
}
