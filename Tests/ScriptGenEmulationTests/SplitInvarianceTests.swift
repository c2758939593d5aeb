import ScriptGenEmulation
import ScriptGenModel
import ScriptGenTestSupport
import Testing

/// Like SwiftNIO's ByteToMessageDecoderVerifier: the same input fed all at once, byte by byte
/// and in random (seeded) splits must give the same actions.
@Suite struct SplitInvarianceTests {
    static let tokens = [
        "USER alice\r\n", "PASS x\r\n", "LIST\r\n", "LIST /tmp\r\n", "PWD\r\n", "QUIT\r\n", "HELP\r\n",
        "AB", "ABCD", "ABX\n", "X\n", "ABC", "Qabc", "\r\n", "zzzzzzzzzzzz", "USER \r\n",
        "GET / HTTP/1.0\r\n", "GET / HTTP/1.0\r\n\r\n", "GET /a HTTP/1.1\r\nHost: h\r\n\r\n", "HEAD /x\r\n", "GET ",
    ].map(bytes)

    /// Every machine and policy under both completion rules.
    static let configurations: [(StateMachine, EmulationOptions)] = [
        (ExampleMachines.ftp, EmulationOptions(noMatch: .silence)),
        (ExampleMachines.ftp, EmulationOptions(noMatch: .closest(threshold: 0.3), responseChoice: .weightedRandom)),
        (ExampleMachines.ftp, EmulationOptions(noMatch: .close)),
        (ExampleMachines.ftp, EmulationOptions(noMatch: .closest(threshold: 0.3), maxRequestBytes: 5)),
        (Machines.raw, EmulationOptions(noMatch: .closest(threshold: 0.2))),
        (Machines.raw, EmulationOptions(noMatch: .silence, maxRequestBytes: 3)),
        (Machines.udp, EmulationOptions(noMatch: .silence)),
        (Machines.http, EmulationOptions(noMatch: .silence)),
        (Machines.http, EmulationOptions(noMatch: .closest(threshold: 0.3), maxRequestBytes: 20)),
    ].flatMap { machine, options in
        [EmulationOptions.CompletionRule.eager, .longest].map { rule in
            var options = options
            options.completion = rule
            return (machine, options)
        }
    }

    enum Split {
        case whole
        case byteByByte
        case random(seed: UInt64)

        func pieces(_ bytes: [UInt8]) -> [ArraySlice<UInt8>] {
            switch self {
            case .whole:
                return [bytes[...]]
            case .byteByByte:
                return bytes.indices.map { bytes[$0..<$0 + 1] }
            case .random(let seed):
                var generator = SplitMix64(seed: seed)
                var pieces: [ArraySlice<UInt8>] = []
                var start = 0
                while start < bytes.count {
                    let length = Int(generator.next() % 5) + 1
                    let end = min(bytes.count, start + length)
                    pieces.append(bytes[start..<end])
                    start = end
                }
                return pieces
            }
        }
    }

    static let splits: [Split] = [.whole, .byteByByte] + (1...4).map { .random(seed: $0) }

    /// Random conversations of 1...6 requests.
    static func conversations() -> [[[UInt8]]] {
        var generator = SplitMix64(seed: 2024)
        return (0..<150).map { _ in
            (0..<(Int(generator.next() % 6) + 1)).map { _ in tokens[Int(generator.next() % UInt64(tokens.count))] }
        }
    }

    /// The whole conversation as one stream, no pause anywhere, then the input ends.
    func runStream(_ conversation: [[UInt8]], _ split: Split, _ machine: StateMachine, _ options: EmulationOptions) throws -> [EmulatorAction] {
        var emulator = try Emulator(machine: machine, options: options, generator: SplitMix64(seed: 9))
        var actions = emulator.connect()
        var now: Int64 = 0
        for piece in split.pieces(conversation.flatMap { $0 }) {
            now += 1
            actions += emulator.receive(piece, now: now)
        }
        actions += emulator.flush()
        return actions
    }

    /// Each request followed by a pause longer than the quiet time, as a client awaiting answers.
    func runPaused(_ conversation: [[UInt8]], _ split: Split, _ machine: StateMachine, _ options: EmulationOptions) throws -> [EmulatorAction] {
        var emulator = try Emulator(machine: machine, options: options, generator: SplitMix64(seed: 9))
        var actions = emulator.connect()
        var now: Int64 = 0
        for request in conversation {
            for piece in split.pieces(request) {
                now += 1
                actions += emulator.receive(piece, now: now)
            }
            if let deadline = emulator.nextDeadline {
                #expect(deadline == now + options.quietTime)
                now = deadline
                actions += emulator.quietTimeElapsed(now: now)
            }
            #expect(emulator.pendingByteCount == 0 || emulator.isClosed)
        }
        return actions
    }

    @Test(arguments: configurations.indices)
    func streamGivesTheSameActionsInEverySplit(configuration: Int) throws {
        let (machine, options) = Self.configurations[configuration]
        for conversation in Self.conversations() {
            let expected = try runStream(conversation, .whole, machine, options)
            for split in Self.splits.dropFirst() {
                let actions = try runStream(conversation, split, machine, options)
                #expect(actions == expected, "\(split) of \(conversation.map { String(decoding: $0, as: UTF8.self) })")
            }
        }
    }

    @Test(arguments: configurations.indices)
    func pausedRequestsGiveTheSameActionsInEverySplit(configuration: Int) throws {
        let (machine, options) = Self.configurations[configuration]
        var events = 0
        for conversation in Self.conversations() {
            let expected = try runPaused(conversation, .whole, machine, options)
            events += expected.filter { $0.isEvent }.count
            for split in Self.splits.dropFirst() {
                let actions = try runPaused(conversation, split, machine, options)
                #expect(actions == expected, "\(split) of \(conversation.map { String(decoding: $0, as: UTF8.self) })")
            }
        }
        #expect(events > 0)
    }

    /// With pauses, every request of a conversation is answered on its own (no merging).
    @Test func pausedRequestsAreEachOneRequest() throws {
        let conversation = ["USER alice\r\n", "PASS x\r\n", "LIST /tmp\r\n", "QUIT\r\n"].map(bytes)
        let actions = try runPaused(conversation, .byteByByte, ExampleMachines.ftp, EmulationOptions(noMatch: .silence))
        let requests = actions.compactMap { action -> [UInt8]? in
            if case .matched(let request, _, _, _) = action { request } else { nil }
        }
        #expect(requests == conversation)
    }
}
