import ScriptGenModel

/// Binary length fields that frame messages (docs/simplifier.md, *Reply fields* and *Request
/// framing*): written again in replies around an echo, and learned for requests so the
/// emulator knows where one ends.
enum LengthFramingInference {
    /// A length field sits in the first this-many bytes of a message (a header).
    static let maxLengthFieldOffset = 8
    /// …and counts from at most this many bytes after itself to the end.
    static let maxLengthSpanGap = 8
    /// Share of the messages a framing rule must hold for.
    static let minFramingShare = 0.9

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
