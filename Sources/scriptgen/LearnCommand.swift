import ArgumentParser
import Foundation
import ScriptGenBuilder
import ScriptGenFlows
import ScriptGenModel
import ScriptGenServing
import ScriptGenSimplifier

/// `scriptgen learn CAPTURE... -o MODEL`: one state machine per (transport, server port).
struct LearnCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "learn",
        abstract: "Learn one state machine per server port from captures and write a model file.",
        discussion: """
        Reads the conversations as `scriptgen sessions` does (same filters and limits), builds \
        the prefix-tree state machine of each (transport, server port), and writes them with \
        the parameters and the captures' provenance into one model file (docs/model-format.md). \
        A summary per port goes to stdout.
        """
    )

    @OptionGroup var input: CaptureOptions

    @Option(name: .shortAndLong, help: "The model file to write.")
    var output: String

    @OptionGroup var learning: LearningOptions

    func validate() throws {
        try input.requireCaptures()
    }

    func run() throws {
        let settings = try learning.settings()
        var builder = PrefixTreeBuilder(options: settings.treeBuilderOptions)
        let summary: CaptureRunSummary
        do {
            var capture = CaptureInput(paths: input.captures, options: input.readingOptions)
            capture.computeHashes = true
            summary = try capture.run { builder.add($0) }
        } catch let error as InputError {
            throw CommandFailure(error.description)
        }
        Diagnostics.note(summary.line)

        let (kept, dropped) = Learning.machines(from: builder.results(), settings: settings)
        let provenance = Provenance(
            captures: summary.files.map { file in
                CaptureProvenance(
                    name: file.path, sizeBytes: file.bytes, sha256: file.sha256 ?? "",
                    firstPacketTime: file.firstTimestamp?.nanoseconds, lastPacketTime: file.lastTimestamp?.nanoseconds,
                    conversations: file.conversations)
            },
            conversationsRead: summary.conversationsKept + summary.conversationsFilteredOut,
            conversationsUsed: kept.reduce(0) { $0 + $1.machine.conversations })
        let model = Learning.model(kept, settings: settings, provenance: provenance, extraParameters: input.parameters)
        if kept.isEmpty {
            throw CommandFailure("no port had \(settings.minConversations) or more conversations: nothing to learn (see --min-conversations, --port)")
        }
        try ModelStore.write(model, to: output)

        print(ModelRendering.summary(of: model), terminator: "")
        for item in kept {
            if let report = item.simplification, report.rawEdges > 0 { print(report.summary) }
        }
        if !dropped.isEmpty {
            let list = dropped.map { "\($0.machine.transport.rawValue)/\($0.machine.port) (\($0.machine.conversations))" }
            print("no machine for \(dropped.count) port\(dropped.count == 1 ? "" : "s") with fewer than \(settings.minConversations) conversations: "
                  + list.prefix(20).joined(separator: ", ") + (list.count > 20 ? ", …" : ""))
        }
        print("wrote \(output)")
    }
}

/// The learning parameters as command-line options (`learn`, `evaluate --sweep`).
struct LearningOptions: ParsableArguments {
    @Option(help: "Ports with fewer conversations get no machine (the summary lists them).")
    var minConversations = 2

    @Option(help: "Most edges leaving one state of the machine; past it the simplifier merges edges (raw: requests are counted as cut). Default \(BuilderOptions().maxFanout); the same as --simplifier maxFanout=N.")
    var maxFanout: Int?

    @Option(help: "Most states in one machine; past it new paths are counted as cut, not added. Default \(BuilderOptions().maxStates); the same as --simplifier maxStates=N.")
    var maxStates: Int?

    @Flag(help: "Keep the raw prefix tree (exact requests) instead of simplifying it.")
    var raw = false

    @Option(help: "Macroclustering threshold (0...1): requests stay in one cluster while their average alignment distance is at most this; higher gives fewer, more general edges.")
    var macroThreshold = SimplifierOptions().macroclusterThreshold

    @Option(help: "Microclustering: a mutating region splits its cluster (a command, an opcode) when it has at most this many frequent values.")
    var microMaxValues = SimplifierOptions().maxDistinctValues

    @Option(help: "Microclustering: a value is frequent when it carries at least this share of the cluster's distinct requests.")
    var microMinShare = SimplifierOptions().minValueShare

    @Option(help: "Fixed regions shorter than this fold into the variable gap around them, unless anchored or binary.")
    var minFixedLength = SimplifierOptions().minFixedLength

    @Option(name: .customLong("simplifier"), help: ArgumentHelp("Any simplifier parameter by its model-file name, e.g. --simplifier maxAlignedSamples=500 (docs/simplifier.md; repeatable).", valueName: "name=value"))
    var simplifierParameters: [String] = []

    func validate() throws {
        guard minConversations >= 1 else { throw ValidationError("--min-conversations must be 1 or more") }
        guard (maxFanout ?? 1) >= 1, (maxStates ?? 1) >= 1 else { throw ValidationError("--max-fanout and --max-states must be 1 or more") }
        guard (0...1).contains(macroThreshold) else { throw ValidationError("--macro-threshold must lie between 0 and 1") }
        guard (0...1).contains(microMinShare) else { throw ValidationError("--micro-min-share must lie between 0 and 1") }
        guard microMaxValues >= 1, minFixedLength >= 1 else { throw ValidationError("--micro-max-values and --min-fixed-length must be 1 or more") }
        _ = try settings()
    }

    func settings() throws -> LearningSettings {
        var settings = LearningSettings()
        settings.maxFanout = maxFanout ?? BuilderOptions().maxFanout
        settings.maxStates = maxStates ?? BuilderOptions().maxStates
        settings.minConversations = minConversations
        guard !raw else {
            settings.simplifier = nil
            return settings
        }
        var options = SimplifierOptions()
        options.macroclusterThreshold = macroThreshold
        options.maxDistinctValues = microMaxValues
        options.minValueShare = microMinShare
        options.minFixedLength = minFixedLength
        var assigned: Set<String> = []
        for assignment in simplifierParameters {
            do {
                assigned.insert(try SimplifierOptions.table.assign(assignment, to: &options).name)
            } catch {
                throw ValidationError("--simplifier \(error)")
            }
        }
        // The machine's bounds have one owner: `--simplifier maxFanout=N` sets it as
        // `--max-fanout N` does; both, disagreeing, is an error rather than a silent choice.
        for (name, flag, given, value) in [("maxFanout", "--max-fanout", maxFanout, options.maxFanout),
                                            ("maxStates", "--max-states", maxStates, options.maxStates)]
        where assigned.contains(name) {
            if let given, given != value {
                throw ValidationError("\(flag) \(given) and --simplifier \(name)=\(value) disagree: give one of them")
            }
            guard value >= 1 else { throw ValidationError("--simplifier \(name) must be 1 or more") }
            if name == "maxFanout" { settings.maxFanout = value } else { settings.maxStates = value }
        }
        settings.simplifier = options
        return settings
    }
}

/// Reading and writing model files: the only place their bytes touch the disk.
enum ModelStore {
    /// Writes atomically (a temporary file renamed over the target), so a crash never leaves
    /// half a model behind.
    static func write(_ model: ModelFile, to path: String) throws {
        let bytes = model.encode()
        let url = URL(fileURLWithPath: path)
        do {
            try Data(bytes).write(to: url, options: .atomic)
        } catch {
            throw CommandFailure("\(path): cannot write the model: \(error.localizedDescription)")
        }
    }

    /// Reads through the serving path's reader (one reader, one size limit, for every command).
    static func read(_ path: String) throws -> ModelFile {
        guard FileManager.default.fileExists(atPath: path) else {
            throw CommandFailure("\(path): no such file")
        }
        do {
            return try ModelReader.read(path)
        } catch {
            throw CommandFailure("\(error)")
        }
    }
}
