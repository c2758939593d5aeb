import ScriptGenEmulation
import ScriptGenModel

/// The log side of one conversation: turns what the emulator did into events and keeps the
/// counts for the closing summary. Shared by `serve` and `respond`, so both log alike.
public struct SessionRecord: Sendable {
    public let session: String
    public let endpoints: SessionEndpoints
    public private(set) var requests = 0
    public private(set) var matched = 0
    public private(set) var unmatched = 0
    public private(set) var bytesIn = 0
    public private(set) var bytesOut = 0
    public private(set) var limitsHit = 0
    /// The state the emulator is in, as far as the record knows.
    public private(set) var state: StateID = StateMachine.root
    private let openedAt: Int64
    /// What every event carries for formats that repeat the endpoints; nil for the native one.
    private let attached: SharedEndpoints?

    /// `openedAt`: monotonic nanoseconds. `repeatEndpoints`: attach the endpoints to every
    /// event (`EventSink.repeatsEndpoints`).
    public init(session: String, endpoints: SessionEndpoints, openedAt: Int64, repeatEndpoints: Bool = true) {
        self.session = session
        self.endpoints = endpoints
        self.openedAt = openedAt
        self.attached = repeatEndpoints ? SharedEndpoints(endpoints) : nil
    }

    public func opened(time: WallTime) -> Event {
        Event(.sessionOpened, time: time, [
            ("session", .string(session)),
            ("transport", .string(endpoints.transport.rawValue)),
            ("src", .string(endpoints.sourceAddress)),
            ("sport", .int(endpoints.sourcePort)),
            ("dst", .string(endpoints.destinationAddress)),
            ("dport", .int(endpoints.destinationPort)),
            ("modelPort", .int(endpoints.modelPort)),
        ], shared: attached)
    }

    public mutating func received(byteCount: Int) {
        bytesIn += byteCount
    }

    /// The event for one emulator action; nil for `.close` (the driver logs the close).
    /// `.send` is counted here; the driver writes the bytes.
    public mutating func event(for action: EmulatorAction, time: WallTime) -> Event? {
        switch action {
        case .send(let bytes):
            bytesOut += bytes.count
            return Event(.sessionResponse, time: time, [
                ("session", .string(session)), ("state", .int(state)),
                ("length", .int(bytes.count)), ("bytes", .bytes(bytes)),
            ], shared: attached)
        case .close:
            return nil
        case .matched(let request, let edge, let from, let to):
            requests += 1
            matched += 1
            state = to
            return Event(.sessionRequest, time: time, [
                ("session", .string(session)), ("state", .int(from)),
                ("length", .int(request.count)), ("bytes", .bytes(request)),
                ("match", .string("edge")), ("edge", .int(edge)), ("to", .int(to)),
            ], shared: attached)
        case .noMatch(let request, let from, let closest):
            requests += 1
            unmatched += 1
            var fields: [(name: String, value: Event.Value)] = [
                ("session", .string(session)), ("state", .int(from)),
                ("length", .int(request.count)), ("bytes", .bytes(request)),
                ("match", .string("none")),
            ]
            if let closest {
                fields.append(("closest", .int(closest.edge)))
                fields.append(("score", .double((closest.score * 1000).rounded() / 1000)))
                fields.append(("followed", .bool(closest.followed)))
                if closest.followed {
                    state = closest.target
                    fields.append(("to", .int(closest.target)))
                }
            }
            return Event(.sessionRequest, time: time, fields, shared: attached)
        case .limitHit(let limit, let inState, let byteCount):
            limitsHit += 1
            let name: ServerLimit = switch limit { case .maxRequestBytes: .maxRequestBytes }
            return Event(.sessionLimit, time: time, [
                ("session", .string(session)), ("state", .int(inState)),
                ("limit", .string(name.rawValue)), ("value", .int(byteCount)),
            ], shared: attached)
        }
    }

    /// A limit the driver enforces (idle time, buffered bytes, request count, duration).
    public mutating func limit(_ limit: ServerLimit, value: Int, time: WallTime) -> Event {
        limitsHit += 1
        return Event(.sessionLimit, time: time, [
            ("session", .string(session)), ("state", .int(state)),
            ("limit", .string(limit.rawValue)), ("value", .int(value)),
        ], shared: attached)
    }

    /// The summary; `now`: monotonic nanoseconds.
    public func closed(reason: CloseReason, time: WallTime, now: Int64) -> Event {
        Event(.sessionClosed, time: time, [
            ("session", .string(session)),
            ("reason", .string(reason.rawValue)),
            ("duration", .double(Double(max(0, now - openedAt)) / 1e9)),
            ("requests", .int(requests)),
            ("matched", .int(matched)),
            ("unmatched", .int(unmatched)),
            ("bytesIn", .int(bytesIn)),
            ("bytesOut", .int(bytesOut)),
            ("limits", .int(limitsHit)),
            ("finalState", .int(state)),
        ], shared: attached)
    }
}
