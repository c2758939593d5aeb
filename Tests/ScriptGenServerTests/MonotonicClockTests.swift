import NIOCore
import Testing
@testable import ScriptGenServer

/// The server has one monotonic clock: the NIO engine's timers (NIODeadline) are scheduled in
/// the nanoseconds of `MonotonicClock`, so the two must be the same clock.
@Suite struct MonotonicClockTests {
    @Test func nioDeadlinesAndTheMonotonicClockAgree() {
        for _ in 0..<100 {
            let before = MonotonicClock.now()
            let nio = Int64(NIODeadline.now().uptimeNanoseconds)
            let after = MonotonicClock.now()
            #expect(nio >= before - 1_000_000 && nio <= after + 1_000_000, "NIO \(nio), monotonic \(before)...\(after)")
        }
    }
}
