import ScriptGenModel

/// What the emulator asks its driver to do (`send`, `close`) or to log (the other cases), in
/// the order given.
public enum EmulatorAction: Hashable, Sendable {
    /// Send these bytes (one TCP write, or one UDP datagram).
    case send([UInt8])
    /// Close the connection; the emulator ignores all further input.
    case close
    /// A complete request followed `edge` of state `from` to state `to`; its reply follows.
    case matched(request: [UInt8], edge: Int, from: StateID, to: StateID)
    /// A complete request matched no edge of `state`. `closest` is the most similar edge, if the
    /// state has any; `closest.followed` tells whether the `.closest` policy used it (then its
    /// reply follows). Under `.close` a `.close` action follows.
    case noMatch(request: [UInt8], state: StateID, closest: ClosestEdge?)
    /// Input reached a limit in `state`; the request was cut at `byteCount` bytes and is
    /// reported next as `matched` or `noMatch`.
    case limitHit(EmulatorLimit, state: StateID, byteCount: Int)
}

/// The edge most similar to an unmatched request.
public struct ClosestEdge: Hashable, Sendable {
    /// Index into the state's `edges`.
    public var edge: Int
    public var target: StateID
    /// `CompiledPattern.similarity(to:)`, 0...1.
    public var score: Double
    /// Whether the emulator answered as this edge (the `.closest` policy with its threshold met).
    public var followed: Bool

    public init(edge: Int, target: StateID, score: Double, followed: Bool) {
        self.edge = edge
        self.target = target
        self.score = score
        self.followed = followed
    }
}

/// The limits an emulator enforces.
public enum EmulatorLimit: String, Hashable, Sendable {
    /// `EmulationOptions.maxRequestBytes`.
    case maxRequestBytes
}
