import ScriptGenModel

// Helpers for crafting messages, replies and patterns in the tests of every module: one
// home instead of a copy per test target.

/// The UTF-8 bytes of `text`.
public func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

/// A reply of one message per text, observed `count` times.
public func reply(_ messages: String..., count: Int = 1) -> ObservedReply {
    ObservedReply(reply: Reply(messages: messages.map(bytes)), count: count)
}

/// `prefix`, then `min...max` bytes of anything, then `suffix`.
public func gap(_ prefix: String, _ min: Int, _ max: Int, _ suffix: String) -> Pattern {
    Pattern(elements: [.fixed(bytes(prefix)), .variable(min: min, max: max), .fixed(bytes(suffix))])
}
