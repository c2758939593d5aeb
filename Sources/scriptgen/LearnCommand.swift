import ArgumentParser
import Foundation
import ScriptGenBuilder
import ScriptGenFlows
import ScriptGenModel

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

    @Option(help: "Ports with fewer conversations get no machine (the summary lists them).")
    var minConversations = 2

    @Option(help: "Most requests leaving one state; more are counted as cut, not added.")
    var maxFanout = BuilderOptions.defaultMaxFanout

    @Option(help: "Most states in one machine; past it new paths are counted as cut, not added.")
    var maxStates = BuilderOptions.defaultMaxStates

    @Flag(help: "Keep the raw prefix tree (exact requests) instead of simplifying it.")
    var raw = false

    func validate() throws {
        guard minConversations >= 1 else { throw ValidationError("--min-conversations must be 1 or more") }
        guard maxFanout >= 1, maxStates >= 1 else { throw ValidationError("--max-fanout and --max-states must be 1 or more") }
    }

    func run() throws {
        let builderOptions = BuilderOptions(maxFanout: maxFanout, maxStates: maxStates)
        var builder = PrefixTreeBuilder(options: builderOptions)
        let summary: CaptureRunSummary
        do {
            var capture = CaptureInput(paths: input.captures, options: input.readingOptions)
            capture.computeHashes = true
            summary = try capture.run { builder.add($0) }
        } catch let error as InputError {
            throw CommandFailure(error.description)
        }
        Diagnostics.note(summary.line)

        let built = builder.results()
        let kept = built.filter { $0.machine.conversations >= minConversations }
        let dropped = built.filter { $0.machine.conversations < minConversations }

        var parameters = builderOptions.parameters
        parameters["learn.minConversations"] = .integer(minConversations)
        parameters["learn.raw"] = .flag(raw)
        parameters["flows.tcpIdleTimeoutSeconds"] = .number(input.tcpTimeout)
        parameters["flows.udpIdleTimeoutSeconds"] = .number(input.udpTimeout)
        parameters["flows.requireHandshake"] = .flag(input.requireHandshake)
        if !input.ports.isEmpty {
            parameters["filter.ports"] = .text(input.ports.sorted().map(String.init).joined(separator: ","))
        }
        if !input.servers.isEmpty {
            parameters["filter.servers"] = .text(input.servers.joined(separator: ","))
        }
        let provenance = Provenance(
            captures: summary.files.map { file in
                CaptureProvenance(
                    name: file.path, sizeBytes: file.bytes, sha256: file.sha256 ?? "",
                    firstPacketTime: file.firstTimestamp?.nanoseconds, lastPacketTime: file.lastTimestamp?.nanoseconds,
                    conversations: file.conversations)
            },
            conversationsRead: summary.conversationsKept + summary.conversationsFilteredOut,
            conversationsUsed: kept.reduce(0) { $0 + $1.machine.conversations })
        let model = ModelFile(
            toolVersion: ScriptGenVersion.current, parameters: parameters, provenance: provenance,
            machines: kept.map(\.machine), buildReports: kept.map(\.report))
        try ModelStore.write(model, to: output)

        print(ModelRendering.summary(of: model), terminator: "")
        if !dropped.isEmpty {
            let list = dropped.map { "\($0.machine.transport.rawValue)/\($0.machine.port) (\($0.machine.conversations))" }
            print("no machine for \(dropped.count) port\(dropped.count == 1 ? "" : "s") with fewer than \(minConversations) conversations: "
                  + list.prefix(20).joined(separator: ", ") + (list.count > 20 ? ", …" : ""))
        }
        if kept.isEmpty {
            throw CommandFailure("no port had \(minConversations) or more conversations: nothing to learn (see --min-conversations, --port)")
        }
        print("wrote \(output)")
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

    static func read(_ path: String) throws -> ModelFile {
        guard FileManager.default.fileExists(atPath: path) else {
            throw CommandFailure("\(path): no such file")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CommandFailure("\(path): cannot read the model file")
        }
        do {
            return try ModelFile.decode(from: [UInt8](data))
        } catch {
            throw CommandFailure("\(path): \(error)")
        }
    }
}
