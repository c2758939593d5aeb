import ArgumentParser
import ScriptGenCapture
import ScriptGenFlows
import ScriptGenModel

/// Options of every command that reads captures (`sessions`, `learn`, `evaluate`).
struct CaptureOptions: ParsableArguments {
    @Argument(help: "Capture files (pcap or pcapng, optionally .gz), directories, or - for stdin.")
    var captures: [String] = []

    @Option(name: .customLong("port"), help: "Keep conversations whose server port is P (repeatable).")
    var ports: [UInt16] = []

    @Option(name: .customLong("server"), help: "Keep conversations whose server is ADDR or in the network ADDR/LEN (repeatable).")
    var servers: [String] = []

    @Flag(help: "Drop TCP conversations whose handshake was not captured instead of inferring the server side.")
    var requireHandshake = false

    @Option(help: "Idle time (capture time, seconds) that ends a TCP conversation.")
    var tcpTimeout: Double = 300

    @Option(help: "Idle time (capture time, seconds) that separates UDP conversations.")
    var udpTimeout: Double = 60

    @Option(help: "Seconds after its last payload within which a server's FIN counts as closing right after its reply (longer: an idle timeout, not learned as a close).")
    var serverCloseDelay: Double = Double(FlowOptions().maxServerCloseDelay) / 1e9

    @Option(help: "Payload bytes kept per conversation; more is counted and dropped.")
    var maxConversationBytes: Int = FlowOptions().maxBytesPerConversation

    @Option(help: "Payload bytes held by all open conversations; past it the least recently active are ended early.")
    var maxTotalBytes: Int = FlowOptions().maxTotalBytes

    @Option(help: "Open conversations tracked at once; past it the least recently active are ended early.")
    var maxOpenConversations: Int = FlowOptions().maxOpenConversations

    /// Commands call this from their own `validate()`: `evaluate --sweep` reads its held-out
    /// captures from another argument, so the option group itself cannot require them.
    func requireCaptures() throws {
        guard !captures.isEmpty else { throw ValidationError("give at least one capture file, directory, or - for stdin") }
    }

    func validate() throws {
        for server in servers where AddressRange(server) == nil {
            throw ValidationError("--server \(server): expected an address or a network like 10.0.0.0/8 or 2001:db8::/32")
        }
        guard tcpTimeout > 0, udpTimeout > 0 else { throw ValidationError("timeouts must be positive") }
        guard serverCloseDelay >= 0, serverCloseDelay.isFinite else { throw ValidationError("--server-close-delay must be zero or more seconds") }
        guard maxConversationBytes > 0, maxTotalBytes > 0, maxOpenConversations > 0 else {
            throw ValidationError("limits must be positive")
        }
    }

    /// The reading options and filters as model-file parameters (`flows.*`, `filter.*`).
    var parameters: LearningParameters {
        var parameters = readingOptions.flow.parameters
        if !ports.isEmpty { parameters["filter.ports"] = .text(ports.sorted().map(String.init).joined(separator: ",")) }
        if !servers.isEmpty { parameters["filter.servers"] = .text(servers.joined(separator: ",")) }
        return parameters
    }

    var readingOptions: CaptureReadingOptions {
        var options = CaptureReadingOptions()
        options.flow.requireHandshake = requireHandshake
        options.flow.tcpIdleTimeout = .seconds(tcpTimeout)
        options.flow.udpIdleTimeout = .seconds(udpTimeout)
        options.flow.maxServerCloseDelay = .seconds(serverCloseDelay)
        options.flow.maxBytesPerConversation = maxConversationBytes
        options.flow.maxTotalBytes = maxTotalBytes
        options.flow.maxOpenConversations = maxOpenConversations
        options.filter = ConversationFilter(ports: Set(ports), servers: servers.compactMap(AddressRange.init))
        return options
    }
}
