/// The catalogue of honeypot log events: every line `serve` and `respond` write carries one of
/// these ids in its `event` field. docs/events.md documents each one (and its fields); a test
/// keeps the two lists equal.
public enum EventID: String, CaseIterable, Hashable, Sendable {
    /// The server loaded its models and is about to bind.
    case serverStarted = "server.started"
    /// One listening socket is bound (one per served port and transport).
    case serverListening = "server.listening"
    /// The process changed to the `--user` account after binding.
    case serverPrivilegesDropped = "server.privileges-dropped"
    /// SIGINT/SIGTERM arrived: listeners close, open conversations are closed.
    case serverStopping = "server.stopping"
    /// Every conversation is closed; the last line of a run.
    case serverStopped = "server.stopped"
    /// A connection or UDP flow was turned away by a limit before any session began.
    case connectionRefused = "connection.refused"
    /// A conversation began (TCP accepted, or the first datagram of a UDP flow).
    case sessionOpened = "session.opened"
    /// A complete request, with the edge it matched or the closest edge and its score.
    case sessionRequest = "session.request"
    /// Bytes sent to the client (one TCP write or one UDP datagram).
    case sessionResponse = "session.response"
    /// A limit cut the input or ended the conversation.
    case sessionLimit = "session.limit"
    /// The conversation ended, with a summary.
    case sessionClosed = "session.closed"
    /// Lines were dropped because the log destination could not keep up or failed.
    case logDropped = "log.dropped"
    /// The event file was opened anew (SIGHUP, after log rotation); the first line of the new file.
    case logReopened = "log.reopened"
    /// The HPFeeds publisher is connected and authenticated to its broker.
    case hpfeedsConnected = "hpfeeds.connected"
    /// The HPFeeds connection failed or was lost; the publisher retries after a back-off.
    case hpfeedsDisconnected = "hpfeeds.disconnected"
    /// Events were not published because the HPFeeds queue was full.
    case hpfeedsDropped = "hpfeeds.dropped"
}

/// The limits a conversation or the server can hit; the `limit` field of `session.limit` and
/// `connection.refused` events. Documented in docs/events.md, kept in sync by a test.
public enum ServerLimit: String, CaseIterable, Hashable, Sendable {
    /// Open conversations in the whole server (TCP connections plus UDP flows).
    case maxConnections
    /// Open conversations from one source address.
    case maxConnectionsPerSource
    /// Bytes queued for a client that does not read.
    case maxBufferedBytes
    /// One request's size: the input is cut there and the rest starts the next request.
    case maxRequestBytes
    /// Time without any input from the client.
    case idleTimeout
    /// Complete requests in one conversation.
    case maxRequests
    /// Wall time of one conversation.
    case maxDuration
    /// A UDP answer longer than the transport allows (honeyd: 2048 bytes) was cut.
    case maxDatagramBytes
}

/// Why a conversation ended: the `reason` field of `session.closed`.
public enum CloseReason: String, CaseIterable, Hashable, Sendable {
    /// The client closed (TCP EOF or reset).
    case clientClosed = "client-closed"
    /// The model closed the connection: after the reply of a state where the real server
    /// closed (`EmulationOptions.serverCloseShare`), or under the `close` no-match policy.
    case modelClosed = "model-closed"
    /// A limit ended the conversation (the preceding `session.limit` says which).
    case limit
    /// Writing to the client failed.
    case writeFailed = "write-failed"
    /// The server shut down.
    case shutdown
    /// A UDP flow or a responder went quiet for the idle time.
    case idle
}
