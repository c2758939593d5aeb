import Foundation
import ScriptGenEmulation
import ScriptGenModel
@testable import ScriptGenServer
import ScriptGenTestSupport


/// Keeps every event in memory.
final class CollectingSink: EventSink, @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [Event] = []

    func record(_ event: Event) {
        lock.lock()
        stored.append(event)
        lock.unlock()
    }

    var events: [Event] {
        lock.lock()
        defer { lock.unlock() }
        return stored
    }

    func ids() -> [EventID] { events.map(\.id) }

    /// Waits (bounded) until `predicate` holds for the events.
    func wait(seconds: Double = 10, until predicate: ([Event]) -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if predicate(events) { return true }
            usleep(10_000)
        }
        return predicate(events)
    }
}

enum TestMachines {
    /// Banner; `HELLO\r\n` -> greeting; `QUIT\r\n` -> bye (a leaf).
    static let tcp = StateMachine(transport: .tcp, port: 21, states: [
        State(replies: [reply("220 ready\r\n")], edges: [
            Edge(pattern: .exact(bytes("HELLO\r\n")), weight: 2, target: 1),
            Edge(pattern: .exact(bytes("QUIT\r\n")), weight: 1, target: 2),
        ]),
        State(replies: [reply("250 hello\r\n")], edges: [Edge(pattern: .exact(bytes("QUIT\r\n")), weight: 1, target: 2)]),
        State(replies: [reply("221 bye\r\n")], edges: []),
    ])

    /// A UDP echo-like service: `ping` -> a long answer (3000 bytes), `hi` -> `hello`.
    static let udp = StateMachine(transport: .udp, port: 53, states: [
        State(edges: [
            Edge(pattern: .exact(bytes("ping")), weight: 1, target: 1),
            Edge(pattern: .exact(bytes("hi")), weight: 1, target: 2),
        ]),
        State(replies: [ObservedReply(reply: Reply(messages: [[UInt8](repeating: 0x41, count: 3000)]), count: 1)], edges: [Edge(pattern: .exact(bytes("hi")), weight: 1, target: 2)]),
        State(replies: [reply("hello")], edges: [Edge(pattern: .exact(bytes("hi")), weight: 1, target: 2)]),
    ])

    static func compiled(_ machine: StateMachine) -> CompiledMachine {
        try! CompiledMachine(machine)
    }
}

/// Parses one event line back with Foundation's JSON reader.
func parseLine(_ line: [UInt8]) -> [String: Any]? {
    guard line.last == 0x0a else { return nil }
    return (try? JSONSerialization.jsonObject(with: Data(line.dropLast()))) as? [String: Any]
}
