import ArgumentParser
import ScriptGenServer

extension ServerEngine: ExpressibleByArgument {
    public init?(argument: String) {
        guard let engine = ServerEngine(rawValue: argument), ServerEngine.available.contains(engine) else { return nil }
        self = engine
    }

    public static var allValueStrings: [String] { available.map(\.rawValue) }
}
