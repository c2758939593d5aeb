import ScriptGenModel

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
