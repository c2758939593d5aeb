import ArgumentParser
import ScriptGenModel

/// `--map 21=2121` or `--map udp/53=5353`: serve a model port on another listening port (0:
/// any free port, printed at start).
public struct PortMapping: ExpressibleByArgument, Hashable, Sendable {
    public var transport: StateMachine.Transport?
    public var modelPort: Int
    public var listenPort: Int

    public init?(argument: String) {
        let sides = argument.split(separator: "=", omittingEmptySubsequences: false)
        guard sides.count == 2 else { return nil }
        var left = Substring(sides[0])
        if let slash = left.firstIndex(of: "/") {
            guard let transport = StateMachine.Transport(rawValue: String(left[..<slash]).lowercased()) else { return nil }
            self.transport = transport
            left = left[left.index(after: slash)...]
        } else {
            transport = nil
        }
        guard let model = Int(left), (1...65_535).contains(model), let listen = Int(sides[1]), (0...65_535).contains(listen) else { return nil }
        modelPort = model
        listenPort = listen
    }

    public static var defaultCompletionKind: CompletionKind { .default }

    func applies(to machine: StateMachine) -> Bool {
        Int(machine.port) == modelPort && (transport == nil || transport == machine.transport)
    }
}

/// How to try a served port with a real client, for the start-up message.
enum ClientHint {
    static func command(transport: StateMachine.Transport, host: String, port: Int, modelPort: Int) -> String {
        let target = host == "0.0.0.0" || host == "::" ? "127.0.0.1" : host
        if transport == .udp {
            return modelPort == 53 ? "dig @\(target) -p \(port) example.com" : "nc -u \(target) \(port)"
        }
        switch modelPort {
        case 21: return "curl -v ftp://\(target):\(port)/ --user anonymous:guest"
        case 80, 8080, 8000: return "curl -i http://\(target):\(port)/"
        case 443: return "curl -ik https://\(target):\(port)/"
        case 25, 587: return "swaks --server \(target) --port \(port) --quit-after EHLO"
        case 6379: return "redis-cli -h \(target) -p \(port) PING"
        case 22: return "ssh -p \(port) \(target)"
        default: return "nc \(target) \(port)"
        }
    }
}
