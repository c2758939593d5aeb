import ScriptGenBuilder
import ScriptGenFlows
import ScriptGenModel
import ScriptGenSimplifier

/// The learning pipeline after the captures are read: prefix trees → (simplified) machines →
/// a model. Shared by `learn` and by `evaluate --sweep`, which re-learns one set of trees
/// with many settings.
struct LearningSettings {
    /// The learned machine's bounds (`--max-fanout`, `--max-states`), owned here alone: a raw
    /// machine is built within them; a simplified one is simplified within them, from a raw
    /// tree bounded only by `rawTreeMaxFanout`/`rawTreeMaxStates`.
    var maxFanout = BuilderOptions().maxFanout
    var maxStates = BuilderOptions().maxStates
    /// Nil keeps the raw prefix tree. Its own `maxFanout`/`maxStates` are replaced by the
    /// bounds above (`simplifierOptions`).
    var simplifier: SimplifierOptions? = SimplifierOptions()
    var minConversations = 2

    /// Bounds of the raw tree when it is simplified afterwards. The user's `--max-fanout` and
    /// `--max-states` then apply to the simplified machine (where they mean something: a raw
    /// HTTP root has one edge per distinct request); these only keep memory bounded.
    static let rawTreeMaxFanout = 100_000
    static let rawTreeMaxStates = 1_000_000

    /// The builder options for the raw tree: what the builder runs with.
    var treeBuilderOptions: BuilderOptions {
        let raw = simplifier == nil
        return BuilderOptions {
            $0.maxFanout = raw ? maxFanout : max(maxFanout, Self.rawTreeMaxFanout)
            $0.maxStates = raw ? maxStates : max(maxStates, Self.rawTreeMaxStates)
        }
    }

    /// The simplifier options that run: the machine's bounds in place of the simplifier's own.
    var simplifierOptions: SimplifierOptions? {
        guard var options = simplifier else { return nil }
        options.maxFanout = maxFanout
        options.maxStates = maxStates
        return options
    }

    /// What the model file records: the options that ran, stage by stage.
    var parameters: LearningParameters {
        var parameters = treeBuilderOptions.parameters
        if let simplifier = simplifierOptions {
            for (name, value) in simplifier.parameters.values { parameters[name] = value }
        }
        parameters["learn.minConversations"] = .integer(minConversations)
        parameters["learn.raw"] = .flag(simplifier == nil)
        return parameters
    }
}

/// One learned machine with what each stage reported.
struct LearnedMachine {
    var machine: StateMachine
    var buildReport: BuildReport
    var simplification: SimplificationReport?
}

enum Learning {
    /// Machines for the ports with enough conversations, and the ports left out.
    static func machines(from built: [BuiltMachine], settings: LearningSettings) -> (kept: [LearnedMachine], dropped: [BuiltMachine]) {
        var kept: [LearnedMachine] = []
        var dropped: [BuiltMachine] = []
        for item in built {
            guard item.machine.conversations >= settings.minConversations else {
                dropped.append(item)
                continue
            }
            if let options = settings.simplifierOptions {
                let (machine, report) = Simplifier.simplify(item.machine, options: options, observers: item.observers)
                kept.append(LearnedMachine(machine: machine, buildReport: item.report, simplification: report))
            } else {
                kept.append(LearnedMachine(machine: item.machine, buildReport: item.report, simplification: nil))
            }
        }
        return (kept, dropped)
    }

    static func model(_ machines: [LearnedMachine], settings: LearningSettings, provenance: Provenance,
                      extraParameters: LearningParameters = LearningParameters()) -> ModelFile {
        var parameters = settings.parameters
        for (name, value) in extraParameters.values { parameters[name] = value }
        return ModelFile(toolVersion: ScriptGenVersion.current, parameters: parameters, provenance: provenance,
                         machines: machines.map(\.machine), buildReports: machines.map(\.buildReport))
    }
}
