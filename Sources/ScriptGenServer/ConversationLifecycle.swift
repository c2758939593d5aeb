/// The lifecycle of one TCP conversation, the same on every engine: open, draining (closed,
/// its last answers still being written) or closed with a reason. Each event says what the
/// connection must do; the connection only carries it out, so the engines cannot disagree on
/// when a conversation ends.
struct ConversationLifecycle: Equatable {
    enum State: Equatable {
        case open
        /// Closed for `reason`; queued answers are written first. `lastProgress`: when the
        /// client last took some of them (when the drain began, before it took any).
        case draining(reason: CloseReason, began: Int64, lastProgress: Int64)
        case closed(CloseReason)
    }

    /// What the connection does after an event.
    enum Action: Equatable {
        case none
        /// Stop reading; write what is queued, then close.
        case closeAfterSending
        /// Close now, dropping what is still queued.
        case closeNow
    }

    private(set) var state = State.open

    var isOpen: Bool { state == .open }

    /// Why the conversation closed, nil while it is open.
    var reason: CloseReason? {
        switch state {
        case .open: nil
        case .draining(let reason, _, _), .closed(let reason): reason
        }
    }

    /// The conversation ends for `reason`. The last answers matter when the model or the client
    /// ends it (a page larger than the socket buffer, then the server's close): those drain;
    /// a limit, a failure or shutdown close at once. Closing a draining conversation for
    /// shutdown or a failure stops the drain; the reason stays the first one.
    mutating func close(_ reason: CloseReason, now: Int64) -> Action {
        switch state {
        case .open:
            if reason == .modelClosed || reason == .clientClosed {
                state = .draining(reason: reason, began: now, lastProgress: now)
                return .closeAfterSending
            }
            state = .closed(reason)
            return .closeNow
        case .draining(let first, _, _):
            guard reason == .shutdown || reason == .writeFailed else { return .none }
            state = .closed(first)
            return .closeNow
        case .closed:
            return .none
        }
    }

    /// The client took some of the queued answers.
    mutating func drainProgressed(now: Int64) {
        if case .draining(let reason, let began, _) = state {
            state = .draining(reason: reason, began: began, lastProgress: now)
        }
    }

    /// The periodic check of a draining conversation: the drain stops when the client took
    /// nothing for the idle time, or the conversation has lasted its duration however slowly
    /// the client keeps reading. (An open conversation's limits are the conversation's.)
    mutating func sweepDrain(now: Int64, openedAt: Int64, limits: ServerLimits) -> Action {
        guard case .draining(let reason, _, let lastProgress) = state else { return .none }
        guard now - lastProgress >= limits.idleTimeout || now - openedAt >= limits.maxDuration else { return .none }
        state = .closed(reason)
        return .closeNow
    }

    /// The connection is gone (it finished writing, failed, or was closed). Returns the
    /// reason to log: a conversation still open when the server stops closed for shutdown,
    /// otherwise for the client's close.
    mutating func finished(shuttingDown: Bool) -> CloseReason {
        let reason = self.reason ?? (shuttingDown ? .shutdown : .clientClosed)
        state = .closed(reason)
        return reason
    }
}
