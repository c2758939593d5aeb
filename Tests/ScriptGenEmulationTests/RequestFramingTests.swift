import ScriptGenEmulation
import ScriptGenModel
import ScriptGenTestSupport
import Testing

/// Requests taken as the frames their learned length field announces (rule F of `Emulator`).
@Suite struct RequestFramingTests {
    /// Frames `<u16be length of the rest> <payload>`, and one text request.
    static func frame(_ payload: String) -> [UInt8] {
        let body = bytes(payload)
        return [UInt8(body.count >> 8), UInt8(body.count & 0xFF)] + body
    }

    static let machine: StateMachine = {
        let edges = [
            Edge(pattern: .exact(frame("abc")), weight: 2, target: 1),
            Edge(pattern: Pattern(elements: [.fixed([0x00, 0x04] + bytes("xy")), .variable(min: 2, max: 2)]), weight: 2, target: 2),
            Edge(pattern: gap("GET ", 1, 64, "\r\n"), weight: 1, target: 3),
        ]
        return StateMachine(transport: .tcp, port: 53, states: [
            State(edges: edges),
            State(replies: [reply("A")], edges: edges),
            State(replies: [reply("X")], edges: edges),
            State(replies: [reply("H")], edges: edges),
        ], requestFraming: LengthFraming(offset: 0, encoding: .binary(width: 2, bigEndian: true), spanStart: 2))
    }()

    static func sent(_ actions: [EmulatorAction]) -> [String] {
        actions.compactMap { action in
            if case .send(let bytes) = action { return String(decoding: bytes, as: UTF8.self) }
            return nil
        }
    }

    @Test func framesInOneReadAreOneRequestEach() throws {
        var emulator = try Emulator(machine: Self.machine, generator: SplitMix64(seed: 1))
        _ = emulator.connect()
        // Two frames and the start of a third in one read: two answers, the rest waits.
        let actions = emulator.receive(Self.frame("abc") + Self.frame("xyzz") + [0x00], now: 1)
        #expect(Self.sent(actions) == ["A", "X"])
        #expect(emulator.pendingByteCount == 1)
        // The header says 3 more bytes: nothing before they are there, then the frame.
        #expect(Self.sent(emulator.receive([0x03, 0x61, 0x62], now: 2)).isEmpty)
        #expect(Self.sent(emulator.receive([0x63], now: 3)) == ["A"])
    }

    @Test func everySplitGivesTheSameAnswers() throws {
        let stream = Self.frame("abc") + Self.frame("xyab") + Self.frame("zz") + Self.frame("abc")
        var whole = try Emulator(machine: Self.machine, generator: SplitMix64(seed: 1))
        let expected = whole.connect() + whole.receive(stream, now: 1) + whole.flush()
        #expect(Self.sent(expected) == ["A", "X", "A"])
        for seed in 1...20 as ClosedRange<UInt64> {
            var generator = SplitMix64(seed: seed)
            var emulator = try Emulator(machine: Self.machine, generator: SplitMix64(seed: 1))
            var actions = emulator.connect()
            var start = 0
            var now: Int64 = 0
            while start < stream.count {
                let end = min(stream.count, start + Int(generator.next() % 4) + 1)
                now += 1
                actions += emulator.receive(stream[start..<end], now: now)
                start = end
            }
            actions += emulator.flush()
            #expect(actions == expected, "seed \(seed)")
        }
    }

    @Test func aHeaderOfAnotherProtocolLeavesThePatternsToDecide() throws {
        var emulator = try Emulator(machine: Self.machine, generator: SplitMix64(seed: 1))
        _ = emulator.connect()
        // `GE` announces 18245 bytes, more than `maxRequestBytes` allows here: not a frame.
        var options = EmulationOptions()
        options.maxRequestBytes = 4096
        var limited = try Emulator(machine: Self.machine, options: options, generator: SplitMix64(seed: 1))
        _ = limited.connect()
        #expect(Self.sent(limited.receive(bytes("GET /x\r\n"), now: 1)) == ["H"])
        // A header still incomplete waits for the quiet time, then the patterns decide.
        #expect(Self.sent(emulator.receive([0x00], now: 1)).isEmpty)
        #expect(emulator.nextDeadline != nil)
        let deadline = try #require(emulator.nextDeadline)
        let late = emulator.quietTimeElapsed(now: deadline)
        #expect(late.contains { if case .noMatch = $0 { return true } else { return false } })
    }
}
