import ScriptGenEmulation
import ScriptGenModel
import Testing
import ScriptGenTestSupport

/// Inputs and edited models a hostile client or operator could bring.
@Suite struct HostileInputTests {
    /// Edge `A` loops back to its state, whose reply is large: every byte is a request.
    static let loop = StateMachine(transport: .tcp, port: 21, states: [
        State(replies: [reply("220 hi\r\n")], edges: [Edge(pattern: .exact(bytes("A")), weight: 1, target: 1)]),
        State(replies: [ObservedReply(reply: Reply(messages: [[UInt8](repeating: 0x52, count: 10_000)]), count: 1)],
              edges: [Edge(pattern: .exact(bytes("A")), weight: 1, target: 1)]),
    ])

    static func requests(_ actions: [EmulatorAction]) -> Int {
        actions.filter {
            switch $0 {
            case .matched, .noMatch: true
            default: false
            }
        }.count
    }

    @Test func oneReadOfManyRequestsAnswersAtMostTheBudget() throws {
        var emulator = try Emulator(machine: Self.loop, options: EmulationOptions(noMatch: .silence), generator: SplitMix64(seed: 1))
        _ = emulator.connect()
        let input = [UInt8](repeating: UInt8(ascii: "A"), count: 65_536)
        let actions = emulator.receive(input, now: 0, maxRequests: 1000)
        #expect(Self.requests(actions) == 1000)
        #expect(actions.filter { if case .send = $0 { true } else { false } }.count == 1000)
        // The rest stays pending, still complete requests: the next call takes the next budget.
        #expect(emulator.pendingByteCount == 65_536 - 1000)
        #expect(Self.requests(emulator.flush(maxRequests: 5)) == 5)
        #expect(emulator.pendingByteCount == 65_536 - 1005)
        #expect(emulator.receive([], now: 1, maxRequests: 0).isEmpty)
        #expect(emulator.receive(bytes("A"), now: 1, maxRequests: 0).isEmpty)
        #expect(emulator.pendingByteCount == 65_536 - 1004)
    }

    @Test func withoutABudgetEveryRequestIsTakenAndPendingEmpties() throws {
        var emulator = try Emulator(machine: Self.loop, options: EmulationOptions(noMatch: .silence), generator: SplitMix64(seed: 1))
        _ = emulator.connect()
        let actions = emulator.receive([UInt8](repeating: UInt8(ascii: "A"), count: 20_000), now: 0)
        #expect(Self.requests(actions) == 20_000)
        #expect(emulator.pendingByteCount == 0)
        #expect(emulator.nextDeadline == nil)
    }

    @Test func budgetedSplitsGiveTheSameRequestsAsOneCall() throws {
        let input = Array("AAB\r\nAA".utf8)
        var whole = try Emulator(machine: Self.loop, options: EmulationOptions(noMatch: .silence), generator: SplitMix64(seed: 1))
        var parts = whole
        let expected = whole.receive(input, now: 0) + whole.flush()
        var got = parts.receive(input, now: 0, maxRequests: 1)
        while parts.pendingByteCount > 0 { got += parts.flush(maxRequests: 1) }
        #expect(got == expected)
    }

    @Test func replyCountsNearIntMaxDoNotOverflowTheWeightedChoice() throws {
        let huge = Int.max
        let machine = StateMachine(transport: .tcp, port: 21, states: [
            State(replies: [reply("A\r\n", count: huge), reply("B\r\n", count: huge), reply("C\r\n", count: huge),
                            reply("D\r\n", count: 0)], edges: []),
        ])
        var seen: Set<[UInt8]> = []
        for seed in 0..<64 as Range<UInt64> {
            var emulator = try Emulator(machine: machine, options: EmulationOptions(responseChoice: .weightedRandom), generator: SplitMix64(seed: seed))
            for case .send(let bytes) in emulator.connect() { seen.insert(bytes) }
        }
        #expect(seen == [bytes("A\r\n"), bytes("B\r\n"), bytes("C\r\n")])
    }
}
