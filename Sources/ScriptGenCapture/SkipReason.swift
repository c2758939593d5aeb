/// Why a frame did not yield a TCP/UDP packet. `rawValue` is the stable short name shown in
/// the CLI summary (`skipped: 12 non-ip, 3 truncated-header`).
public enum SkipReason: String, Hashable, Sendable, CaseIterable, CustomStringConvertible {
    /// A link-layer frame carrying something other than IPv4/IPv6 (ARP, LLC, LLDP...).
    case nonIP = "non-ip"
    /// A link type the decoder does not know.
    case unsupportedLinkType = "unsupported-link-type"
    /// Snaplen or the frame itself ends inside a link, IP or transport header.
    case truncatedHeader = "truncated-header"
    /// An IP header that contradicts itself (wrong version, header length below the minimum,
    /// total length below the header length, malformed IPv6 extension header).
    case badIPHeader = "bad-ip-header"
    /// A TCP data offset or UDP length that contradicts the IP lengths.
    case badTransportHeader = "bad-transport-header"
    /// Neither TCP nor UDP (ICMP, ESP, SCTP...).
    case unsupportedTransport = "unsupported-transport"
    /// A fragment whose datagram exceeds `maxDatagramBytes` or `maxFragmentsPerDatagram`, or
    /// that was evicted because `maxPendingDatagrams` were already held.
    case fragmentLimit = "fragment-limit"
    /// A fragment whose datagram did not complete within `fragmentTimeout` of capture time.
    case fragmentTimeout = "fragment-timeout"
    /// A fragment cut by snaplen: it cannot be reassembled.
    case fragmentTruncated = "fragment-truncated"
    /// A fragment whose datagram was still incomplete at the end of the capture (`finish()`).
    case fragmentIncomplete = "fragment-incomplete"

    public var description: String { rawValue }
}

/// What `PacketDecoder.decode` made of one frame.
public enum DecodeOutcome: Sendable {
    /// A TCP segment or UDP datagram (possibly reassembled from IP fragments).
    case packet(DecodedPacket)
    /// An IP fragment held until its datagram is complete. If the datagram never completes,
    /// the fragment is counted later in `PacketDecoder.discardedFragments`.
    case pending
    case skipped(SkipReason)
}
