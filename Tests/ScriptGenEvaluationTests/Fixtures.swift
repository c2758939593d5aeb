import ScriptGenCapture
import ScriptGenFlows
import ScriptGenModel
import ScriptGenTestSupport


/// Crafted machines and conversations with figures worked out by hand.
enum Fixtures {
    /// A client-first service: "A" leads to a state with two replies observed equally often
    /// (for weighted random choice), which loops on "A".
    static let coin = StateMachine(transport: .tcp, port: 7, states: [
        State(edges: [Edge(pattern: .exact(bytes("A")), weight: 2, target: 1)]),
        State(replies: [reply("heads", count: 1), reply("tails", count: 1)], edges: [Edge(pattern: .exact(bytes("A")), weight: 2, target: 1)]),
    ])

    /// DNS-like over UDP: exact datagrams, one a prefix of another.
    static let dns = StateMachine(transport: .udp, port: 53, states: [
        State(edges: [
            Edge(pattern: .exact(bytes("Q1")), weight: 2, target: 1),
            Edge(pattern: .exact(bytes("Q")), weight: 1, target: 2),
        ]),
        State(replies: [reply("R1a", "R1b")], edges: [Edge(pattern: .exact(bytes("Q2")), weight: 1, target: 3)]),
        State(replies: [reply("R")], edges: []),
        State(replies: [reply("R2")], edges: []),
    ])

    static let model = ModelFile(toolVersion: "test", machines: [ExampleMachines.ftp, coin, dns])

    static let client = Endpoint(address: IPAddress("10.0.0.2")!, port: 40000)

    /// A conversation of `messages`: "C:" from the client, "S:" from the server.
    static func conversation(over transport: TransportProtocol = .tcp, port: UInt16 = 21, _ messages: String...) -> Conversation {
        var time: Int64 = 1_000_000_000
        let parsed = messages.map { text -> Message in
            time += 1_000_000
            let direction: Direction = text.hasPrefix("C:") ? .client : .server
            return Message(direction: direction, payload: bytes(String(text.dropFirst(2))), timestamp: Timestamp(nanoseconds: time))
        }
        return Conversation(
            transport: transport, client: client, server: Endpoint(address: IPAddress("10.0.0.1")!, port: port),
            start: Timestamp(nanoseconds: 1_000_000_000), end: Timestamp(nanoseconds: time), messages: parsed,
            handshakeSeen: transport == .tcp, serverInferred: false, closedBy: .fin)
    }

    /// A conversation the FTP machine answers exactly, silence included.
    static let ftpExact = conversation(
        "S:220 hi\r\n", "C:USER anna\r\n", "S:331 pw\r\n", "C:PASS secret\r\n", "S:230 ok\r\n",
        "C:LIST\r\n", "S:150 here\r\n", "S:226 done\r\n", "C:PWD\r\n", "C:QUIT\r\n", "S:221 bye\r\n")
}
