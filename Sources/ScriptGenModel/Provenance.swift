/// Where a model came from: the captures it was learned from and how many conversations
/// they held. The CLI fills it (it reads files and computes hashes); the model only stores it.
public struct Provenance: Hashable, Sendable {
    public var captures: [CaptureProvenance]
    /// Conversations read from all captures (before filters).
    public var conversationsRead: Int
    /// Conversations that went into a machine (after filters and `--min-conversations`).
    public var conversationsUsed: Int

    public init(captures: [CaptureProvenance] = [], conversationsRead: Int = 0, conversationsUsed: Int = 0) {
        self.captures = captures
        self.conversationsRead = conversationsRead
        self.conversationsUsed = conversationsUsed
    }
}

/// One capture file a model was learned from.
public struct CaptureProvenance: Hashable, Sendable {
    /// The file name as given on the command line.
    public var name: String
    public var sizeBytes: Int
    /// SHA-256 of the file, lower-case hex.
    public var sha256: String
    /// Capture time of the first and last packet, nanoseconds since the Unix epoch (UTC);
    /// nil for a capture without packets. Written as ISO 8601 text in the file.
    public var firstPacketTime: Int64?
    public var lastPacketTime: Int64?
    /// Conversations reconstructed from this capture.
    public var conversations: Int

    public init(name: String, sizeBytes: Int, sha256: String, firstPacketTime: Int64? = nil, lastPacketTime: Int64? = nil, conversations: Int = 0) {
        self.name = name
        self.sizeBytes = sizeBytes
        self.sha256 = sha256
        self.firstPacketTime = firstPacketTime
        self.lastPacketTime = lastPacketTime
        self.conversations = conversations
    }
}
