import ScriptGenFlows
import ScriptGenModel

/// One machine while it grows: states in creation order with lookup tables for requests and
/// replies. `finished()` turns it into the canonical `StateMachine`.
struct PrefixTree: Sendable {
    struct GrowingEdge: Sendable {
        var request: [UInt8]
        var weight: Int
        var target: Int
    }

    struct GrowingState: Sendable {
        var edgeByRequest: [[UInt8]: Int] = [:]
        /// In first-seen order (the tie-break when weights are equal).
        var edges: [GrowingEdge] = []
        var replyIndex: [Reply: Int] = [:]
        /// In first-seen order (the tie-break when counts are equal).
        var replies: [ObservedReply] = []
        var visits = 0
        var endings = 0
        var serverCloses = 0
        var cutRequests = 0
        /// The client addresses (text) that observed each reply, at most
        /// `PrefixTree.maxObserversPerReply` of them.
        var observers: [Reply: [[UInt8]]] = [:]

        /// `counting: false` records only the observer (of a reply already counted).
        mutating func observe(_ reply: Reply, by client: [UInt8]? = nil, counting: Bool = true) {
            if !counting {
                // Recorded below only.
            } else if let index = replyIndex[reply] {
                replies[index].count += 1
            } else {
                replyIndex[reply] = replies.count
                replies.append(ObservedReply(reply: reply, count: 1))
            }
            if let client, observers[reply, default: []].count < PrefixTree.maxObserversPerReply, !observers[reply, default: []].contains(client) {
                observers[reply, default: []].append(client)
            }
        }
    }

    /// Distinct client addresses kept per reply: enough to tell one client from several.
    static let maxObserversPerReply = 4

    /// One client request and the server messages that followed it, until the next request.
    struct Exchange {
        var request: [UInt8]
        var reply: [[UInt8]]
    }

    let transport: StateMachine.Transport
    let port: UInt16
    var states = [GrowingState()]
    var report: BuildReport

    init(transport: StateMachine.Transport, port: UInt16) {
        self.transport = transport
        self.port = port
        self.report = BuildReport(transport: transport, port: port)
    }

    /// `serverClosed`: the server closed right after the conversation's last reply
    /// (`Conversation.serverClosedFirst`), counted with the ending.
    /// `client`: the client's address as text, recorded with each reply it observed (the
    /// simplifier finds replies that name their client).
    mutating func add(_ messages: [Message], gapBytes: Int, serverClosed: Bool = false, client: [UInt8]? = nil, options: BuilderOptions) {
        report.conversationsUsed += 1
        states[StateMachine.root].visits += 1
        if messages.isEmpty {
            // Connected and closed without a byte: nothing says whether the server would have
            // spoken, so no reply is observed (a scan must not turn a banner into silence).
            report.emptyConversations += 1
            end(at: StateMachine.root, serverClosed: serverClosed)
            return
        }

        // Split into the banner and exchanges, keeping only what lies before the first gap.
        let firstGap = messages.firstIndex { $0.gapBytes > 0 }
        if firstGap != nil || gapBytes > 0 { report.conversationsWithGaps += 1 }
        var banner = [[UInt8]]()
        var exchanges = [Exchange]()
        var bannerIncomplete = false
        var complete = messages.count  // messages[..<complete] are the whole exchanges before the gap
        for (index, message) in messages.enumerated() {
            if index == firstGap {
                if message.direction == .client {
                    complete = index
                } else if exchanges.isEmpty {
                    bannerIncomplete = true
                    complete = 0
                } else {
                    // The hole is in a reply: that whole exchange is unknown, request included.
                    exchanges.removeLast()
                    complete = messages[..<index].lastIndex { $0.direction == .client }!
                }
                break
            }
            switch message.direction {
            case .client:
                exchanges.append(Exchange(request: message.payload, reply: []))
            case .server:
                if exchanges.isEmpty { banner.append(message.payload) } else { exchanges[exchanges.count - 1].reply.append(message.payload) }
            }
        }
        let droppedAtGap = messages.count - complete
        report.messagesDroppedAtGaps += droppedAtGap
        // A hole in the banner leaves the root's reply unknown: nothing of it is used.
        if bannerIncomplete { return }

        var state = StateMachine.root
        states[state].observe(Reply(messages: banner), by: client)
        var usedMessages = banner.count
        for (number, exchange) in exchanges.enumerated() {
            if number > 0 && exchanges[number - 1].reply.isEmpty { report.consecutiveClientMessages += 1 }
            if let edge = states[state].edgeByRequest[exchange.request] {
                states[state].edges[edge].weight += 1
                state = states[state].edges[edge].target
            } else {
                let fanoutReached = states[state].edges.count >= max(1, options.maxFanout)
                let statesReached = states.count >= max(1, options.maxStates)
                if fanoutReached || statesReached {
                    // Counted, not added; the conversation is not followed further.
                    states[state].cutRequests += 1
                    if fanoutReached { report.requestsCutByFanout += 1 } else { report.pathsCutByStateLimit += 1 }
                    report.messagesDroppedByLimits += complete - usedMessages
                    return
                }
                let target = states.count
                states.append(GrowingState())
                states[state].edgeByRequest[exchange.request] = states[state].edges.count
                states[state].edges.append(GrowingEdge(request: exchange.request, weight: 1, target: target))
                state = target
            }
            states[state].visits += 1
            states[state].observe(Reply(messages: exchange.reply), by: client)
            usedMessages += 1 + exchange.reply.count
        }
        // A conversation cut at a gap did not end here; it only stops being known here.
        if droppedAtGap == 0 { end(at: state, serverClosed: serverClosed) }
    }

    private mutating func end(at state: Int, serverClosed: Bool) {
        states[state].endings += 1
        if serverClosed { states[state].serverCloses += 1 }
    }

    /// The canonical machine: simultaneous banners moved to the root (see
    /// `attributingSimultaneousBanner`), edges by weight then first seen, replies by count then
    /// first seen, states numbered depth-first from the root along that edge order.
    func finished(minBannerShare: Double = BuilderOptions().minBannerShare) -> (machine: StateMachine, report: BuildReport) {
        let (machine, report, _) = finishedWithObservers(minBannerShare: minBannerShare)
        return (machine, report)
    }

    /// `finished()`, plus for each state of the machine the client addresses that observed
    /// each of its replies.
    func finishedWithObservers(minBannerShare: Double = BuilderOptions().minBannerShare) -> (machine: StateMachine, report: BuildReport, observers: [[Reply: [[UInt8]]]]) {
        let states = Self.attributingSimultaneousBanner(states, minBannerShare: minBannerShare)
        func sortedEdges(_ state: GrowingState) -> [GrowingEdge] {
            state.edges.enumerated()
                .sorted { ($0.element.weight, $1.offset) > ($1.element.weight, $0.offset) }
                .map(\.element)
        }
        // Depth-first preorder numbering with an explicit stack (deep trees must not overflow).
        var newIndex = [Int](repeating: -1, count: states.count)
        var order = [Int]()
        order.reserveCapacity(states.count)
        var stack = [StateMachine.root]
        while let old = stack.popLast() {
            newIndex[old] = order.count
            order.append(old)
            stack.append(contentsOf: sortedEdges(states[old]).reversed().map(\.target))
        }
        let machineStates = order.map { old in
            let state = states[old]
            let replies = state.replies.enumerated()
                .sorted { ($0.element.count, $1.offset) > ($1.element.count, $0.offset) }
                .map(\.element)
            let edges = sortedEdges(state).map { edge in
                Edge(pattern: .exact(edge.request), weight: edge.weight, target: newIndex[edge.target])
            }
            return State(replies: replies, edges: edges, visits: state.visits, endings: state.endings, cutRequests: state.cutRequests,
                         serverCloses: state.serverCloses)
        }
        let machine = StateMachine(transport: transport, port: port, states: machineStates, conversations: report.conversationsUsed)
        var report = self.report
        let statistics = machine.statistics
        report.states = statistics.states
        report.edges = statistics.edges
        report.depth = statistics.depth
        report.largestFanout = statistics.largestFanout
        return (machine, report, order.map { states[$0].observers })
    }

    /// Client and server may both speak first (SSH: each sends its version line on connect).
    /// When the client's message reaches the capture first, the server's banner is recorded as
    /// the answer to the client's first request and the root observes silence, so a server
    /// that always greets would lose its banner to silence. The banner B is the root's most
    /// frequent non-silent reply; when B opened at least `minBannerShare` of the conversations
    /// observed at the root, every answer to a first request that starts with B's messages (the
    /// last one may be a byte prefix of the answer's message) is rewritten as if B had come
    /// before the request: the root counts B instead of silence, and the answer loses B. A
    /// conversation where B was a real answer would need the root's silence plus an answer
    /// that repeats the banner, which a server that greets does not send.
    static func attributingSimultaneousBanner(_ states: [GrowingState], minBannerShare: Double) -> [GrowingState] {
        let root = states[StateMachine.root]
        let observed = root.replies.reduce(0) { $0 + $1.count }
        guard let silence = root.replyIndex[.silence],
              let banner = root.replies.filter({ !$0.reply.messages.isEmpty }).enumerated()
                  .max(by: { ($0.element.count, $1.offset) < ($1.element.count, $0.offset) })?.element,
              Double(banner.count) >= minBannerShare * Double(observed)
        else { return states }
        var states = states
        var moved = 0
        for edge in root.edges {
            let child = states[edge.target]
            var rewritten = GrowingState()
            rewritten.edgeByRequest = child.edgeByRequest
            rewritten.edges = child.edges
            rewritten.visits = child.visits
            rewritten.endings = child.endings
            rewritten.serverCloses = child.serverCloses
            rewritten.cutRequests = child.cutRequests
            for observedReply in child.replies {
                let clients = child.observers[observedReply.reply] ?? []
                if let rest = Self.answer(observedReply.reply, withoutLeading: banner.reply) {
                    moved += observedReply.count
                    for _ in 0..<observedReply.count { rewritten.observe(rest) }
                    for client in clients { rewritten.observe(rest, by: client, counting: false) }
                } else {
                    for _ in 0..<observedReply.count { rewritten.observe(observedReply.reply) }
                    for client in clients { rewritten.observe(observedReply.reply, by: client, counting: false) }
                }
            }
            states[edge.target] = rewritten
        }
        // Never more than the root's silences: each moved answer was one conversation's.
        moved = min(moved, root.replies[silence].count)
        guard moved > 0 else { return states }
        let bannerIndex = root.replyIndex[banner.reply]!
        states[StateMachine.root].replies[silence].count -= moved
        states[StateMachine.root].replies[bannerIndex].count += moved
        if states[StateMachine.root].replies[silence].count == 0 {
            states[StateMachine.root].replies.remove(at: silence)
            states[StateMachine.root].replyIndex = Dictionary(
                uniqueKeysWithValues: states[StateMachine.root].replies.enumerated().map { ($1.reply, $0) })
        }
        return states
    }

    /// `answer` without the banner's messages at its start, or nil when it does not start
    /// with them. The banner's last message may be a byte prefix of the answer's message at
    /// that place (the server wrote more right after its banner).
    static func answer(_ answer: Reply, withoutLeading banner: Reply) -> Reply? {
        let count = banner.messages.count
        guard count > 0, answer.messages.count >= count,
              answer.messages[..<(count - 1)].elementsEqual(banner.messages[..<(count - 1)]),
              answer.messages[count - 1].starts(with: banner.messages[count - 1])
        else { return nil }
        let tail = answer.messages[count - 1].dropFirst(banner.messages[count - 1].count)
        return Reply(messages: (tail.isEmpty ? [] : [Array(tail)]) + answer.messages[count...])
    }
}
