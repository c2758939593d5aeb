@testable import ScriptGenServer
import Testing

@Suite struct ConversationLifecycleTests {
    static let second: Int64 = 1_000_000_000
    static let limits: ServerLimits = {
        var limits = ServerLimits()
        limits.idleTimeout = 10 * second
        limits.maxDuration = 60 * second
        return limits
    }()

    @Test func theModelsCloseDrainsAndALimitClosesAtOnce() {
        var drained = ConversationLifecycle()
        #expect(drained.close(.modelClosed, now: 5) == .closeAfterSending)
        #expect(drained.state == .draining(reason: .modelClosed, began: 5, lastProgress: 5))
        #expect(!drained.isOpen && drained.reason == .modelClosed)
        // A second close (the client's EOF while draining) changes nothing.
        #expect(drained.close(.clientClosed, now: 6) == .none)
        #expect(drained.reason == .modelClosed)

        var limited = ConversationLifecycle()
        #expect(limited.close(.limit, now: 5) == .closeNow)
        #expect(limited.state == .closed(.limit))
        #expect(limited.close(.shutdown, now: 6) == .none)
    }

    @Test func shutdownOrAFailureStopsADrainKeepingTheFirstReason() {
        for reason in [CloseReason.shutdown, .writeFailed] {
            var lifecycle = ConversationLifecycle()
            _ = lifecycle.close(.clientClosed, now: 0)
            #expect(lifecycle.close(reason, now: 1) == .closeNow)
            #expect(lifecycle.state == .closed(.clientClosed))
        }
    }

    /// The rule both engines follow (the bug the lifecycle fixes: one engine counted from the
    /// drain's start, the other from the last write).
    @Test func aDrainEndsAnIdleTimeAfterTheClientLastTookSomething() {
        let second = Self.second
        var lifecycle = ConversationLifecycle()
        _ = lifecycle.close(.modelClosed, now: 0)
        lifecycle.drainProgressed(now: 8 * second)
        #expect(lifecycle.sweepDrain(now: 12 * second, openedAt: 0, limits: Self.limits) == .none)
        #expect(lifecycle.sweepDrain(now: 18 * second - 1, openedAt: 0, limits: Self.limits) == .none)
        #expect(lifecycle.sweepDrain(now: 18 * second, openedAt: 0, limits: Self.limits) == .closeNow)
        #expect(lifecycle.state == .closed(.modelClosed))
        #expect(lifecycle.sweepDrain(now: 30 * second, openedAt: 0, limits: Self.limits) == .none)
    }

    @Test func aSlowReaderCannotDrainPastTheDuration() {
        let second = Self.second
        var lifecycle = ConversationLifecycle()
        _ = lifecycle.close(.modelClosed, now: 50 * second)
        lifecycle.drainProgressed(now: 59 * second)
        #expect(lifecycle.sweepDrain(now: 60 * second - 1, openedAt: 0, limits: Self.limits) == .none)
        #expect(lifecycle.sweepDrain(now: 60 * second, openedAt: 0, limits: Self.limits) == .closeNow)
    }

    @Test func progressOutsideADrainAndASweepOfAnOpenConversationDoNothing() {
        var lifecycle = ConversationLifecycle()
        lifecycle.drainProgressed(now: 3)
        #expect(lifecycle.sweepDrain(now: .max, openedAt: 0, limits: Self.limits) == .none)
        #expect(lifecycle.state == .open)
    }

    @Test func theReasonLoggedAtTheEnd() {
        var open = ConversationLifecycle()
        #expect(open.finished(shuttingDown: false) == .clientClosed)
        var stopping = ConversationLifecycle()
        #expect(stopping.finished(shuttingDown: true) == .shutdown)
        var closed = ConversationLifecycle()
        _ = closed.close(.limit, now: 0)
        #expect(closed.finished(shuttingDown: true) == .limit)
    }
}
