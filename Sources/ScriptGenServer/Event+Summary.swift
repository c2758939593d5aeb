extension Event {
    /// One sentence for a person reading the line: the `message` of the cowrie and ECS formats.
    public var summary: String {
        func text(_ name: String) -> String {
            switch value(name) {
            case .string(let text): text
            case .int(let number): String(number)
            case .double(let number): String(number)
            case .bool(let flag): String(flag)
            case .bytes(let bytes): "\(bytes.count) bytes"
            case nil: "?"
            }
        }
        let peer = endpoints.map { "\($0.sourceAddress):\($0.sourcePort)" } ?? "\(text("src")):\(text("sport"))"
        switch id {
        case .serverStarted: return "server started: \(text("ports")) ports on \(text("listen"))"
        case .serverListening: return "listening on \(text("transport")) \(text("address")):\(text("port")) (model port \(text("modelPort")))"
        case .serverPrivilegesDropped: return "privileges dropped to \(text("user"))"
        case .serverStopping: return "stopping, \(text("openSessions")) sessions open"
        case .serverStopped: return "stopped after \(text("sessions")) sessions"
        case .connectionRefused: return "connection from \(peer) refused: \(text("limit")) (\(text("value")))"
        case .sessionOpened:
            let local = endpoints.map { "\($0.destinationAddress):\($0.destinationPort)" } ?? "\(text("dst")):\(text("dport"))"
            return "new connection: \(peer) (\(local)) [session: \(text("session"))]"
        case .sessionRequest:
            if case .string("edge") = value("match") {
                return "request of \(text("length")) bytes in state \(text("state")): edge \(text("edge")) to state \(text("to"))"
            }
            return "request of \(text("length")) bytes in state \(text("state")): no match"
        case .sessionResponse: return "response of \(text("length")) bytes from state \(text("state"))"
        case .sessionLimit: return "limit \(text("limit")) reached (\(text("value"))) in state \(text("state"))"
        case .sessionClosed: return "connection closed (\(text("reason"))) after \(text("duration")) s, \(text("requests")) requests"
        case .logDropped: return "\(text("count")) event lines dropped (\(text("total")) in all)"
        case .logReopened: return "event log reopened: \(text("path"))"
        case .hpfeedsConnected: return "hpfeeds: connected to \(text("broker"))"
        case .hpfeedsDisconnected: return "hpfeeds: \(text("broker")): \(text("reason")); retrying in \(text("retryIn")) s"
        case .hpfeedsDropped: return "hpfeeds: \(text("count")) events not published, queue full (\(text("total")) in all)"
        }
    }
}
