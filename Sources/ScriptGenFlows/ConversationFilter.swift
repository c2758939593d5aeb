import ScriptGenCapture

/// An address or a network in CIDR notation (`10.0.0.0/8`, `2001:db8::/32`, `192.0.2.7`).
public struct AddressRange: Hashable, Sendable, CustomStringConvertible {
    public var network: IPAddress
    public var prefixLength: Int

    public init?(_ text: String) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let address = IPAddress(parts[0]) else { return nil }
        let length: Int
        if parts.count == 2 {
            guard let parsed = Int(parts[1]), (0...address.bitWidth).contains(parsed) else { return nil }
            length = parsed
        } else {
            length = address.bitWidth
        }
        self.network = address
        self.prefixLength = length
    }

    public func contains(_ address: IPAddress) -> Bool {
        switch (network, address) {
        case (.v4(let net), .v4(let value)):
            guard prefixLength > 0 else { return true }
            let mask = UInt32.max << UInt32(32 - prefixLength)
            return net & mask == value & mask
        case (.v6(let netHigh, let netLow), .v6(let high, let low)):
            if prefixLength <= 64 {
                guard prefixLength > 0 else { return true }
                let mask = UInt64.max << UInt64(64 - prefixLength)
                return netHigh & mask == high & mask
            }
            let mask = prefixLength == 128 ? UInt64.max : UInt64.max << UInt64(128 - prefixLength)
            return netHigh == high && netLow & mask == low & mask
        default:
            return false
        }
    }

    public var description: String {
        prefixLength == network.bitWidth ? network.description : "\(network)/\(prefixLength)"
    }
}

/// Which conversations to keep: by server port and by server address or network.
/// Empty sets keep everything.
public struct ConversationFilter: Sendable, Hashable {
    public var ports: Set<UInt16>
    public var servers: [AddressRange]

    public init(ports: Set<UInt16> = [], servers: [AddressRange] = []) {
        self.ports = ports
        self.servers = servers
    }

    public var keepsEverything: Bool { ports.isEmpty && servers.isEmpty }

    /// Cheap test before reassembly: could this packet belong to a kept conversation?
    public func mightKeep(_ packet: DecodedPacket) -> Bool {
        if !ports.isEmpty, !ports.contains(packet.sourcePort), !ports.contains(packet.destinationPort) { return false }
        if !servers.isEmpty, !servers.contains(where: { $0.contains(packet.source) || $0.contains(packet.destination) }) { return false }
        return true
    }

    /// The final decision, once the server side is known.
    public func keeps(_ conversation: Conversation) -> Bool {
        if !ports.isEmpty, !ports.contains(conversation.server.port) { return false }
        if !servers.isEmpty, !servers.contains(where: { $0.contains(conversation.server.address) }) { return false }
        return true
    }
}
