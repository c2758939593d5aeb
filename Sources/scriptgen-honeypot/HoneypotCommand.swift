import ArgumentParser
import ScriptGenServing

/// The lean serving binary: `serve` and `respond` only, without the learning code, so the
/// per-connection responder that honeyd forks starts fast.
@main
struct HoneypotCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scriptgen-honeypot",
        abstract: "Serve learned ScriptGen models: a SwiftNIO honeypot, or one honeyd conversation.",
        subcommands: [ServeCommand.self, RespondCommand.self]
    )
}
