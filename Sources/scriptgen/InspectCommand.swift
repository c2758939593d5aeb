import ArgumentParser
import Foundation
import ScriptGenModel
import ScriptGenServing

/// `scriptgen inspect MODEL`: the model's summary, or one machine as a tree, DOT or SVG.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Summarise a model file, or show one machine as a tree or a Graphviz picture.",
        discussion: """
            Without options, prints the model's parameters, provenance and one line per machine.
            --tree, --dot and --svg show one machine: give --port when the model has several.
            """
    )

    @Argument(help: "The model file written by `scriptgen learn`.")
    var model: String

    @Option(help: "The server port of the machine to show.")
    var port: UInt16?

    @Option(help: "The transport of the machine to show (tcp or udp), when a port has both.")
    var transport: TransportChoice?

    @Flag(help: "Print the machine as an indented tree of requests and replies.")
    var tree = false

    @Flag(help: "Print the machine as Graphviz DOT.")
    var dot = false

    @Option(help: ArgumentHelp("Render the machine to an SVG file with Graphviz `dot`.", valueName: "file"))
    var svg: String?

    @Option(help: "Show states at most this many requests from the root.")
    var maxDepth: Int?

    @Option(help: "Hide edges taken by fewer conversations than this.")
    var minWeight: Int = 1

    @Option(help: "Payload bytes shown per preview.")
    var previewBytes: Int = RenderingOptions.defaultPreviewBytes

    enum TransportChoice: String, ExpressibleByArgument, CaseIterable {
        case tcp, udp
    }

    func validate() throws {
        if let maxDepth, maxDepth < 0 { throw ValidationError("--max-depth must be 0 or more.") }
        if minWeight < 1 { throw ValidationError("--min-weight must be 1 or more.") }
        if previewBytes < 1 { throw ValidationError("--preview-bytes must be 1 or more.") }
        if [tree, dot, svg != nil].filter({ $0 }).count > 1 {
            throw ValidationError("Choose one of --tree, --dot and --svg.")
        }
    }

    func run() throws {
        let modelFile = try loadModel()
        let options = RenderingOptions(maxDepth: maxDepth, minWeight: minWeight, previewBytes: previewBytes)
        guard tree || dot || svg != nil else {
            print(ModelRendering.summary(of: modelFile), terminator: "")
            return
        }
        let machine = try selectMachine(in: modelFile)
        if tree {
            print(ModelRendering.tree(of: machine, options: options), terminator: "")
        } else if dot {
            print(ModelRendering.dot(of: machine, options: options), terminator: "")
        } else if let svg {
            try renderSVG(ModelRendering.dot(of: machine, options: options), to: svg)
            print("wrote \(svg) (\(machine.transport.rawValue)/\(machine.port), \(machine.states.count) states)")
        }
    }

    private func fail(_ message: String) -> CommandFailure {
        CommandFailure(message)
    }

    private func loadModel() throws -> ModelFile {
        try ModelStore.read(model)
    }

    private func selectMachine(in modelFile: ModelFile) throws -> StateMachine {
        let available = modelFile.machines.map { "\($0.transport.rawValue)/\($0.port)" }.joined(separator: ", ")
        var candidates = modelFile.machines
        if let port { candidates = candidates.filter { $0.port == port } }
        if let transport { candidates = candidates.filter { $0.transport.rawValue == transport.rawValue } }
        if candidates.count == 1 { return candidates[0] }
        if modelFile.machines.isEmpty { throw fail("\(model) holds no machines") }
        if candidates.isEmpty { throw fail("no machine for that port in \(model) (it has \(available))") }
        if port == nil { throw fail("the model has several machines (\(available)); choose one with --port") }
        throw fail("port \(port!) has a tcp and a udp machine; choose one with --transport")
    }

    /// Pipes DOT into Graphviz; the only external program inspect runs.
    private func renderSVG(_ dotText: String, to path: String) throws {
        guard let dotPath = Self.findExecutable("dot") else {
            throw fail("Graphviz `dot` was not found in PATH; install Graphviz (Debian/Ubuntu: apt-get install graphviz; macOS: brew install graphviz), or use --dot and render elsewhere")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: dotPath)
        process.arguments = ["-Tsvg", "-o", path]
        let input = Pipe()
        let errors = Pipe()
        process.standardInput = input
        process.standardError = errors
        do {
            try process.run()
        } catch {
            throw fail("cannot run \(dotPath): \((error as NSError).localizedDescription)")
        }
        input.fileHandleForWriting.write(Data(dotText.utf8))
        try? input.fileHandleForWriting.close()
        let message = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw fail("dot failed (status \(process.terminationStatus)): \(String(decoding: message, as: UTF8.self))")
        }
    }

    private static func findExecutable(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }
}
