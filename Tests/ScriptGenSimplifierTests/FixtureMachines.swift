import Foundation
import ScriptGenBuilder
import ScriptGenCapture
import ScriptGenFlows
import ScriptGenModel

/// Raw (prefix-tree) machines built from the fixture captures, the way `scriptgen learn` does.
enum FixtureMachines {
    static let capturesDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/captures")

    /// The conversations of one capture file.
    static func conversations(_ name: String) throws -> [Conversation] {
        let data = try Data(contentsOf: capturesDirectory.appendingPathComponent(name))
        var reader = CaptureReader(bytes: [UInt8](data))
        var decoder = PacketDecoder()
        var tracker = ConversationTracker(options: FlowOptions())
        var conversations: [Conversation] = []
        while let frame = try reader.next() {
            if case .packet(let packet) = decoder.decode(frame) {
                tracker.process(packet) { conversations.append($0) }
            }
        }
        tracker.finish { conversations.append($0) }
        return conversations
    }

    /// The raw machine of `port` (TCP) learned from `name`.
    static func machine(_ name: String, port: UInt16) throws -> StateMachine {
        let machines = PrefixTreeBuilder.build(try conversations(name)).map(\.machine)
        guard let machine = machines.first(where: { $0.transport == .tcp && $0.port == port }) else {
            throw MissingMachine(capture: name, port: port)
        }
        return machine
    }

    /// The client requests of every conversation with `port`, in order.
    static func requestSequences(_ name: String, port: UInt16) throws -> [[[UInt8]]] {
        try conversations(name).filter { $0.server.port == port }.map { conversation in
            conversation.messages.filter { $0.direction == .client }.map(\.payload)
        }
    }

    struct MissingMachine: Error {
        var capture: String
        var port: UInt16
    }
}
