import NIOCore

/// The counts shared by every event loop: open conversations in total and per source, and the
/// channels to close at shutdown. Admission is decided here so the limits hold across loops.
final class ConnectionRegistry: @unchecked Sendable {
    /// A connection the registry closes at shutdown (SwiftNIO channels; the epoll loops close
    /// their own).
    typealias ShutdownHandle = any Channel

    enum Admission {
        /// `number` counts the run's conversations from 1, all ports together.
        case admitted(session: String, number: UInt64)
        case refused(ServerLimit, value: Int)
    }

    private let lock = ConditionLock()
    private let limits: ServerLimits
    private let sessionPrefix: String
    private var nextSession: UInt64 = 1
    private var total = 0
    private var perSource: [String: Int] = [:]
    private var handles: [ObjectIdentifier: ShutdownHandle] = [:]
    private var shuttingDown = false
    private(set) var sessionsOpened = 0

    init(limits: ServerLimits, sessionPrefix: String) {
        self.limits = limits
        self.sessionPrefix = sessionPrefix
    }

    var isShuttingDown: Bool { lock.withLock { shuttingDown } }
    var openCount: Int { lock.withLock { total } }
    var openedCount: Int { lock.withLock { sessionsOpened } }

    /// Counts a new conversation from `source`, or says which limit refuses it. `handle` is
    /// closed at shutdown.
    func admit(source: String, handle: ShutdownHandle?) -> Admission {
        lock.withLock {
            if shuttingDown { return .refused(.maxConnections, value: 0) }
            if total >= limits.maxConnections { return .refused(.maxConnections, value: limits.maxConnections) }
            let fromSource = perSource[source, default: 0]
            if fromSource >= limits.maxConnectionsPerSource { return .refused(.maxConnectionsPerSource, value: limits.maxConnectionsPerSource) }
            total += 1
            perSource[source] = fromSource + 1
            if let handle { handles[ObjectIdentifier(handle)] = handle }
            let number = nextSession
            nextSession += 1
            sessionsOpened += 1
            return .admitted(session: sessionPrefix + String(number), number: number)
        }
    }

    func release(source: String, handle: ShutdownHandle?) {
        lock.withLock {
            total -= 1
            if let remaining = perSource[source], remaining > 1 {
                perSource[source] = remaining - 1
            } else {
                perSource[source] = nil
            }
            if let handle { handles[ObjectIdentifier(handle)] = nil }
            lock.broadcast()
        }
    }

    /// Stops admitting and returns the open connections registered to be closed.
    func beginShutdown() -> [ShutdownHandle] {
        lock.withLock {
            shuttingDown = true
            return Array(handles.values)
        }
    }
}
