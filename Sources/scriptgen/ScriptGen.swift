import ArgumentParser
import ScriptGenServing

@main
struct ScriptGenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scriptgen",
        abstract: "Learn honeypot services from packet captures and serve them.",
        version: ScriptGenVersion.current,
        subcommands: [
            SessionsCommand.self, LearnCommand.self, InspectCommand.self, EvaluateCommand.self,
            ServeCommand.self, RespondCommand.self, ExportHoneydCommand.self,
        ]
    )
}

enum ScriptGenVersion {
    static let current = "0.1.0"
}
