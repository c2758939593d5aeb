import ArgumentParser
import ScriptGenServer

extension EventFormat: ExpressibleByArgument {}

/// How events are written; shared by `serve` and `respond`.
public struct EventArguments: ParsableArguments {
    @Option(name: .customLong("events-format"), help: "Event field names: native (docs/events.md), cowrie (T-Pot/Logstash) or ecs (Elastic Common Schema).")
    public var format: EventFormat = .native

    @Option(help: "The sensor name written in every event (default: the host name).")
    public var sensor: String?

    public init() {}

    public func validate() throws {
        if let sensor, sensor.isEmpty || sensor.utf8.count > 255 {
            throw ValidationError("--sensor must be 1 to 255 bytes")
        }
    }

    public var serializer: EventSerializer {
        EventSerializer(format: format, sensor: sensor ?? RunIdentity.hostName())
    }
}

/// Where `serve` also publishes its events: an HPFeeds broker.
public struct HPFeedsArguments: ParsableArguments {
    @Option(name: .customLong("hpfeeds"), help: "Also publish every event to this HPFeeds broker (HOST:PORT, [IPv6]:PORT).")
    public var broker: String?

    @Option(name: .customLong("hpfeeds-ident"), help: "The ident to authenticate as.")
    public var ident: String?

    @Option(name: .customLong("hpfeeds-secret-file"), help: "A file holding the ident's secret (one line; a trailing newline is ignored).")
    public var secretFile: String?

    @Option(name: .customLong("hpfeeds-channel"), help: "The channel to publish on.")
    public var channel = "scriptgen.events"

    @Option(name: .customLong("hpfeeds-queue-bytes"), help: "Bytes of events waiting for the broker before new ones are dropped (counted; an event larger than this is always dropped).")
    public var queueBytes = 8 << 20

    public init() {}

    public func validate() throws {
        guard let broker else {
            guard ident == nil, secretFile == nil else { throw ValidationError("--hpfeeds-ident and --hpfeeds-secret-file need --hpfeeds") }
            return
        }
        _ = try Self.split(broker)
        guard let ident, !ident.isEmpty, ident.utf8.count <= HPFeedsWire.maximumNameBytes else {
            throw ValidationError("--hpfeeds needs --hpfeeds-ident (1 to 255 bytes)")
        }
        guard secretFile != nil else { throw ValidationError("--hpfeeds needs --hpfeeds-secret-file") }
        guard !channel.isEmpty, channel.utf8.count <= HPFeedsWire.maximumNameBytes else {
            throw ValidationError("--hpfeeds-channel must be 1 to 255 bytes")
        }
        guard queueBytes >= 4096 else { throw ValidationError("--hpfeeds-queue-bytes must be at least 4096") }
    }

    /// `host:port`, `[v6]:port`.
    static func split(_ text: String) throws -> (host: String, port: Int) {
        var host = Substring(text)
        guard let colon = host.lastIndex(of: ":"), let port = Int(host[host.index(after: colon)...]), (1...65_535).contains(port) else {
            throw ValidationError("--hpfeeds \(text): expected HOST:PORT")
        }
        host = host[..<colon]
        if host.hasPrefix("["), host.hasSuffix("]") { host = host.dropFirst().dropLast() }
        guard !host.isEmpty else { throw ValidationError("--hpfeeds \(text): expected HOST:PORT") }
        return (String(host), port)
    }

    /// The publisher's configuration, the secret read from its file; nil without `--hpfeeds`.
    func configuration() throws -> HPFeedsPublisher.Configuration? {
        guard let broker, let ident, let secretFile else { return nil }
        let (host, port) = try Self.split(broker)
        var secret = try FileBytes.read(secretFile, limit: 4096, what: "the HPFeeds secret")
        while let last = secret.last, last == UInt8(ascii: "\n") || last == UInt8(ascii: "\r") { secret.removeLast() }
        guard !secret.isEmpty else { throw CommandFailure("\(secretFile): the HPFeeds secret is empty") }
        var configuration = HPFeedsPublisher.Configuration(host: host, port: port, ident: ident, secret: secret, channel: channel)
        configuration.maxQueuedBytes = queueBytes
        return configuration
    }
}
