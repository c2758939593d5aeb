import ScriptGenEmulation
import ScriptGenModel
import ScriptGenTestSupport

/// Crafted machines for the tests.
enum Machines {
    /// Raw (exact) edges only, some a prefix of another.
    static let raw = StateMachine(transport: .tcp, port: 7, states: [
        /* 0 */ State(edges: [
            Edge(pattern: .exact(bytes("AB")), weight: 1, target: 1),
            Edge(pattern: .exact(bytes("ABCD")), weight: 1, target: 2),
            Edge(pattern: .exact(bytes("X\n")), weight: 1, target: 3),
        ]),
        /* 1 */ State(replies: [reply("one")], edges: [Edge(pattern: .exact(bytes("X\n")), weight: 1, target: 3)]),
        /* 2 */ State(replies: [reply("two")], edges: [Edge(pattern: .exact(bytes("X\n")), weight: 1, target: 3)]),
        /* 3 */ State(replies: [reply("three")], edges: [Edge(pattern: .exact(bytes("AB")), weight: 1, target: 1)]),
    ])

    /// An HTTP-like service: two raw requests, one a prefix of the other, a request pattern
    /// ending in `\r\n\r\n` whose gap holds header lines, and a one-line request. Every state
    /// has the same edges, so conversations go on.
    static let http: StateMachine = {
        let edges = [
            Edge(pattern: .exact(bytes("GET / HTTP/1.0\r\n")), weight: 1, target: 1),
            Edge(pattern: .exact(bytes("GET / HTTP/1.0\r\n\r\n")), weight: 1, target: 2),
            Edge(pattern: gap("GET ", 1, 64, "\r\n\r\n"), weight: 3, target: 3),
            Edge(pattern: gap("HEAD ", 1, 16, "\r\n"), weight: 1, target: 4),
        ]
        return StateMachine(transport: .tcp, port: 80, states: [
            State(edges: edges),
            State(replies: [reply("short")], edges: edges),
            State(replies: [reply("long")], edges: edges),
            State(replies: [reply("HTTP/1.1 200 OK\r\n\r\n")], edges: edges),
            State(replies: [reply("HTTP/1.1 204 No Content\r\n\r\n")], edges: edges),
        ])
    }()

    /// A Redis-like service: a loose edge whose fixed end `\r\n` occurs inside every array,
    /// and the GET edge; every state has both.
    static let redis: StateMachine = {
        let edges = [
            Edge(pattern: Pattern(elements: [.fixed(bytes("*2\r\n$3\r\n")), .variable(min: 0, max: 159), .fixed(bytes("\r\n$")), .variable(min: 0, max: 87), .fixed(bytes("\r\n"))]), weight: 1, target: 1),
            Edge(pattern: Pattern(elements: [.fixed(bytes("*2\r\n$3\r\nGET\r\n$")), .variable(min: 1, max: 4), .fixed(bytes("\r\n")), .variable(min: 0, max: 17), .fixed(bytes("\r\n"))]), weight: 1, target: 2),
        ]
        return StateMachine(transport: .tcp, port: 6379, states: [
            State(edges: edges), State(replies: [reply("loose")], edges: edges), State(replies: [reply("$5\r\nvalue\r\n")], edges: edges),
        ])
    }()

    /// A UDP service: any 4..12-byte query starting "Q" gets an answer of two datagrams.
    static let udp = StateMachine(transport: .udp, port: 53, states: [
        State(edges: [Edge(pattern: Pattern(elements: [.fixed(bytes("Q")), .variable(min: 3, max: 11)]), weight: 1, target: 1)]),
        State(replies: [reply("R1", "R2")], edges: [Edge(pattern: Pattern(elements: [.fixed(bytes("Q")), .variable(min: 3, max: 11)]), weight: 1, target: 1)]),
    ])
}

extension EmulatorAction {
    static func sendText(_ text: String) -> EmulatorAction { .send(bytes(text)) }

    /// The action without its timing-independent payload differences (none today): used to
    /// compare runs.
    var isEvent: Bool {
        switch self {
        case .send, .close: false
        case .matched, .noMatch, .limitHit: true
        }
    }
}
