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
        var cutRequests = 0

        mutating func observe(_ reply: Reply) {
            if let index = replyIndex[reply] {
                replies[index].count += 1
            } else {
                replyIndex[reply] = replies.count
                replies.append(ObservedReply(reply: reply, count: 1))
            }
        }
    }

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

    mutating func add(_ messages: [Message], gapBytes: Int, options: BuilderOptions) {
        report.conversationsUsed += 1
        states[StateMachine.root].visits += 1
        if messages.isEmpty {
            // Connected and closed without a byte: nothing says whether the server would have
            // spoken, so no reply is observed (a scan must not turn a banner into silence).
            report.emptyConversations += 1
            states[StateMachine.root].endings += 1
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
        states[state].observe(Reply(messages: banner))
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
            states[state].observe(Reply(messages: exchange.reply))
            usedMessages += 1 + exchange.reply.count
        }
        // A conversation cut at a gap did not end here; it only stops being known here.
        if droppedAtGap == 0 { states[state].endings += 1 }
    }

    /// The canonical machine: edges by weight then first seen, replies by count then first
    /// seen, states numbered depth-first from the root along that edge order.
    func finished() -> (machine: StateMachine, report: BuildReport) {
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
            return State(replies: replies, edges: edges, visits: state.visits, endings: state.endings, cutRequests: state.cutRequests)
        }
        let machine = StateMachine(transport: transport, port: port, states: machineStates, conversations: report.conversationsUsed)
        var report = self.report
        let statistics = machine.statistics
        report.states = statistics.states
        report.edges = statistics.edges
        report.depth = statistics.depth
        report.largestFanout = statistics.largestFanout
        return (machine, report)
    }
}
