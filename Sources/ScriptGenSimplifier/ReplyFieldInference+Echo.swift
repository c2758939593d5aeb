import ScriptGenModel

/// Echoes (docs/simplifier.md, *Reply fields*): request text of any length that the reply
/// repeats.
extension ReplyFieldInference {
    /// Echoes shorter than this are not taken: two letters agreeing is chance.
    static let minEchoLength = 3
    /// Bytes of a request before its echoed text tried as the context that finds it, at
    /// least and at most.
    static let minEchoContext = 2
    static let maxEchoContext = 8
    /// Bytes after an echo that must follow it in every observation.
    static let echoFollowers = 4
    /// Only the first this-many bytes of a request are searched for echoed text.
    static let maxScannedRequestBytes = 2048

    /// The request text each observation's reply repeats at one offset, found through the
    /// bytes just before it in the request (`after`, the longest of `minEchoContext` to
    /// `maxEchoContext` that finds it in every observation) up to the byte after it
    /// (`until`), followed in every reply by the bytes that follow it in the first, never
    /// cut inside a word; at least `minFieldValues` distinct texts. Bytes already explained
    /// (`besides`) are not taken.
    static func echoFields(in group: [Sample], besides fields: [ReplyField], options: SimplifierOptions) -> [ReplyField] {
        guard let first = group.first, group.count >= max(1, options.minFieldObservations) else { return [] }
        var echoes: [ReplyField] = []
        let request = Array(first.request.prefix(maxScannedRequestBytes))
        guard request.count >= minEchoLength else { return [] }
        // Where each 3-byte sequence occurs in the first request.
        var positions: [UInt32: [Int]] = [:]
        for index in 0...(request.count - minEchoLength) {
            let key = UInt32(request[index]) << 16 | UInt32(request[index + 1]) << 8 | UInt32(request[index + 2])
            if positions[key, default: []].count < 16 { positions[key, default: []].append(index) }
        }
        for message in first.reply.messages.indices {
            let reply = Array(first.reply.messages[message].prefix(maxScannedBytes))
            var covered = [Bool](repeating: false, count: reply.count)
            for field in fields where field.message == message {
                for offset in field.offset..<min(reply.count, field.offset + field.length) { covered[offset] = true }
            }
            var offset = 0
            while offset + minEchoLength <= reply.count {
                let key = UInt32(reply[offset]) << 16 | UInt32(reply[offset + 1]) << 8 | UInt32(reply[offset + 2])
                var best: ReplyField?
                for source in positions[key] ?? [] {
                    var length = 0
                    while offset + length < reply.count, source + length < request.count, !covered[offset + length],
                          reply[offset + length] == request[source + length] { length += 1 }
                    guard length >= minEchoLength, length > (best?.length ?? 0),
                          let echo = echo(at: offset, length: length, source: source, message: message, in: group, options: options) else { continue }
                    best = echo
                }
                if let best {
                    echoes.append(best)
                    for index in best.offset..<(best.offset + best.length) { covered[index] = true }
                    offset += best.length
                } else {
                    offset += 1
                }
            }
        }
        return echoes
    }

    /// The echo of request bytes `source..<source+length` of the first observation at reply
    /// `offset`, if every observation bears it out.
    private static func echo(at offset: Int, length: Int, source: Int, message: Int, in group: [Sample], options: SimplifierOptions) -> ReplyField? {
        let request = group[0].request
        // What follows the echo in the first reply (up to `echoFollowers` bytes) follows it in
        // every reply: the text ends where the first one's does.
        let firstReply = group[0].reply.messages[message]
        let followers = firstReply[(offset + length)...].prefix(echoFollowers)
        let until: UInt8? = source + length < request.count ? request[source + length] : nil
        // The longest context that finds the text in every observation (one byte finds
        // anything); text at the very start of the request has none.
        guard source == 0 || source >= minEchoContext else { return nil }
        for contextLength in source == 0 ? [0] : Array((minEchoContext...min(maxEchoContext, source)).reversed()) {
            let after = Array(request[(source - contextLength)..<source])
            var texts: Set<[UInt8]> = []
            let holds = group.allSatisfy { sample in
                guard let text = Reply.text(of: sample.request, after: after, until: until), text.count >= 1 else { return false }
                let reply = sample.reply.messages[message]
                guard offset + text.count <= reply.count, reply[offset..<(offset + text.count)].elementsEqual(text),
                      reply[(offset + text.count)...].prefix(echoFollowers).elementsEqual(followers),
                      !splitsAWord(reply, at: offset), !splitsAWord(reply, at: offset + text.count) else { return false }
                texts.insert(text)
                return true
            }
            // The first observation's own text must be what the context finds.
            guard holds, Reply.text(of: request, after: after, until: until)?.count == length else { continue }
            guard texts.count >= max(2, options.minFieldValues) else { return nil }
            return ReplyField(message: message, offset: offset, length: length, source: .requestText(after: after, until: until))
        }
        return nil
    }

    /// Whether `offset` falls between two letters or digits of `bytes` (`Hel|lo`): an echo
    /// that begins or ends there is letters agreeing by chance.
    static func splitsAWord(_ bytes: [UInt8], at offset: Int) -> Bool {
        offset > 0 && offset < bytes.count && PatternBuilder.isWordByte(bytes[offset - 1]) && PatternBuilder.isWordByte(bytes[offset])
    }
}
