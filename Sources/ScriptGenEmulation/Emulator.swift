import ScriptGenModel

/// One conversation with a learned machine: bytes in, actions out. No I/O, clock or global
/// randomness: the driver passes the time (`now`, nanoseconds on any monotonic clock) and
/// performs the returned actions; randomness comes from `generator`, so a seeded run replays.
///
/// ## When a TCP request is complete
/// Bytes accumulate until one of these, checked as if after every single byte, so the result
/// does not depend on how the input was split into pieces:
/// F. When the machine has `requestFraming` (a learned length field, docs/model-format.md):
///    once the header is there, a frame length between the header's and `maxRequestBytes`
///    makes the request exactly that many bytes, taken when they have arrived (the remaining
///    bytes start the next request); until the header is whole, the request waits. A header
///    announcing anything else (not this protocol's) leaves the rules below to decide.
/// R. Bytes that start a RESP array (`*<n>\r\n$<len>\r\n…`, what Redis clients send) are one
///    request exactly when the array is whole, as its length fields say: never cut inside,
///    even where a gapped edge's fixed end (`\r\n`) occurs earlier. Until then the request
///    waits (for the quiet time or `maxRequestBytes` at most, as below).
/// 0. Under `CompletionRule.eager` (the default): the bytes' shortest prefix matching an edge
///    that ends with fixed bytes is settled (not shadowed by a longer raw edge; see the rule).
///    It is the request; the remaining bytes start the next request, in the new state.
/// 1. No edge of the current state could match any longer input. If some edge matched a
///    prefix on the way, the longest such prefix is the request (the best edge among those
///    matching exactly it is followed) and the remaining bytes start the next request, in the
///    new state. If none did, the input is unmatchable: it is collected until (2) or (3) and
///    then handled as one unmatched request, so junk arriving in pieces is one no-match, not
///    one per piece.
/// 2. The quiet time passes without new bytes (`quietTimeElapsed(now:)`) or the driver knows
///    the input ended (`flush()`): the longest matching prefix is a request as above, and
///    input that matches nothing is one unmatched request.
/// 3. `maxRequestBytes` are pending and an edge could still match a longer input (or the
///    input is unmatchable): exactly that many bytes are the request, announced by `limitHit`.
///
/// A complete request follows the best matching edge (most fixed bytes, then highest weight,
/// then lowest index): the state becomes the edge's target and the target's reply is sent.
/// Otherwise the no-match policy applies. A state without edges keeps accepting input; every
/// request there goes to the no-match policy (under `.closest` that means silence).
///
/// ## Closing where the real server closed
/// After the reply of the state a TCP conversation enters — the root on `connect()`, an edge's
/// target, or the closest edge's target under `.closest` — the emulator returns `.close` after
/// the reply's `.send` actions when the real server closed right after that state in more than
/// `EmulationOptions.serverCloseShare` of the state's visits (`State.serverCloses`; by
/// default more than half). Drivers send the reply, then close; bytes still pending (pipelined
/// after the request) are dropped, as the real server never read them.
public struct Emulator<Generator: RandomNumberGenerator> {
    public let machine: CompiledMachine
    public let options: EmulationOptions
    /// The current state; starts at the root.
    public private(set) var state: StateID = StateMachine.root
    /// Set once a `.close` action was returned; all input is ignored afterwards.
    public private(set) var isClosed = false
    public private(set) var generator: Generator
    /// The date time fields are written from.
    public var wallClock: WallClock
    /// This conversation's number among the honeypot's (0 for the first): counter fields grow
    /// with it.
    public let conversationNumber: Int64
    /// The client's address as text, for replies that name their client (empty: the
    /// example's address is sent).
    public var clientAddress: [UInt8] = []
    /// When set, `fieldRanges` collects where reply fields were written (evaluation compares
    /// answers around them).
    public var recordsFieldRanges = false
    /// Offsets into all bytes sent so far (every `.send`, in order) that reply fields wrote,
    /// each with whether the real server varies it by itself; filled only while
    /// `recordsFieldRanges` is set.
    public private(set) var fieldRanges: [(range: Range<Int>, variesByItself: Bool)] = []
    /// Bytes of all `.send` actions so far.
    public private(set) var sentByteCount = 0

    private var hasConnected = false
    /// Received bytes; those before `pendingStart` already formed requests. Advancing an offset
    /// instead of removing from the front keeps many short requests in one read linear.
    private var pending: [UInt8] = []
    private var pendingStart = 0
    private var lastByteTime: Int64 = 0
    /// No edge of the current state can match the pending input at any length.
    private var pendingIsUnmatchable = false
    /// RESP framing of the request starting at `pendingStart`, resumed on every read.
    private var respScanner = RespArrayFrame.Scanner()
    private var scratch = ScanScratch()
    /// Per edge of the current state: the longest pending prefix it matches (-1 for none).
    private var longestMatchPerEdge: [Int] = []
    /// Per edge of the current state: the last scan's `aliveThrough`.
    private var aliveThroughPerEdge: [Int] = []
    /// Complete TCP requests taken so far (for the per-call budget).
    private var requestCount = 0

    public init(machine: CompiledMachine, options: EmulationOptions = EmulationOptions(), generator: Generator,
                wallClock: WallClock = .system, conversationNumber: Int64 = 0) {
        self.machine = machine
        self.options = options
        self.generator = generator
        self.wallClock = wallClock
        self.conversationNumber = conversationNumber
    }

    public init(machine: StateMachine, options: EmulationOptions = EmulationOptions(), generator: Generator,
                wallClock: WallClock = .system, conversationNumber: Int64 = 0) throws(InvalidMachineError) {
        self.init(machine: try CompiledMachine(machine), options: options, generator: generator, wallClock: wallClock, conversationNumber: conversationNumber)
    }

    /// Bytes received but not yet part of a complete request.
    public var pendingByteCount: Int { pending.count - pendingStart }

    /// When `quietTimeElapsed(now:)` should be called next, or nil when nothing is pending.
    public var nextDeadline: Int64? {
        guard !isClosed, pendingByteCount > 0 else { return nil }
        return lastByteTime.addingSaturated(options.quietTime)
    }

    /// The connection opened: the root's reply (the banner), if the server sent one. Only the
    /// first call answers.
    public mutating func connect() -> [EmulatorAction] {
        guard !hasConnected, !isClosed else { return [] }
        hasConnected = true
        var actions: [EmulatorAction] = []
        appendReply(of: state, to: &actions)
        closeIfTheServerClosed(after: state, into: &actions)
        return actions
    }

    /// TCP bytes arrived, in any split. At most `maxRequests` complete requests are answered
    /// (the driver passes what its request limit has left, so one read of many short requests
    /// costs at most that many answers); further complete requests stay pending.
    public mutating func receive(_ bytes: some Collection<UInt8>, now: Int64, maxRequests: Int = .max) -> [EmulatorAction] {
        guard !isClosed, !bytes.isEmpty else { return [] }
        pending.append(contentsOf: bytes)
        lastByteTime = now
        var actions: [EmulatorAction] = []
        completeRequests(inputEnded: false, budget: maxRequests, into: &actions)
        return actions
    }

    /// Call at or after `nextDeadline`: pending input is taken as complete once the quiet time
    /// has passed since the last byte; earlier calls do nothing. `maxRequests` as in `receive`.
    public mutating func quietTimeElapsed(now: Int64, maxRequests: Int = .max) -> [EmulatorAction] {
        guard let deadline = nextDeadline, now >= deadline else { return [] }
        return flush(maxRequests: maxRequests)
    }

    /// The input ended (the client shut down its side) or the driver knows a request boundary
    /// (an offline replay): pending input is taken as complete now. `maxRequests` as in
    /// `receive`.
    public mutating func flush(maxRequests: Int = .max) -> [EmulatorAction] {
        guard !isClosed, pendingByteCount > 0 else { return [] }
        var actions: [EmulatorAction] = []
        completeRequests(inputEnded: true, budget: maxRequests, into: &actions)
        return actions
    }

    /// A UDP datagram arrived: always one complete request (cut at `maxRequestBytes`).
    public mutating func receiveDatagram(_ bytes: some Collection<UInt8>) -> [EmulatorAction] {
        guard !isClosed else { return [] }
        var actions: [EmulatorAction] = []
        var request = Array(bytes)
        if request.count > options.maxRequestBytes {
            actions.append(.limitHit(.maxRequestBytes, state: state, byteCount: options.maxRequestBytes))
            request.removeLast(request.count - options.maxRequestBytes)
        }
        if let edge = machine.matchingEdge(for: request, in: state) {
            follow(edge: edge, request: request, into: &actions)
        } else {
            handleNoMatch(request: request, into: &actions)
        }
        return actions
    }

    // MARK: - Request completion

    /// Takes complete requests from `pending`, at most `budget` of them.
    private mutating func completeRequests(inputEnded: Bool, budget: Int, into actions: inout [EmulatorAction]) {
        let limit = options.maxRequestBytes
        let startCount = requestCount
        defer { compactPending() }
        while !isClosed && pendingByteCount > 0 && requestCount - startCount < budget {
            let available = pendingByteCount
            if pendingIsUnmatchable {
                if available >= limit {
                    actions.append(.limitHit(.maxRequestBytes, state: state, byteCount: limit))
                    takeRequest(length: limit, matched: false, into: &actions)
                } else if inputEnded {
                    takeRequest(length: available, matched: false, into: &actions)
                } else {
                    return
                }
                continue
            }
            let bound = min(available, limit)
            let start = pendingStart
            let frame = pending.withUnsafeBufferPointer { whole in
                respScanner.scan(UnsafeBufferPointer(rebasing: whole[start..<(start + bound)]))
            }
            switch frame {
            case .complete(let length):
                // Which edges match exactly the array: scan that prefix.
                _ = scanPending(bound: length)
                takeRequest(length: length, matched: true, into: &actions)
                continue
            case .incomplete where available < limit && !inputEnded:
                return
            default:
                break
            }
            // F. A machine whose clients' requests carry their length: a request is exactly
            // the frame its header announces, once that many bytes are there.
            if let framing = machine.machine.requestFraming {
                let frame = pending.withUnsafeBufferPointer { whole in
                    framing.frameLength(of: UnsafeBufferPointer(rebasing: whole[start..<(start + bound)]))
                }
                if let frame, frame >= framing.headerLength, frame <= limit {
                    if available >= frame {
                        _ = scanPending(bound: frame)
                        takeRequest(length: frame, matched: true, into: &actions)
                        continue
                    }
                    if !inputEnded { return }
                } else if frame == nil, !inputEnded {
                    // Not yet the whole header: wait for it, so the split does not decide.
                    return
                }
            }
            let (aliveThrough, longestMatch, shortestFixedEndMatch) = scanPending(bound: bound)
            // The eager rule never decides later than the dead-input rule below (each edge it
            // waits for is alive until it decides), so checking it first keeps split invariance.
            if options.completion == .eager, let length = eagerRequestLength(shortestFixedEndMatch: shortestFixedEndMatch, bound: bound) {
                // Which edges match exactly `length` bytes: scan that prefix again (the scan
                // just made says it already when the request is all the bytes scanned).
                if length != bound { _ = scanPending(bound: length) }
                takeRequest(length: length, matched: true, into: &actions)
                continue
            }
            if aliveThrough < bound {
                // Dead at aliveThrough + 1: no edge can match any longer input.
                if longestMatch >= 1 {
                    takeRequest(length: longestMatch, matched: true, into: &actions)
                } else {
                    pendingIsUnmatchable = true
                }
            } else if available >= limit {
                actions.append(.limitHit(.maxRequestBytes, state: state, byteCount: limit))
                takeRequest(length: limit, matched: longestMatch == limit, into: &actions)
            } else if inputEnded {
                if longestMatch >= 1 {
                    takeRequest(length: longestMatch, matched: true, into: &actions)
                } else {
                    takeRequest(length: available, matched: false, into: &actions)
                }
            } else {
                return
            }
        }
    }

    /// Drops the bytes already taken as requests: once per call, so the cost stays linear.
    private mutating func compactPending() {
        guard pendingStart > 0 else { return }
        if pendingStart == pending.count {
            pending.removeAll(keepingCapacity: pending.capacity <= 1 << 20)
        } else {
            pending.removeFirst(pendingStart)
        }
        pendingStart = 0
    }

    /// Scans the first `bound` pending bytes against every edge of the current state; returns
    /// the largest `aliveThrough` and `longestMatch` over the edges, and the smallest
    /// `shortestMatch` over the edges ending with fixed bytes (-1 for none).
    private mutating func scanPending(bound: Int) -> (aliveThrough: Int, longestMatch: Int, shortestFixedEndMatch: Int) {
        // The closures below use locals only: one that touched `self` would look up the
        // generic emulator's type metadata on every access. The arrays are moved out and back,
        // so they stay uniquely referenced and keep their capacity.
        var longestPerEdge: [Int] = []
        var alivePerEdge: [Int] = []
        var scratch = ScanScratch()
        swap(&longestPerEdge, &longestMatchPerEdge)
        swap(&alivePerEdge, &aliveThroughPerEdge)
        swap(&scratch, &self.scratch)
        let statePatterns = machine.patterns[state]
        longestPerEdge.removeAll(keepingCapacity: true)
        alivePerEdge.removeAll(keepingCapacity: true)
        // One allocation each, not a doubling per few edges on a new conversation's first scan.
        longestPerEdge.reserveCapacity(statePatterns.count)
        alivePerEdge.reserveCapacity(statePatterns.count)
        var aliveThrough = -1
        var longestMatch = -1
        var shortestFixedEndMatch = -1
        let start = pendingStart
        // Patterns are read in place: copying one per edge per scan (its arrays retained and
        // released) cost more than the scan itself.
        pending.withUnsafeBufferPointer { whole in
            statePatterns.withUnsafeBufferPointer { patterns in
                let bytes = UnsafeBufferPointer(rebasing: whole[start..<(start + bound)])
                for index in patterns.indices {
                    let result = patterns[index].scan(bytes, scratch: &scratch)
                    longestPerEdge.append(result.longestMatch)
                    alivePerEdge.append(result.aliveThrough)
                    aliveThrough = max(aliveThrough, result.aliveThrough)
                    longestMatch = max(longestMatch, result.longestMatch)
                    if patterns[index].endsWithFixedBytes && result.shortestMatch >= 1 && (shortestFixedEndMatch < 0 || result.shortestMatch < shortestFixedEndMatch) {
                        shortestFixedEndMatch = result.shortestMatch
                    }
                }
            }
        }
        swap(&longestPerEdge, &longestMatchPerEdge)
        swap(&alivePerEdge, &aliveThroughPerEdge)
        swap(&scratch, &self.scratch)
        return (aliveThrough, longestMatch, shortestFixedEndMatch)
    }

    /// The request length `CompletionRule.eager` settles on within the first `bound` pending
    /// bytes, or nil when it cannot decide yet. `shortestFixedEndMatch` is `L` of the rule.
    /// Call right after `scanPending(bound: bound)`: its results say how far each raw edge
    /// agrees with the bytes.
    ///
    /// Deciding on the whole buffer equals deciding after every byte: each longer raw edge
    /// resolves at one byte count (fully received, or contradicted) and stays resolved, and the
    /// chosen length does not change after the last one resolves.
    private func eagerRequestLength(shortestFixedEndMatch shortest: Int, bound: Int) -> Int? {
        guard shortest >= 1 else { return nil }
        // Locals only in the closure (see `scanPending`).
        let longestMatchPerEdge = longestMatchPerEdge
        let aliveThroughPerEdge = aliveThroughPerEdge
        return machine.patterns[state].withUnsafeBufferPointer { patterns -> Int? in
            var length = shortest
            for index in patterns.indices {
                guard let raw = patterns[index].rawBytes, raw.count > shortest else { continue }
                // How many of the first `bound` bytes agree with the raw edge: all of it when it
                // matched; otherwise the scan's `aliveThrough` (see `CompiledPattern.scanRaw`).
                let common = longestMatchPerEdge[index] == raw.count ? raw.count : aliveThroughPerEdge[index]
                if common == raw.count {
                    length = max(length, raw.count)
                } else if common == bound {
                    return nil  // Consistent with all input so far and not complete: wait.
                }
            }
            return length
        }
    }

    /// Removes the first `length` pending bytes as one request and answers it. With `matched`,
    /// the last `scanPending` found an edge matching exactly `length` bytes.
    private mutating func takeRequest(length: Int, matched: Bool, into actions: inout [EmulatorAction]) {
        let request = Array(pending[pendingStart..<(pendingStart + length)])
        pendingStart += length
        respScanner = RespArrayFrame.Scanner()
        requestCount += 1
        pendingIsUnmatchable = false
        if matched {
            var best: Int?
            for (edge, longest) in longestMatchPerEdge.enumerated() where longest == length {
                if best.map({ machine.isPreferred(edge, over: $0, in: state) }) ?? true { best = edge }
            }
            if let best {
                follow(edge: best, request: request, into: &actions)
                return
            }
        }
        handleNoMatch(request: request, into: &actions)
    }

    // MARK: - Answers

    private mutating func follow(edge: Int, request: [UInt8], into actions: inout [EmulatorAction]) {
        let from = state
        let target = machine.machine.states[from].edges[edge].target
        actions.append(.matched(request: request, edge: edge, from: from, to: target))
        state = target
        appendReply(of: target, answering: request, to: &actions)
        closeIfTheServerClosed(after: target, into: &actions)
    }

    private mutating func handleNoMatch(request: [UInt8], into actions: inout [EmulatorAction]) {
        let closest = machine.closestEdge(to: request, in: state).map { found in
            ClosestEdge(edge: found.edge, target: machine.machine.states[state].edges[found.edge].target, score: found.score, followed: false)
        }
        switch options.noMatch {
        case .closest(let threshold):
            if var closest, closest.score >= threshold {
                closest.followed = true
                actions.append(.noMatch(request: request, state: state, closest: closest))
                state = closest.target
                appendReply(of: closest.target, answering: request, to: &actions)
                closeIfTheServerClosed(after: closest.target, into: &actions)
            } else {
                actions.append(.noMatch(request: request, state: state, closest: closest))
            }
        case .silence:
            actions.append(.noMatch(request: request, state: state, closest: closest))
        case .close:
            actions.append(.noMatch(request: request, state: state, closest: closest))
            close(into: &actions)
        }
    }

    /// Closes after the reply of `state` when the real server did there (see the type's doc).
    private mutating func closeIfTheServerClosed(after state: StateID, into actions: inout [EmulatorAction]) {
        guard let share = options.serverCloseShare, machine.machine.transport == .tcp else { return }
        // Two counts read in place: no copy of the state's replies and edges per request.
        let closes = machine.machine.states[state].serverCloses
        guard closes > 0, EmulationOptions.closes(serverCloses: closes, visits: machine.machine.states[state].visits, share: share) else { return }
        close(into: &actions)
    }

    private mutating func close(into actions: inout [EmulatorAction]) {
        actions.append(.close)
        isClosed = true
        pending.removeAll()
        pendingStart = 0
    }

    /// The reply of `state` to `request` (none on connect): one of the observed replies, with
    /// its fields filled in (`ReplyField`).
    private mutating func appendReply(of state: StateID, answering request: [UInt8] = [], to actions: inout [EmulatorAction]) {
        let replies = machine.machine.states[state].replies
        guard !replies.isEmpty else { return }
        var chosen = 0
        if options.responseChoice == .weightedRandom && replies.count > 1 {
            // Counts come from a model file: halve them all until their sum fits in 64 bits
            // (an edited model may hold counts near Int.max), which keeps the proportions.
            var shift: UInt64 = 0
            var total: UInt64 = 0
            while shift < 64 {
                var sum: UInt64 = 0
                var overflow = false
                for reply in replies {
                    (sum, overflow) = sum.addingReportingOverflow(UInt64(max(0, reply.count)) >> shift)
                    if overflow { break }
                }
                if !overflow {
                    total = sum
                    break
                }
                shift += 1
            }
            if total > 0 {
                // Multiply-high maps a 64-bit draw onto 0..<total the same way on every platform.
                var draw = total.multipliedFullWidth(by: generator.next()).high
                for (index, reply) in replies.enumerated() {
                    let count = UInt64(max(0, reply.count)) >> shift
                    if draw < count {
                        chosen = index
                        break
                    }
                    draw -= count
                }
            }
        }
        let reply = replies[chosen]
        guard !reply.fields.isEmpty else {
            for message in reply.reply.messages { send(message, into: &actions) }
            return
        }
        let context = RenderingContext(request: request, unixNanoseconds: wallClock.now(), conversationNumber: conversationNumber,
                                       clientAddress: clientAddress)
        var written: [RenderedField] = []
        let messages = reply.reply.rendered(reply.fields, context: context, generator: &generator, written: &written)
        for (index, message) in messages.enumerated() {
            if recordsFieldRanges {
                for field in written where field.message == index {
                    fieldRanges.append(((sentByteCount + field.range.lowerBound)..<(sentByteCount + field.range.upperBound), field.variesByItself))
                }
            }
            send(message, into: &actions)
        }
    }

    private mutating func send(_ message: [UInt8], into actions: inout [EmulatorAction]) {
        sentByteCount += message.count
        actions.append(.send(message))
    }
}

extension Emulator: Sendable where Generator: Sendable {}

extension Emulator where Generator == SplitMix64 {
    /// An emulator drawing its random choices from `SplitMix64(seed: seed)`.
    public init(machine: CompiledMachine, options: EmulationOptions = EmulationOptions(), seed: UInt64,
                wallClock: WallClock = .system, conversationNumber: Int64 = 0) {
        self.init(machine: machine, options: options, generator: SplitMix64(seed: seed), wallClock: wallClock, conversationNumber: conversationNumber)
    }
}
