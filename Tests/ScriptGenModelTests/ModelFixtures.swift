import ScriptGenModel
import ScriptGenTestSupport


/// A small FTP machine as the builder and simplifier would leave it: banner at the root,
/// USER with a variable user name, then PASS accepted or refused.
let ftpMachine = StateMachine(transport: .tcp, port: 21, states: [
    State(
        replies: [ObservedReply(reply: Reply(messages: [bytes("220 FTP ready\r\n")]), count: 3)],
        edges: [Edge(pattern: Pattern(elements: [.fixed(bytes("USER ")), .variable(min: 4, max: 9), .fixed(bytes("\r\n"))]), weight: 3, target: 1)],
        visits: 3
    ),
    State(
        replies: [ObservedReply(reply: Reply(messages: [bytes("331 Password required\r\n")]), count: 3)],
        edges: [Edge(pattern: .exact(bytes("PASS guest\r\n")), weight: 2, target: 2)],
        visits: 3, endings: 0, cutRequests: 1
    ),
    State(
        replies: [
            ObservedReply(reply: Reply(messages: [bytes("230 Logged in\r\n")]), count: 1),
            ObservedReply(reply: Reply(messages: [bytes("530 Login incorrect\r\n")]), count: 1),
        ],
        visits: 2, endings: 2
    ),
], conversations: 3)

let sampleModel = ModelFile(
    toolVersion: "0.1.0",
    parameters: LearningParameters(["builder.maxFanout": .integer(64), "builder.maxStates": .integer(10_000)]),
    provenance: Provenance(
        captures: [CaptureProvenance(
            name: "ftp.pcap", sizeBytes: 4_812,
            sha256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
            firstPacketTime: 1_109_678_400_250_000_000, lastPacketTime: 1_109_678_460_000_000_000, conversations: 4
        )],
        conversationsRead: 4, conversationsUsed: 3
    ),
    machines: [ftpMachine],
    buildReports: [BuildReport(transport: .tcp, port: 21, conversationsUsed: 3, requestsCutByFanout: 1, states: 3, edges: 2, depth: 2, largestFanout: 1)]
)
