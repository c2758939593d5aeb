import ScriptGenModel
import Testing
import ScriptGenTestSupport

@Suite struct ModelRenderingTests {
    @Test func textPreviewsEscapeControlBytes() {
        #expect(ModelRendering.preview(bytes("USER anonymous\r\n")) == #""USER anonymous\r\n""#)
        #expect(ModelRendering.preview(bytes("a\"b\\c\td")) == #""a\"b\\c\td""#)
        #expect(ModelRendering.preview(bytes("GET /index.html HTTP/1.0\r\n") + [0] + bytes("\r\n")) == #""GET /index.html HTTP/1.0\r\n\x00\r\n""#)
        #expect(ModelRendering.preview([]) == #""""#)
    }

    @Test func binaryPreviewsAreHex() {
        #expect(ModelRendering.preview([0x00, 0x00, 0x00, 0x85, 0xff, 0x53, 0x4d, 0x42]) == "hex 00 00 00 85 ff 53 4d 42")
    }

    @Test func longPreviewsAreCut() {
        #expect(ModelRendering.preview(bytes("abcdefghij"), limit: 4) == #""abcd" ...(+6 bytes)"#)
        #expect(ModelRendering.preview(Array(repeating: 0xAA, count: 10), limit: 9) == "hex aa aa aa ...(+7 bytes)")
    }

    @Test func patternAndReplyPreviews() {
        let pattern = Pattern(elements: [.fixed(bytes("USER ")), .variable(min: 3, max: 12), .fixed(bytes("\r\n")), .variable(min: 2, max: 2)])
        #expect(ModelRendering.preview(pattern) == #""USER " <var 3-12 bytes> "\r\n" <var 2 bytes>"#)
        #expect(ModelRendering.preview(Pattern(elements: [])) == "<empty>")
        #expect(ModelRendering.preview(Reply.silence) == "<silence>")
        #expect(ModelRendering.preview(Reply(messages: [bytes("a"), [1, 2], bytes("c"), bytes("d")])) == #""a" + hex 01 02 + "c" + (1 more messages)"#)
    }

    /// Machines built in memory may hold any Int: sums stop at Int.max instead of trapping.
    @Test func hugeCountsSaturateInsteadOfTrapping() {
        let huge = Pattern(elements: [.variable(min: Int.max, max: Int.max), .fixed(bytes("x")), .variable(min: 1, max: Int.max)])
        #expect(huge.minimumLength == Int.max)
        #expect(huge.maximumLength == Int.max)
        let machine = StateMachine(transport: .tcp, port: 7, states: [
            State(replies: [ObservedReply(reply: Reply(messages: [bytes("a")]), count: Int.max), ObservedReply(reply: Reply(messages: [bytes("b")]), count: Int.max)],
                  edges: [Edge(pattern: huge, weight: Int.max - 1, target: 1), Edge(pattern: .exact(bytes("y")), weight: Int.max - 1, target: 1)],
                  endings: Int.max, cutRequests: Int.max),
            State(endings: Int.max, cutRequests: Int.max),
        ])
        let statistics = machine.statistics
        #expect(statistics.endings == Int.max)
        #expect(statistics.cutRequests == Int.max)
        var options = RenderingOptions()
        options.maxRepliesPerState = 0
        options.minWeight = Int.max
        let tree = ModelRendering.tree(of: machine, options: options)
        #expect(tree.contains("(2 more replies, \(Int.max) times)"))
        #expect(tree.contains("(2 edges with weight below \(Int.max) hidden, total weight \(Int.max))"))
    }

    @Test func summaryGolden() {
        #expect(ModelRendering.summary(of: sampleModel) == """
            model format 3, written by scriptgen 0.1.0
            parameters: builder.maxFanout=64 builder.maxStates=10000
            1 capture, 4 conversations read, 3 used
              ftp.pcap: 4812 bytes, sha256 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08, 4 conversations, 2005-03-01T12:00:00.25Z to 2005-03-01T12:01:00Z
            1 machine:
              machine  conversations  states  edges  depth  max fan-out  cut  cut by fan-out  cut by states  with gaps  empty
              tcp/21               3       3      2      2            1    1               1              0          0      0

            """)
    }

    @Test func summaryWithoutReportsShowsDashes() {
        let model = ModelFile(toolVersion: "x", machines: [StateMachine(transport: .udp, port: 53)])
        #expect(ModelRendering.summary(of: model).hasSuffix("""
              udp/53               0       1      0      0            0    0               -              -          -      -

            """))
    }

    @Test func treeGolden() {
        #expect(ModelRendering.tree(of: ftpMachine) == #"""
            tcp/21: 3 conversations, 3 states, 2 edges, depth 2
            state 0: 3 visits, 0 endings
              reply 3x "220 FTP ready\r\n"
              "USER " <var 4-9 bytes> "\r\n" (weight 3) -> state 1: 3 visits, 0 endings
                reply 3x "331 Password required\r\n"
                (1 request cut by the fan-out or state limit)
                "PASS guest\r\n" (weight 2) -> state 2: 2 visits, 2 endings
                  reply 1x "230 Logged in\r\n"
                  reply 1x "530 Login incorrect\r\n"

            """#)
    }

    @Test func treeCutOffs() {
        let depthOne = ModelRendering.tree(of: ftpMachine, options: RenderingOptions(maxDepth: 1, maxRepliesPerState: 0))
        #expect(depthOne == #"""
            tcp/21: 3 conversations, 3 states, 2 edges, depth 2
            state 0: 3 visits, 0 endings
              (1 more reply, 3 times)
              "USER " <var 4-9 bytes> "\r\n" (weight 3) -> state 1: 3 visits, 0 endings
                (1 more reply, 3 times)
                (1 request cut by the fan-out or state limit)
                (1 edge below depth 1 not shown)

            """#)
        let heavy = ModelRendering.tree(of: ftpMachine, options: RenderingOptions(minWeight: 3, maxRepliesPerState: 1))
        #expect(heavy.contains("(1 edge with weight below 3 hidden, total weight 2)"))
        #expect(!heavy.contains("PASS"))
        #expect(heavy.contains("state 0: 3 visits"))
        let oneReply = ModelRendering.tree(of: ftpMachine, options: RenderingOptions(maxRepliesPerState: 1))
        #expect(oneReply.contains("(1 more reply, 1 time)"))
    }

    @Test func treeOfAMachineWithMergedPathsShowsEachStateOnce() {
        let merged = StateMachine(transport: .tcp, port: 80, states: [
            State(edges: [Edge(pattern: .exact(bytes("A")), weight: 1, target: 1), Edge(pattern: .exact(bytes("B")), weight: 1, target: 1)]),
            State(edges: [Edge(pattern: .exact(bytes("again")), weight: 1, target: 0)]),
        ])
        #expect(ModelRendering.tree(of: merged) == #"""
            tcp/80: 0 conversations, 2 states, 3 edges, depth 1
            state 0: 0 visits, 0 endings
              "A" (weight 1) -> state 1: 0 visits, 0 endings
                "again" (weight 1) -> state 0 (shown above)
              "B" (weight 1) -> state 1 (shown above)

            """#)
    }

    @Test func renderingAnInvalidMachineDoesNotTrap() {
        let broken = StateMachine(transport: .tcp, port: 1, states: [State(edges: [Edge(pattern: .exact(bytes("x")), weight: 1, target: 5)])])
        #expect(ModelRendering.tree(of: broken).contains(#""x" (weight 1) -> state 5 (missing: the machine has no such state)"#))
        #expect(!ModelRendering.dot(of: broken).contains("s5"))
    }

    @Test func dotGolden() {
        #expect(ModelRendering.dot(of: ftpMachine) == #"""
            digraph "tcp/21" {
              rankdir=LR;
              node [shape=box, fontname="monospace", fontsize=10];
              edge [fontname="monospace", fontsize=9];
              s0 [label="state 0 (root): 3 visits, 0 endings\l3x \"220 FTP ready\\r\\n\"\l"];
              s1 [label="state 1: 3 visits, 0 endings\l3x \"331 Password required\\r\\n\"\l(1 request cut)\l"];
              s2 [label="state 2: 2 visits, 2 endings\l1x \"230 Logged in\\r\\n\"\l1x \"530 Login incorrect\\r\\n\"\l"];
              s0 -> s1 [label="\"USER \" <var 4-9 bytes> \"\\r\\n\" (3)", penwidth=2];
              s1 -> s2 [label="\"PASS guest\\r\\n\" (2)", penwidth=2];
            }

            """#)
        let cut = ModelRendering.dot(of: ftpMachine, options: RenderingOptions(maxDepth: 1))
        #expect(cut.contains("(1 edge not shown)"))
        #expect(!cut.contains("s2"))
    }

    @Test func statisticsOfTheSampleMachine() {
        #expect(ftpMachine.statistics == MachineStatistics(states: 3, edges: 2, depth: 2, largestFanout: 1, cutRequests: 1, endings: 2))
        #expect(ftpMachine.depthByState() == [0, 1, 2])
    }
}
