import ScriptGenTestSupport
import ScriptGenModel

/// Crafted machines shared by the tests of several modules.
public enum ExampleMachines {
    /// An FTP-like service: banner, USER/PASS with variable arguments, a state with two
    /// observed replies, LIST answered by two messages (with or without an argument), PWD
    /// answered by silence, QUIT and a leaf.
    public static let ftp = StateMachine(transport: .tcp, port: 21, states: [
        /* 0 */ State(replies: [reply("220 hi\r\n", count: 5)], edges: [
            Edge(pattern: gap("USER ", 1, 16, "\r\n"), weight: 4, target: 1),
            Edge(pattern: .exact(bytes("QUIT\r\n")), weight: 1, target: 5),
        ]),
        /* 1 */ State(replies: [reply("331 pw\r\n")], edges: [Edge(pattern: gap("PASS ", 1, 16, "\r\n"), weight: 4, target: 2)]),
        /* 2 */ State(replies: [reply("230 ok\r\n", count: 3), reply("530 bad\r\n", count: 1)], edges: [
            Edge(pattern: .exact(bytes("LIST\r\n")), weight: 2, target: 3),
            Edge(pattern: .exact(bytes("PWD\r\n")), weight: 1, target: 4),
            Edge(pattern: gap("LIST ", 1, 32, "\r\n"), weight: 1, target: 3),
        ]),
        /* 3 */ State(replies: [reply("150 here\r\n", "226 done\r\n")], edges: [
            Edge(pattern: .exact(bytes("QUIT\r\n")), weight: 1, target: 5),
            Edge(pattern: .exact(bytes("PWD\r\n")), weight: 1, target: 4),
        ]),
        /* 4 */ State(replies: [], edges: [Edge(pattern: .exact(bytes("QUIT\r\n")), weight: 1, target: 5)]),
        /* 5 */ State(replies: [reply("221 bye\r\n")], edges: []),
    ])
}
