import NIOCore
import Testing
@testable import ScriptGenServer

/// The log's address text (written without inet_ntop for IPv4) equals inet_ntop's.
@Suite struct AddressTextTests {
    @Test(arguments: ["0.0.0.0", "127.0.0.1", "255.255.255.255", "10.0.100.9", "1.22.203.4", "192.168.0.10", "100.10.1.0"])
    func ipv4MatchesInetNtop(_ text: String) throws {
        let address = try SocketAddress(ipAddress: text, port: 80)
        #expect(hostText(address) == text)
        #expect(hostText(address) == address.ipAddress)
    }

    @Test func everyOctetValue() throws {
        for octet in 0...255 {
            let text = "\(octet).\(255 - octet).\(octet / 2).\(octet % 10)"
            let address = try SocketAddress(ipAddress: text, port: 1)
            #expect(hostText(address) == address.ipAddress)
        }
    }

    @Test func ipv6AndUnknown() throws {
        let address = try SocketAddress(ipAddress: "::1", port: 80)
        #expect(hostText(address) == "::1")
        #expect(hostText(nil) == "unknown")
    }
}
