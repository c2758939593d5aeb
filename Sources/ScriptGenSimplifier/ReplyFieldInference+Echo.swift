import ScriptGenModel

/// Echoes and lengths (docs/simplifier.md, *Reply fields*): request text of any length that
/// the reply repeats, and the binary length fields that count the bytes after them.
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
    /// A length field sits in the first this-many bytes of a message (a header).
    static let maxLengthFieldOffset = 8
    /// …and counts from at most this many bytes after itself to the end.
    static let maxLengthSpanGap = 8
    /// Share of the machine's reply messages a framing rule must hold for.
    static let minFramingShare = 0.9

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

    /// Binary length fields of the machine's framing: at one offset (below
    /// `maxLengthFieldOffset`), in one encoding, counting the bytes from one offset (at most
    /// `maxLengthSpanGap` past the field) to the end of the message, in at least
    /// `minFramingShare` of the `messages` long enough to hold it, of at least two lengths;
    /// none overlapping, lowest offset first.
    static func framingRules(_ messages: [[UInt8]], options: SimplifierOptions) -> [LengthFraming] {
        var rules: [LengthFraming] = []
        for offset in 0..<maxLengthFieldOffset {
            for width in [4, 3, 2] {
                for bigEndian in [true, false] {
                    let encoding = NumberEncoding.binary(width: width, bigEndian: bigEndian)
                    let applicable = messages.filter { $0.count >= offset + width }
                    guard applicable.count >= max(1, options.minFieldObservations) else { continue }
                    // The span start each message implies; the most common one is the rule's.
                    var starts: [Int: Int] = [:]
                    for message in applicable {
                        guard let value = encoding.value(of: message[offset..<(offset + width)]) else { continue }
                        let start = message.count - Int(truncatingIfNeeded: value)
                        if start >= offset + width, start <= offset + width + maxLengthSpanGap { starts[start, default: 0] += 1 }
                    }
                    guard let (start, count) = starts.max(by: { ($0.value, -$0.key) < ($1.value, -$1.key) }),
                          Double(count) >= minFramingShare * Double(applicable.count) else { continue }
                    let rule = LengthFraming(offset: offset, encoding: encoding, spanStart: start)
                    guard Set(applicable.filter(rule.holds).map(\.count)).count >= 2,
                          !rules.contains(where: { $0.offset < offset + width && offset < $0.offset + $0.width }) else { continue }
                    rules.append(rule)
                }
            }
        }
        return rules
    }

    /// `reply`'s fields with a length field for each framing rule that holds in a message
    /// whose echo can change its length; nothing changes for replies of fixed length.
    static func framedLengths(_ rules: [LengthFraming], in reply: ObservedReply) -> [ReplyField] {
        var fields = reply.fields
        for (index, message) in reply.reply.messages.enumerated() {
            guard fields.contains(where: { field in
                guard field.message == index, case .requestText = field.source else { return false }
                return true
            }) else { continue }
            for rule in rules where rule.holds(in: message) {
                guard !fields.covers(rule.offset..<(rule.offset + rule.width), in: index) else { continue }
                fields.append(ReplyField(message: index, offset: rule.offset, length: rule.width, source: .length(rule.encoding, spanStart: rule.spanStart)))
            }
        }
        return fields.inPositionOrder
    }
}

/// Replies that name their client (docs/simplifier.md, *Reply fields*): the address it
/// connected from, as text.
extension ReplyFieldInference {
    /// Bytes just before a client address that tell where a reply names its client.
    static let addressContextLength = 2

    /// The contexts (the `addressContextLength` bytes before it) after which replies observed
    /// by one client hold that client's address, as a whole token, for at least two clients
    /// and `minFieldObservations` replies.
    static func clientAddressContexts(_ samples: [Sample], options: SimplifierOptions) -> Set<[UInt8]> {
        var addresses: [[UInt8]: Set<[UInt8]>] = [:]
        var replies: [[UInt8]: Int] = [:]
        for sample in samples where sample.clients.count == 1 {
            let address = sample.clients[0]
            guard address.count >= 3 else { continue }
            var seen: Set<[UInt8]> = []
            for message in sample.reply.messages {
                let scanned = message.prefix(maxScannedBytes)
                var start = 0
                while let found = scanned[start...].firstRange(of: address) {
                    start = found.lowerBound + 1
                    guard found.lowerBound >= addressContextLength, !isAddressByte(at: found.lowerBound - 1, in: message),
                          !isAddressByte(at: found.upperBound, in: message) else { continue }
                    seen.insert(Array(message[(found.lowerBound - addressContextLength)..<found.lowerBound]))
                }
            }
            for context in seen {
                addresses[context, default: []].insert(address)
                replies[context, default: 0] += 1
            }
        }
        return Set(addresses.keys.filter { addresses[$0]!.count >= 2 && replies[$0]! >= max(1, options.minFieldObservations) })
    }

    /// `reply`'s fields with a client address field wherever a context is followed by an
    /// address-like token (IPv4 or IPv6 text) that no field covers.
    static func clientAddresses(_ contexts: Set<[UInt8]>, in reply: ObservedReply) -> [ReplyField] {
        var fields = reply.fields
        for (index, message) in reply.reply.messages.enumerated() {
            let scanned = message.prefix(maxScannedBytes)
            for context in contexts.sorted(by: { $0.lexicographicallyPrecedes($1) }) {
                var start = 0
                while let found = scanned[start...].firstRange(of: context) {
                    start = found.upperBound
                    var end = found.upperBound
                    while end < scanned.count, isAddressByte(at: end, in: message), end - found.upperBound < 45 { end += 1 }
                    let token = message[found.upperBound..<end]
                    let isIPv4 = token.count >= 7 && token.filter { $0 == UInt8(ascii: ".") }.count == 3 && token.allSatisfy { $0 == UInt8(ascii: ".") || (0x30...0x39).contains($0) }
                    let isIPv6 = token.count >= 2 && token.contains(UInt8(ascii: ":"))
                    guard isIPv4 || isIPv6, !isAddressByte(at: end, in: message),
                          !fields.covers(found.upperBound..<end, in: index) else { continue }
                    fields.append(ReplyField(message: index, offset: found.upperBound, length: token.count, source: .clientAddress))
                }
            }
        }
        return fields.inPositionOrder
    }

    /// Digits, hex letters, `.` and `:`: bytes of an address's text.
    private static func isAddressByte(at offset: Int, in bytes: [UInt8]) -> Bool {
        guard offset >= 0, offset < bytes.count else { return false }
        let byte = bytes[offset]
        return (0x30...0x3A).contains(byte) || byte == 0x2E || (0x41...0x46).contains(byte) || (0x61...0x66).contains(byte)
    }
}
