/// One record of a capture file: link-layer bytes as captured, with where and when.
///
/// `data` is a slice of the reader's chunk buffer (no copy). Drop it (or copy what you keep)
/// before asking the reader for the next frame, or the reader's next refill copies its buffer.
public struct CapturedFrame: Sendable {
    public var timestamp: Timestamp
    public var linkType: LinkType
    public var data: ArraySlice<UInt8>
    /// The length of the packet on the wire; larger than `capturedLength` when snaplen cut it.
    public var originalLength: Int
    /// Byte offset of the record (pcap record header or pcapng block) in the file.
    public var fileOffset: Int
    /// The pcapng interface the packet came from (0 for classic pcap).
    public var interfaceIndex: Int

    public var capturedLength: Int { data.count }

    public init(
        timestamp: Timestamp, linkType: LinkType, data: ArraySlice<UInt8>,
        originalLength: Int? = nil, fileOffset: Int = 0, interfaceIndex: Int = 0
    ) {
        self.timestamp = timestamp
        self.linkType = linkType
        self.data = data
        self.originalLength = originalLength ?? data.count
        self.fileOffset = fileOffset
        self.interfaceIndex = interfaceIndex
    }
}
