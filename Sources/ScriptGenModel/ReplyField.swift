/// A byte range of a reply message that the real server derived from something else, filled in
/// each time the reply is sent (docs/model-format.md, *Reply fields*). The message keeps the
/// bytes of one observation as an example; a field's range replaces them.
public struct ReplyField: Hashable, Sendable {
    public enum Source: Hashable, Sendable {
        /// The bytes of the request that led to this state, from `offset` (a transaction id,
        /// an echoed name): the server copied them.
        case request(offset: Int)
    }

    /// Index of the message in the reply.
    public var message: Int
    /// First byte of the field in that message.
    public var offset: Int
    public var length: Int
    public var source: Source

    public init(message: Int, offset: Int, length: Int, source: Source) {
        self.message = message
        self.offset = offset
        self.length = length
        self.source = source
    }

    /// The field's class as `inspect` and `learn` name it.
    public var className: String {
        switch source {
        case .request: "copy"
        }
    }
}

extension Reply {
    /// The messages with `fields` filled in for `request`. A field whose source lies beyond the
    /// request (a shorter request than any observed) keeps the example bytes.
    public func rendered(_ fields: [ReplyField], request: [UInt8]) -> [[UInt8]] {
        guard !fields.isEmpty else { return messages }
        var messages = messages
        for field in fields where messages.indices.contains(field.message) {
            guard field.offset >= 0, field.length >= 0, field.offset + field.length <= messages[field.message].count else { continue }
            switch field.source {
            case .request(let source):
                guard source >= 0, source + field.length <= request.count else { continue }
                messages[field.message].replaceSubrange(field.offset..<(field.offset + field.length),
                                                        with: request[source..<(source + field.length)])
            }
        }
        return messages
    }
}
