import ScriptGenModel

/// Reply fields learned from the raw tree (docs/simplifier.md, *Reply fields*): a state of the
/// simplified machine pools the replies of many raw states, each the answer to one exact
/// request path. Where replies of one number of messages differ, each differing run is
/// explained, if it can be, as a copy of the request's bytes at one offset — the same in
/// every observation, with no exception — or, where the server gave one request path
/// different answers, as the time, a counter or random bytes. The replies that then differ
/// only inside their fields are one template: one reply with the summed count, rendered per
/// request.
enum ReplyFieldInference {
    /// One observation: a request and the reply it got.
    struct Sample {
        var request: [UInt8]
        var reply: Reply
        /// The raw state: samples of one raw state answer one request path.
        var rawState: StateID = 0
        /// The client addresses (text) that observed this reply, a few at most.
        var clients: [[UInt8]] = []
    }

    /// At most this many observations of a state are compared (the first ones, in raw-state
    /// order): enough to tell a copy from chance, bounded work on huge captures.
    static let maxSamplesPerState = 256
    /// A copy reaches at most this many equal bytes beyond its varying ones: the rest of a
    /// 64-bit number, not the constant bytes that happen to follow it in request and reply.
    static let maxConstantMargin = 7
    /// At most this many observations of the whole machine are compared.
    static let maxSamplesPerMachine = 4096
    /// Only the first this-many bytes of a message are searched for fields (headers carry
    /// ids; a long page's body does not).
    static let maxScannedBytes = 4096

    struct Result {
        var machine: StateMachine
        var fieldsByClass: [String: Int] = [:]
        var repliesJoined = 0
        /// Runs of bytes that differ between observations of one reply shape and that no
        /// field explains: replayed as the example has them.
        var unexplainedRuns = 0
    }

    static func inferred(_ machine: StateMachine, raw: StateMachine, stateOfRaw: [StateID?], observers: [[Reply: [[UInt8]]]] = [],
                         options: SimplifierOptions) -> Result {
        var result = Result(machine: machine)
        guard options.replyFields, machine.transport == raw.transport else { return result }
        // In the raw tree each state has one incoming edge, with an exact request.
        var incoming = [[UInt8]?](repeating: nil, count: raw.states.count)
        for state in raw.states {
            for edge in state.edges where edge.target < incoming.count {
                if let bytes = edge.pattern.exactBytes { incoming[edge.target] = bytes }
            }
        }
        // The root answers the connection: its request is empty.
        incoming[StateMachine.root] = []
        var samples = [[Sample]](repeating: [], count: machine.states.count)
        for rawState in raw.states.indices {
            guard rawState < stateOfRaw.count, let state = stateOfRaw[rawState], state < samples.count,
                  let request = incoming[rawState] else { continue }
            for observed in raw.states[rawState].replies where !observed.reply.messages.isEmpty {
                if samples[state].count < maxSamplesPerState {
                    let clients = rawState < observers.count ? observers[rawState][observed.reply] ?? [] : []
                    samples[state].append(Sample(request: request, reply: observed.reply, rawState: rawState, clients: clients))
                }
            }
        }
        // The whole machine's observations, for replies of states seen too rarely to tell: a
        // transaction id is copied in every state of a protocol.
        var machineFields: [Int: [ReplyField]] = [:]
        let everySample = Array(samples.joined().prefix(maxSamplesPerMachine))
        for state in machine.states.indices where !samples[state].isEmpty {
            var replies = result.machine.states[state].replies
            // Replies of one shape (their message lengths) are compared byte by byte; when too
            // few share a reply's shape, those of its number of messages, over the length they
            // all have (ids sit at fixed offsets of a header, whatever follows it); when too
            // few of those, the machine's, as far as this state's observations agree.
            var fieldsOfShape: [[Int]: [ReplyField]] = [:]
            var fieldsOfCount: [Int: [ReplyField]] = [:]
            for index in replies.indices {
                let messages = replies[index].reply.messages
                let shape = messages.map(\.count)
                if fieldsOfShape[shape] == nil {
                    let group = samples[state].filter { $0.reply.messages.map(\.count) == shape }
                    fieldsOfShape[shape] = inferredFields(group, selfVarying: true, options: options)
                }
                if fieldsOfCount[messages.count] == nil {
                    let group = samples[state].filter { $0.reply.messages.count == messages.count }
                    var fields = inferredFields(group, options: options)
                    if fields.isEmpty {
                        if machineFields[messages.count] == nil {
                            machineFields[messages.count] = inferredFields(everySample.filter { $0.reply.messages.count == messages.count }, options: options)
                        }
                        // Only copies: the other classes need this state's own evidence.
                        fields = (machineFields[messages.count] ?? []).filter { field in
                            !field.variesByItself && group.allSatisfy { holds(field, in: $0) }
                        }
                    }
                    fieldsOfCount[messages.count] = fields
                }
                // Those of its shape, and those of its number of messages (an echo of another
                // length) where they fit and overlap none of them.
                let ofShape = fieldsOfShape[shape] ?? []
                let ofCount = (fieldsOfCount[messages.count] ?? []).filter { field in
                    field.offset + field.length <= messages[field.message].count
                        && !ofShape.covers(field.offset..<(field.offset + field.length), in: field.message)
                }
                replies[index].fields = (ofShape + ofCount).inPositionOrder
            }
            result.machine.states[state].replies = replies
        }
        // A date learned in one state is the time wherever the same bytes lead up to a date of
        // its layout, also in replies seen too rarely to tell (a page's `Date` header).
        let anchors = timeAnchors(in: result.machine)
        // The machine's binary framing, written again where an echo changes a reply's length.
        let framing = LengthFramingInference.framingRules(everySample.flatMap(\.reply.messages), options: options)
        // Where replies name their client.
        let addressContexts = clientAddressContexts(Array(samples.joined()), options: options)
        for state in result.machine.states.indices {
            var replies = result.machine.states[state].replies
            if !addressContexts.isEmpty {
                for index in replies.indices { replies[index].fields = clientAddresses(addressContexts, in: replies[index]) }
            }
            if !anchors.isEmpty {
                for index in replies.indices { replies[index].fields = anchoredTimes(anchors, in: replies[index]) }
            }
            if !framing.isEmpty {
                for index in replies.indices { replies[index].fields = LengthFramingInference.framedLengths(framing, in: replies[index]) }
            }
            result.unexplainedRuns += unexplainedRuns(in: state < samples.count ? samples[state] : [], replies: replies)
            let joined = joinedTemplates(replies)
            result.repliesJoined += replies.count - joined.count
            for reply in joined {
                for field in reply.fields { result.fieldsByClass[field.className, default: 0] += 1 }
            }
            result.machine.states[state].replies = joined
        }
        return result
    }

    /// A learned text date with the bytes just before it.
    struct TimeAnchor: Hashable {
        var context: [UInt8]
        var layout: DateLayout
        var utcOffsetMinutes: Int
    }

    /// At least this many bytes before a date, at most `maxAnchorContext`, tell where the time
    /// is written (`\r\nDate: `), not a file's date of the same layout (`Last-Modified: `).
    static let minAnchorContext = 4
    static let maxAnchorContext = 8

    static func timeAnchors(in machine: StateMachine) -> Set<TimeAnchor> {
        var anchors: Set<TimeAnchor> = []
        for state in machine.states {
            for reply in state.replies {
                for field in reply.fields {
                    guard case .time(.text(let layout, let zone)) = field.source, field.offset >= minAnchorContext else { continue }
                    let message = reply.reply.messages[field.message]
                    let context = Array(message[max(0, field.offset - maxAnchorContext)..<field.offset])
                    anchors.insert(TimeAnchor(context: context, layout: layout, utcOffsetMinutes: zone))
                }
            }
        }
        return anchors
    }

    /// `reply`'s fields with a time field added wherever an anchor's context is followed by a
    /// date of its layout (in the first `maxScannedBytes` of a message) that no field covers.
    static func anchoredTimes(_ anchors: Set<TimeAnchor>, in reply: ObservedReply) -> [ReplyField] {
        var fields = reply.fields
        for (index, message) in reply.reply.messages.enumerated() {
            let scanned = message.prefix(maxScannedBytes)
            for anchor in anchors.sorted(by: { $0.context.lexicographicallyPrecedes($1.context) }) {
                var start = 0
                while let found = scanned[start...].firstRange(of: anchor.context) {
                    start = found.upperBound
                    let range = found.upperBound..<(found.upperBound + anchor.layout.length)
                    guard range.upperBound <= message.count, let parsed = anchor.layout.parse(message, at: range.lowerBound),
                          parsed.utcOffsetMinutes == anchor.utcOffsetMinutes,
                          !fields.covers(range, in: index)
                    else { continue }
                    fields.append(ReplyField(message: index, offset: range.lowerBound, length: range.count,
                                             source: .time(.text(anchor.layout, utcOffsetMinutes: anchor.utcOffsetMinutes))))
                }
            }
        }
        return fields.inPositionOrder
    }

    /// Per reply shape of the state (observed at least twice), the runs of bytes that differ
    /// between its observations and that no field of the state's first reply of that shape
    /// covers.
    static func unexplainedRuns(in samples: [Sample], replies: [ObservedReply]) -> Int {
        var runs = 0
        var counted: Set<[Int]> = []
        for reply in replies {
            let shape = reply.reply.messages.map(\.count)
            guard counted.insert(shape).inserted else { continue }
            let group = samples.filter { $0.reply.messages.map(\.count) == shape }
            guard group.count >= 2 else { continue }
            for (message, length) in shape.enumerated() {
                var inRun = false
                for offset in 0..<min(length, maxScannedBytes) {
                    let unexplained = varies(at: offset, message: message, in: group) && !reply.fields.covers(offset..<(offset + 1), in: message)
                    if unexplained && !inRun { runs += 1 }
                    inRun = unexplained
                }
            }
        }
        return runs
    }

    /// Replies equal outside their (equal) fields become one, the first kept as the example,
    /// counts summed; most frequent first, ties in their earlier order.
    static func joinedTemplates(_ replies: [ObservedReply]) -> [ObservedReply] {
        var joined: [ObservedReply] = []
        var indexOfKey: [[[UInt8]]: Int] = [:]
        for reply in replies {
            guard !reply.fields.isEmpty else {
                joined.append(reply)
                continue
            }
            let key = masked(reply)
            if let index = indexOfKey[key], joined[index].fields == reply.fields {
                joined[index].count += reply.count
            } else {
                indexOfKey[key] = joined.count
                joined.append(reply)
            }
        }
        return joined.enumerated().sorted { ($0.element.count, -$0.offset) > ($1.element.count, -$1.offset) }.map(\.element)
    }

    /// The messages with every field's bytes zeroed: equal for replies of one template.
    private static func masked(_ reply: ObservedReply) -> [[UInt8]] {
        var messages = reply.reply.messages
        for field in reply.fields {
            for offset in field.offset..<(field.offset + field.length) { messages[field.message][offset] = 0 }
        }
        return messages
    }

    /// `copyFields`, then (for replies of one shape: a date, a counter or a nonce keeps its
    /// length, where in replies of other lengths everything after a longer name moves)
    /// `selfVaryingFields` on the bytes they leave, when the group has at least
    /// `minFieldObservations` observations; sorted by message and offset.
    static func inferredFields(_ group: [Sample], selfVarying: Bool = false, options: SimplifierOptions) -> [ReplyField] {
        guard group.count >= max(1, options.minFieldObservations) else { return [] }
        let fixed = copyFields(in: group, options: options)
        let copies = (fixed + echoFields(in: group, besides: fixed, options: options)).inPositionOrder
        guard selfVarying else { return copies }
        return (copies + selfVaryingFields(in: group, besides: copies, options: options)).inPositionOrder
    }

    /// The copy fields of replies of one number of messages, over the bytes all of them have:
    /// from each varying byte, a seed of `minCopyLength` bytes equal in every sample to the
    /// request's bytes at one offset, widened while that holds (at most `maxConstantMargin`
    /// equal bytes past the varying ones). Kept when it shows at least `minFieldValues`
    /// distinct values, the requests have at least two lengths, and text ends at word
    /// boundaries.
    static func copyFields(in group: [Sample], options: SimplifierOptions) -> [ReplyField] {
        guard let first = group.first else { return [] }
        let shortestRequest = group.map(\.request.count).min() ?? 0
        var fields: [ReplyField] = []
        for message in first.reply.messages.indices {
            let length = min(group.map { $0.reply.messages[message].count }.min() ?? 0, maxScannedBytes)
            var covered = 0
            var position = 0
            // From each varying byte, a seed of `minCopyLength` bytes copied from one request
            // offset in every sample, widened both ways while the copy holds.
            while position < length {
                let seedLength = max(1, options.minCopyLength)
                // The seeds that hold this byte, leftmost first (an id's low byte varies, its
                // high byte may not).
                let seeds = varies(at: position, message: message, in: group)
                    ? (max(covered, position - seedLength + 1)...position).filter { $0 + seedLength <= length } : []
                guard let (seed, source) = seeds.lazy.compactMap({ seed in
                    copySource(of: seed..<(seed + seedLength), message: message, in: group, shortestRequest: shortestRequest).map { (seed, $0) }
                }).first else {
                    position += 1
                    continue
                }
                var start = seed
                var sourceStart = source
                while start > covered, sourceStart > 0, copies(start - 1, from: sourceStart - 1, message: message, in: group) {
                    start -= 1
                    sourceStart -= 1
                }
                var stop = seed + seedLength
                while stop < length, sourceStart + (stop - start) < shortestRequest,
                      copies(stop, from: sourceStart + (stop - start), message: message, in: group) {
                    stop += 1
                }
                // Equal bytes join a copy only next to varying ones, as the rest of a number
                // (an 8-byte message id whose high bytes were zero in every sample).
                let varying = (start..<stop).filter { varies(at: $0, message: message, in: group) }
                if let first = varying.first, let last = varying.last {
                    let trimmedStart = max(start, first - maxConstantMargin)
                    sourceStart += trimmedStart - start
                    start = trimmedStart
                    stop = min(stop, last + 1 + maxConstantMargin)
                }
                let values = Set(group.map { $0.reply.messages[message][start..<stop] })
                // Requests of one length are no evidence that the offset is fixed: the bytes
                // after a variable-length name move with it.
                let requestLengths = Set(group.map(\.request.count))
                guard stop - start >= options.minCopyLength, values.count >= options.minFieldValues, requestLengths.count >= 2,
                      endsAtWordBoundaries(start..<stop, message: message, in: group) else {
                    position += 1
                    continue
                }
                fields.append(ReplyField(message: message, offset: start, length: stop - start, source: .request(offset: sourceStart)))
                covered = stop
                position = stop
            }
        }
        return fields
    }

    /// Whether copy `field` copies the request in `sample`, or does not apply to it (a message
    /// too short for the field). Other classes hold wherever they apply.
    static func holds(_ field: ReplyField, in sample: Sample) -> Bool {
        guard sample.reply.messages.indices.contains(field.message),
              field.offset + field.length <= sample.reply.messages[field.message].count else { return true }
        guard case .request(let source) = field.source else { return true }
        guard source + field.length <= sample.request.count else { return false }
        return sample.request[source..<(source + field.length)] == sample.reply.messages[field.message][field.offset..<(field.offset + field.length)]
    }

    /// A copy of text begins and ends where words do, in every sample: part of a word copied
    /// (` cli` of `client.example.org`) is chance agreement of a few letters, not a copy.
    private static func endsAtWordBoundaries(_ range: Range<Int>, message: Int, in group: [Sample]) -> Bool {
        group.allSatisfy { sample in
            let bytes = sample.reply.messages[message]
            return !splitsAWord(bytes, at: range.lowerBound) && !splitsAWord(bytes, at: range.upperBound)
        }
    }

    static func varies(at offset: Int, message: Int, in group: [Sample]) -> Bool {
        let byte = group[0].reply.messages[message][offset]
        return group.contains { $0.reply.messages[message][offset] != byte }
    }

    /// Whether reply byte `offset` equals request byte `source` in every sample.
    private static func copies(_ offset: Int, from source: Int, message: Int, in group: [Sample]) -> Bool {
        group.allSatisfy { $0.request[source] == $0.reply.messages[message][offset] }
    }

    /// The request offset the run is copied from in every sample: the one nearest the run's
    /// own offset when several are (a request that repeats itself), nil when none is.
    private static func copySource(of run: Range<Int>, message: Int, in group: [Sample], shortestRequest: Int) -> Int? {
        guard shortestRequest >= run.count else { return nil }
        var best: Int?
        for source in 0...(shortestRequest - run.count) {
            if let best, abs(best - run.lowerBound) <= abs(source - run.lowerBound) { break }
            let matches = group.allSatisfy { sample in
                let reply = sample.reply.messages[message]
                return run.indices.allSatisfy { sample.request[source + $0 - run.lowerBound] == reply[$0] }
            }
            if matches, best.map({ abs(source - run.lowerBound) < abs($0 - run.lowerBound) }) ?? true { best = source }
        }
        return best
    }
}

extension [ReplyField] {
    /// Sorted by message, then offset: the order a reply's fields are kept in.
    var inPositionOrder: [ReplyField] {
        sorted { ($0.message, $0.offset) < ($1.message, $1.offset) }
    }

    /// Whether a field of message `message` overlaps `range`.
    func covers(_ range: Range<Int>, in message: Int) -> Bool {
        contains { $0.message == message && $0.offset < range.upperBound && range.lowerBound < $0.offset + $0.length }
    }
}
