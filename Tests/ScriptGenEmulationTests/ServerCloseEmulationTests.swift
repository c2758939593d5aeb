import ScriptGenEmulation
import ScriptGenModel
import Testing
import ScriptGenTestSupport

/// The emulator closes after the reply of a state where the real server closed after more than
/// `serverCloseShare` of the state's visits.
@Suite struct ServerCloseEmulationTests {
    /// `ExampleMachines.ftp` where `state` was visited `visits` times and the server closed after
    /// `closes` of them (all of them endings).
    static func ftp(closing state: StateID = 5, closes: Int, of visits: Int) -> StateMachine {
        var machine = ExampleMachines.ftp
        machine.states[state].visits = visits
        machine.states[state].endings = closes
        machine.states[state].serverCloses = closes
        return machine
    }

    static let silence = EmulationOptions(noMatch: .silence)

    func emulator(_ machine: StateMachine, _ options: EmulationOptions = Self.silence) throws -> Emulator<SplitMix64> {
        try Emulator(machine: machine, options: options, generator: SplitMix64(seed: 1))
    }

    @Test func theReplyIsSentThenTheConnectionClosed() throws {
        var ftp = try emulator(Self.ftp(closes: 3, of: 4))
        #expect(ftp.connect() == [.sendText("220 hi\r\n")])
        #expect(ftp.receive(bytes("QUIT\r\n"), now: 0) == [
            .matched(request: bytes("QUIT\r\n"), edge: 1, from: 0, to: 5), .sendText("221 bye\r\n"), .close,
        ])
        #expect(ftp.isClosed)
        #expect(ftp.receive(bytes("USER a\r\n"), now: 1) == [])
        #expect(ftp.flush() == [])
        #expect(ftp.nextDeadline == nil)
    }

    @Test func everyPathIntoTheStateCloses() throws {
        var ftp = try emulator(Self.ftp(closes: 1, of: 1))
        _ = ftp.connect()
        for request in ["USER a\r\n", "PASS b\r\n", "PWD\r\n"] {
            #expect(!ftp.receive(bytes(request), now: 0).contains(.close), "\(request)")
        }
        #expect(ftp.receive(bytes("QUIT\r\n"), now: 0).last == .close)
    }

    @Test func halfTheVisitsOrFewerKeepTheConnectionOpen() throws {
        for (closes, visits) in [(2, 4), (1, 2), (1, 3), (0, 4), (0, 0)] {
            var ftp = try emulator(Self.ftp(closes: closes, of: visits))
            _ = ftp.connect()
            #expect(ftp.receive(bytes("QUIT\r\n"), now: 0).last == .sendText("221 bye\r\n"), "\(closes)/\(visits)")
            #expect(!ftp.isClosed)
        }
    }

    @Test func theShareIsAnOptionAndNilSwitchesClosingOff() throws {
        var options = Self.silence
        options.serverCloseShare = 0.25
        var eager = try emulator(Self.ftp(closes: 2, of: 4), options)
        _ = eager.connect()
        #expect(eager.receive(bytes("QUIT\r\n"), now: 0).last == .close)

        options.serverCloseShare = nil
        var never = try emulator(Self.ftp(closes: 4, of: 4), options)
        _ = never.connect()
        #expect(never.receive(bytes("QUIT\r\n"), now: 0).last == .sendText("221 bye\r\n"))
        #expect(!never.isClosed)
    }

    @Test func theInitialiserClampsTheShareAndTakesNaNAsOff() {
        #expect(EmulationOptions().serverCloseShare == EmulationOptions.defaultServerCloseShare)
        #expect(EmulationOptions.defaultServerCloseShare == 0.5)
        #expect(EmulationOptions(serverCloseShare: 7).serverCloseShare == 1)
        #expect(EmulationOptions(serverCloseShare: -1).serverCloseShare == 0)
        #expect(EmulationOptions(serverCloseShare: .nan).serverCloseShare == nil)
        #expect(EmulationOptions(serverCloseShare: nil).serverCloseShare == nil)
    }

    @Test func aServerThatClosesAfterItsBannerClosesOnConnect() throws {
        var full = try emulator(Self.ftp(closing: StateMachine.root, closes: 5, of: 5))
        #expect(full.connect() == [.sendText("220 hi\r\n"), .close])
        #expect(full.receive(bytes("USER a\r\n"), now: 0) == [])
        #expect(full.connect() == [])

        // Closing without a banner: only the close.
        var machine = Self.ftp(closing: StateMachine.root, closes: 2, of: 3)
        machine.states[0].replies = []
        var silent = try emulator(machine)
        #expect(silent.connect() == [.close])
    }

    @Test func requestsPipelinedBehindTheClosingOneAreDropped() throws {
        var ftp = try emulator(Self.ftp(closes: 1, of: 1))
        _ = ftp.connect()
        #expect(ftp.receive(bytes("QUIT\r\nUSER a\r\nPASS b"), now: 0) == [
            .matched(request: bytes("QUIT\r\n"), edge: 1, from: 0, to: 5), .sendText("221 bye\r\n"), .close,
        ])
        #expect(ftp.pendingByteCount == 0)
        #expect(ftp.nextDeadline == nil)
        #expect(ftp.quietTimeElapsed(now: .max) == [])
    }

    @Test func theSameActionsWhateverTheSplit() throws {
        let machine = Self.ftp(closes: 1, of: 1)
        let input = bytes("USER a\r\nPASS b\r\nPWD\r\nQUIT\r\nLIST\r\n")
        var whole = try emulator(machine)
        let all = whole.connect() + whole.receive(input, now: 0) + whole.flush()
        var bytewise = try emulator(machine)
        var pieces = bytewise.connect()
        for byte in input { pieces += bytewise.receive([byte], now: 0) }
        pieces += bytewise.flush()
        #expect(all == pieces)
        #expect(all.last == .close)
        #expect(all.filter { $0 == .close }.count == 1)
    }

    @Test func aRequestEndedByTheQuietTimeOrFlushClosesToo() throws {
        // Under the longest rule the gapped PASS edge waits; its state closes.
        let machine = Self.ftp(closing: 2, closes: 3, of: 4)
        let longest = EmulationOptions(noMatch: .silence, completion: .longest)
        var quiet = try emulator(machine, longest)
        _ = quiet.receive(bytes("USER a\r\n"), now: 0)
        _ = quiet.flush()
        _ = quiet.receive(bytes("PASS b\r\n"), now: 10)
        #expect(quiet.quietTimeElapsed(now: 10 + EmulationOptions.defaultQuietTime) == [
            .matched(request: bytes("PASS b\r\n"), edge: 0, from: 1, to: 2), .sendText("230 ok\r\n"), .close,
        ])
    }

    @Test func answeringAsTheClosestEdgeClosesWhereThatEdgeWould() throws {
        var machine = Self.ftp(closes: 1, of: 1)
        machine.states[0].edges = [machine.states[0].edges[1]]   // only QUIT at the root
        var closest = try emulator(machine, EmulationOptions(noMatch: .closest(threshold: 0)))
        _ = closest.connect()
        let actions = closest.receive(bytes("QUIZ\r\n"), now: 0) + closest.flush()
        #expect(actions.count == 3)
        #expect(actions.dropFirst() == [.sendText("221 bye\r\n"), .close])
        guard case .noMatch(_, _, let edge) = actions.first else {
            Issue.record("expected a no-match, got \(actions)")
            return
        }
        #expect(edge?.followed == true)

        // Below the threshold nothing is answered and nothing closes.
        var strict = try emulator(machine, EmulationOptions(noMatch: .closest(threshold: 1)))
        _ = strict.connect()
        #expect(!(strict.receive(bytes("QUIZ\r\n"), now: 0) + strict.flush()).contains(.close))
    }

    @Test func theClosePolicyClosesOnceWhateverTheCounts() throws {
        var ftp = try emulator(Self.ftp(closes: 1, of: 1), EmulationOptions(noMatch: .close))
        _ = ftp.connect()
        let actions = ftp.receive(bytes("HELP\r\n"), now: 0) + ftp.flush()
        #expect(actions.filter { $0 == .close }.count == 1)
        #expect(actions.last == .close)
    }

    @Test func udpNeverCloses() throws {
        var machine = Machines.udp
        machine.states[1].visits = 3
        machine.states[1].endings = 3
        machine.states[1].serverCloses = 3
        var udp = try emulator(machine)
        #expect(udp.receiveDatagram(bytes("Q123")) == [
            .matched(request: bytes("Q123"), edge: 0, from: 0, to: 1), .sendText("R1"), .sendText("R2"),
        ])
        #expect(!udp.isClosed)
    }
}
