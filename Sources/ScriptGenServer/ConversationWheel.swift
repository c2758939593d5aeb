import NIOCore

/// One coarse timer per event loop for the idle and duration limits of its TCP conversations,
/// instead of a scheduled task per connection (scheduling and cancelling one per connection
/// costs more than the whole sweep). A conversation joins when it opens and leaves when it
/// closes; while any is open the wheel sweeps every `tick` and ends those past a limit, so a
/// limit fires at most one tick late. Confined to its event loop. Without an event loop (the
/// epoll engine) the wheel keeps the members and its owner calls `sweep(now:)` every `tick`.
final class ConversationWheel {
    /// What the wheel asks of a conversation.
    protocol Member: AnyObject {
        var wheelIndex: Int { get set }
        /// Ends the conversation when a limit has passed at `now` (monotonic nanoseconds).
        func sweep(now: Int64)
    }

    /// The sweep interval: an eighth of the shortest limit, between 10 ms and 250 ms.
    static func tick(for limits: ServerLimits) -> Int64 {
        min(250_000_000, max(10_000_000, min(limits.idleTimeout, limits.maxDuration) / 8))
    }

    private let eventLoop: (any EventLoop)?
    let tick: Int64
    private var members: [any Member] = []
    private var sweeping: Scheduled<Void>?

    init(eventLoop: (any EventLoop)?, tick: Int64) {
        self.eventLoop = eventLoop
        self.tick = tick
    }

    func add(_ member: any Member) {
        member.wheelIndex = members.count
        members.append(member)
        if sweeping == nil, eventLoop != nil { scheduleSweep() }
    }

    var isEmpty: Bool { members.isEmpty }

    func remove(_ member: any Member) {
        let index = member.wheelIndex
        guard index >= 0, index < members.count, members[index] === member else { return }
        let last = members.removeLast()
        if index < members.count {
            members[index] = last
            last.wheelIndex = index
        }
        member.wheelIndex = -1
    }

    /// Sweeps every member once.
    func sweep(now: Int64) {
        // A member may leave (swap-remove) while swept: walk down from the end.
        var index = members.count - 1
        while index >= 0 {
            if index < members.count { members[index].sweep(now: now) }
            index -= 1
        }
    }

    private func scheduleSweep() {
        sweeping = eventLoop?.assumeIsolated().scheduleTask(in: .nanoseconds(tick)) { [self] in
            sweeping = nil
            sweep(now: MonotonicClock.now())
            if !members.isEmpty { scheduleSweep() }
        }
    }
}

/// The wheel of each event loop, made on first use.
final class ConversationWheels: @unchecked Sendable {
    private let lock = ConditionLock()
    private let tick: Int64
    private var wheels: [ObjectIdentifier: ConversationWheel] = [:]

    init(limits: ServerLimits) {
        tick = ConversationWheel.tick(for: limits)
    }

    /// Call on `eventLoop`; the wheel returned may only be used there.
    func wheel(for eventLoop: any EventLoop) -> ConversationWheel {
        lock.withLock {
            let key = ObjectIdentifier(eventLoop)
            if let wheel = wheels[key] { return wheel }
            let wheel = ConversationWheel(eventLoop: eventLoop, tick: tick)
            wheels[key] = wheel
            return wheel
        }
    }
}
