import ScriptGenCapture
import ScriptGenEmulation
import ScriptGenFlows
import ScriptGenModel

/// Offline evaluation (docs/evaluation.md): replays the client side of real conversations through the
/// emulation core and compares each emulated answer with what the real server sent.
///
/// Conversations are given one at a time (`add`), so memory holds only counters per port and
/// the first misses, however many conversations there are. Each conversation is replayed by a
/// fresh `Emulator` on the machine of its (transport, server port):
/// 1. `connect()`; its banner is compared with the server messages sent before the client's
///    first message, when either is non-empty. A conversation without any message is counted
///    (and complete) but compares nothing: nothing says whether the server would have spoken.
/// 2. For each client message: TCP `receive` then `flush()` (offline the message boundary is
///    known, so no quiet time is waited for); UDP `receiveDatagram`. The request matched when
///    the core cut at least one request from the message and every one followed an edge. The
///    emulated answer (all `.send` bytes, concatenated) is compared with the real answer (the
///    server messages up to the next client message, concatenated); see `ResponseComparison`.
///
/// Requests after a miss are still replayed, from whatever state the no-match policy left.
/// Once the emulator has closed (the `.close` no-match policy, or a state where the real
/// server closed; `EmulationOptions.serverCloseShare`) it answers nothing: every later client
/// message, and the unanswered rest of the message it closed in, counts as unmatched, so the
/// conversation is not completed. A real conversation never goes on after its server's close,
/// so a model that closes where the server did loses nothing.
public struct Evaluator: Sendable {
    public let options: EvaluationOptions
    private let machines: [MachineKey: CompiledMachine]
    private var metrics: [MachineKey: EvaluationMetrics] = [:]
    private var unmodelled: [MachineKey: Int] = [:]
    private var misses: [EvaluationMiss] = []
    /// Draws one emulator seed per replayed conversation.
    private var seeds: SplitMix64
    private var conversationsSeen = 0

    /// Uses the first machine of each (transport, port). Fails on a machine the core cannot serve.
    public init(machines: [StateMachine], options: EvaluationOptions = EvaluationOptions()) throws(InvalidMachineError) {
        var compiled: [MachineKey: CompiledMachine] = [:]
        for machine in machines {
            let key = MachineKey(transport: machine.transport, port: machine.port)
            guard compiled[key] == nil else { continue }
            compiled[key] = try CompiledMachine(machine)
        }
        self.machines = compiled
        self.options = options
        self.seeds = SplitMix64(seed: options.seed)
    }

    public init(model: ModelFile, options: EvaluationOptions = EvaluationOptions()) throws(InvalidMachineError) {
        try self.init(machines: model.machines, options: options)
    }

    /// Evaluates `model` on `conversations` in order: the entry point for callers holding
    /// models in memory (a parameter sweep).
    public static func evaluate(
        _ model: ModelFile, on conversations: some Sequence<Conversation>, options: EvaluationOptions = EvaluationOptions()
    ) throws(InvalidMachineError) -> EvaluationReport {
        var evaluator = try Evaluator(model: model, options: options)
        for conversation in conversations { evaluator.add(conversation) }
        return evaluator.report
    }

    /// The figures so far.
    public var report: EvaluationReport {
        let ports = metrics.keys.sorted().map { PortEvaluation(transport: $0.transport, port: $0.port, metrics: metrics[$0]!) }
        var total = EvaluationMetrics()
        for port in ports { total.merge(port.metrics) }
        let unmodelledPorts = unmodelled.keys.sorted().map { UnmodelledPort(transport: $0.transport, port: $0.port, conversations: unmodelled[$0]!) }
        return EvaluationReport(ports: ports, total: total, unmodelled: unmodelledPorts, misses: misses)
    }

    /// Replays one conversation (or counts it as unmodelled).
    public mutating func add(_ conversation: Conversation) {
        conversationsSeen += 1
        let transport: StateMachine.Transport = conversation.transport == .udp ? .udp : .tcp
        let key = MachineKey(transport: transport, port: conversation.server.port)
        guard let machine = machines[key] else {
            unmodelled[key, default: 0] += 1
            return
        }
        var replay = Replay(
            conversation: conversation, number: conversationsSeen, key: key, machine: machine,
            options: options, seed: seeds.next(), missRoom: options.maxMisses - misses.count)
        replay.run()
        metrics[key, default: EvaluationMetrics()].merge(replay.metrics)
        misses += replay.misses
    }
}


/// One conversation's replay through one emulator.
private struct Replay {
    let conversation: Conversation
    let number: Int
    let key: MachineKey
    let options: EvaluationOptions
    var emulator: Emulator<SplitMix64>
    var metrics = EvaluationMetrics()
    var misses: [EvaluationMiss] = []
    var missRoom: Int

    init(conversation: Conversation, number: Int, key: MachineKey, machine: CompiledMachine, options: EvaluationOptions, seed: UInt64, missRoom: Int) {
        self.conversation = conversation
        self.number = number
        self.key = key
        self.options = options
        // Time fields are written at the moment the real server answered (see `answerTime`).
        self.emulator = Emulator(machine: machine, options: options.emulation, seed: seed, wallClock: .fixed(conversation.start.nanoseconds),
                                 conversationNumber: Int64(number - 1))
        emulator.recordsFieldRanges = true
        emulator.clientAddress = Array(conversation.client.address.description.utf8)
        self.missRoom = max(0, missRoom)
    }

    mutating func run() {
        metrics.conversations = 1
        let messages = conversation.messages
        var firstUnmatched: Int?
        defer {
            if let firstUnmatched {
                metrics.divergenceDepth[firstUnmatched] = 1
            } else {
                metrics.completedConversations = 1
            }
        }
        guard !messages.isEmpty else { return }

        var index = 0
        emulator.wallClock = .fixed(answerTime(at: 0, otherwise: conversation.start.nanoseconds))
        var sentBefore = emulator.sentByteCount
        let realBanner = serverBytes(from: &index)
        let emulatedBanner = sentBytes(emulator.connect())
        if !realBanner.isEmpty || !emulatedBanner.isEmpty {
            compare(real: realBanner, emulated: emulatedBanner, sentBefore: sentBefore)
        }

        var requestNumber = 0
        while index < messages.count {
            let message = messages[index]
            index += 1
            requestNumber += 1
            let actions: [EmulatorAction]
            emulator.wallClock = .fixed(answerTime(at: index, otherwise: message.timestamp.nanoseconds))
            sentBefore = emulator.sentByteCount
            if key.transport == .udp {
                actions = emulator.receiveDatagram(message.payload)
            } else {
                actions = emulator.receive(message.payload, now: message.timestamp.nanoseconds) + emulator.flush()
            }
            let realAnswer = serverBytes(from: &index)
            metrics.requests += 1
            var decisions = 0
            var allMatched = true
            var answeredBytes = 0
            for action in actions {
                switch action {
                case .matched(let request, _, _, _):
                    decisions += 1
                    answeredBytes += request.count
                case .noMatch(let request, let state, let closest):
                    decisions += 1
                    answeredBytes += request.count
                    allMatched = false
                    recordMiss(request: request, state: state, closest: closest, requestNumber: requestNumber, realAnswer: realAnswer)
                case .send, .close, .limitHit:
                    break
                }
            }
            // The model closed before taking all of the message (requests pipelined behind one
            // it closed after): the rest went unanswered, so the message did not match.
            if emulator.isClosed && answeredBytes < message.payload.count { allMatched = false }
            if decisions > 0 && allMatched {
                metrics.matchedRequests += 1
            } else if firstUnmatched == nil {
                firstUnmatched = requestNumber
            }
            compare(real: realAnswer, emulated: sentBytes(actions), sentBefore: sentBefore)
        }
    }

    /// When the real server's answer starting at `index` began, or `otherwise` when no server
    /// message is there: the moment the model's time fields are written for.
    private func answerTime(at index: Int, otherwise: Int64) -> Int64 {
        let messages = conversation.messages
        return index < messages.count && messages[index].direction == .server ? messages[index].timestamp.nanoseconds : otherwise
    }

    /// The server messages from `index` up to the next client message, concatenated.
    private func serverBytes(from index: inout Int) -> [UInt8] {
        var bytes: [UInt8] = []
        let messages = conversation.messages
        while index < messages.count && messages[index].direction == .server {
            bytes += messages[index].payload
            index += 1
        }
        return bytes
    }

    private func sentBytes(_ actions: [EmulatorAction]) -> [UInt8] {
        var bytes: [UInt8] = []
        for case .send(let message) in actions { bytes += message }
        return bytes
    }

    /// `sentBefore`: the emulator's `sentByteCount` before the answer, to find its varying
    /// ranges.
    private mutating func compare(real: [UInt8], emulated: [UInt8], sentBefore: Int) {
        let fields = emulator.fieldRanges.reversed().prefix { $0.range.lowerBound >= sentBefore }
            .map { (range: ($0.range.lowerBound - sentBefore)..<($0.range.upperBound - sentBefore), variesByItself: $0.variesByItself) }
        let comparison = ResponseComparison(real: real, emulated: emulated, varying: fields.filter(\.variesByItself).map(\.range),
                                            fields: fields.map(\.range), prefixBytes: options.similarityPrefixBytes)
        metrics.comparedResponses += 1
        if comparison.isExact { metrics.exactResponses += 1 }
        if comparison.isEquivalent { metrics.equivalentResponses += 1 }
        if comparison.fitsTemplate {
            metrics.templateResponses += 1
            if comparison.isEquivalent { metrics.equivalentTemplateResponses += 1 }
        }
        metrics.responseSimilaritySum += comparison.similarity
    }

    private mutating func recordMiss(request: [UInt8], state: StateID, closest: ClosestEdge?, requestNumber: Int, realAnswer: [UInt8]) {
        guard missRoom > 0 else { return }
        missRoom -= 1
        let machine = emulator.machine.machine
        misses.append(EvaluationMiss(
            transport: key.transport, port: key.port, client: conversation.client, server: conversation.server,
            conversation: number, request: requestNumber,
            requestBytes: Array(request.prefix(options.missBytes)), requestByteCount: request.count,
            state: state, stateReply: machine.states[state].defaultReply,
            closest: closest, closestPattern: closest.map { machine.states[state].edges[$0.edge].pattern },
            realResponse: Array(realAnswer.prefix(options.missBytes)), realResponseByteCount: realAnswer.count))
    }
}
