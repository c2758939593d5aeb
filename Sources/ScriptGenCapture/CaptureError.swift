/// A fatal problem with a capture file: what went wrong and at which byte offset.
///
/// `description` reads `offset 1234: record length 4294967295 exceeds the limit 262144`; the
/// CLI prefixes the file name. Every frame before `offset` has already been returned.
public struct CaptureError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A stable, extensible error code (`rawValue` is a short name for scripts and tests).
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// The input has no bytes at all.
        public static let emptyFile = Code(rawValue: "empty-file")
        /// The first four bytes are neither a pcap nor a pcapng magic.
        public static let notACaptureFile = Code(rawValue: "not-a-capture-file")
        /// The file ends inside the pcap file header or the first pcapng block.
        public static let truncatedFileHeader = Code(rawValue: "truncated-file-header")
        /// A pcap major version other than 2 or a pcapng major version other than 1.
        public static let unsupportedVersion = Code(rawValue: "unsupported-version")
        /// The file ends inside a pcap record.
        public static let truncatedRecord = Code(rawValue: "truncated-record")
        /// A pcap record claims more captured bytes than `CaptureReader.Options.maxRecordLength`.
        public static let recordTooLong = Code(rawValue: "record-too-long")
        /// A pcapng block length below 12, not a multiple of 4, over the limit, or a trailing
        /// length that differs from the leading one.
        public static let badBlockLength = Code(rawValue: "bad-block-length")
        /// The file ends inside a pcapng block.
        public static let truncatedBlock = Code(rawValue: "truncated-block")
        /// A pcapng block whose contents contradict its length (captured length beyond the block).
        public static let badBlockContent = Code(rawValue: "bad-block-content")
        /// A pcapng Section Header Block with an unknown byte-order magic.
        public static let badByteOrderMagic = Code(rawValue: "bad-byte-order-magic")
        /// A pcapng packet refers to an interface no Interface Description Block declared.
        public static let unknownInterface = Code(rawValue: "unknown-interface")
    }

    public var code: Code
    /// Byte offset in the (decompressed) input where the bad record or field starts.
    public var offset: Int
    /// Human-readable reason, without the offset.
    public var reason: String

    public init(code: Code, offset: Int, reason: String) {
        self.code = code
        self.offset = offset
        self.reason = reason
    }

    public var description: String { "offset \(offset): \(reason)" }
}
