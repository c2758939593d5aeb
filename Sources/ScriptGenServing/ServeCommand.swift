#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ArgumentParser
import Dispatch
import ScriptGenEmulation
import ScriptGenModel
import ScriptGenServer

/// `serve MODEL...`: the honeypot, every port of the models at once.
public struct ServeCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve every port of the models at once (TCP and UDP), logging JSON events.",
        discussion: """
        Binds every port (shifted by --port-offset or moved by --map), then drops privileges \
        with --user. Each conversation runs its own emulator; limits protect the server from \
        any one client, and every hit is logged. Events (docs/events.md) go to --events, one \
        JSON object per line, in the --events-format an operator's pipeline reads, and with \
        --hpfeeds also to an HPFeeds broker. SIGHUP reopens the event file (after log \
        rotation); SIGINT/SIGTERM close open conversations, flush the log and exit.
        """
    )

    @Argument(help: "Model files.")
    public var models: [String]

    @Option(help: "Address to listen on.")
    public var listen = "0.0.0.0"

    @Option(name: .customLong("port-offset"), help: "Listen on each model port plus N (e.g. 2000: 21 -> 2021).")
    public var portOffset: Int = 0

    @Option(name: .customLong("map"), help: "Listen for model port A on port B: A=B or udp/A=B (repeatable; B=0 picks a free port).")
    public var mappings: [PortMapping] = []

    @Flag(name: .customLong("only-mapped"), help: "Serve only the ports named by --map.")
    public var onlyMapped = false

    @Option(help: "Where JSON events go: a file (appended) or - for stdout.")
    public var events = "-"

    @Option(help: "Drop privileges to this user after binding.")
    public var user: String?

    @Option(help: "Event-loop threads (default: one per core).")
    public var threads: Int?

    @Option(help: "What carries TCP: epoll (Linux, the default there) or nio (SwiftNIO). UDP always uses SwiftNIO.")
    public var engine: ServerEngine = .default

    @Option(name: .customLong("max-connections"), help: "Open conversations in total (TCP connections plus UDP flows).")
    public var maxConnections = ServerLimits.defaultMaxConnections

    @Option(name: .customLong("max-connections-per-source"), help: "Open conversations per source address.")
    public var maxConnectionsPerSource = ServerLimits.defaultMaxConnectionsPerSource

    @Option(name: .customLong("max-buffered-bytes"), help: "Answer bytes queued for a client that does not read, before it is cut off.")
    public var maxBufferedBytes = ServerLimits.defaultMaxBufferedBytes

    @Option(name: .customLong("idle-timeout"), help: "Seconds without input that end a conversation.")
    public var idleTimeout = Double(ServerLimits.defaultIdleTimeout) / 1e9

    @Option(name: .customLong("max-requests"), help: "Requests per conversation.")
    public var maxRequests = ServerLimits.defaultMaxRequests

    @Option(name: .customLong("max-duration"), help: "Seconds a conversation may last.")
    public var maxDuration = Double(ServerLimits.defaultMaxDuration) / 1e9

    @OptionGroup public var emulation: EmulationArguments

    @OptionGroup public var eventArguments: EventArguments

    @OptionGroup public var hpfeeds: HPFeedsArguments

    public init() {}

    public func validate() throws {
        guard !models.isEmpty else { throw ValidationError("give at least one model file") }
        guard portOffset == 0 || mappings.isEmpty else { throw ValidationError("use either --port-offset or --map, not both") }
        guard !onlyMapped || !mappings.isEmpty else { throw ValidationError("--only-mapped needs --map") }
        try validateSeconds(idleTimeout, option: "--idle-timeout")
        try validateSeconds(maxDuration, option: "--max-duration")
    }

    /// The ports to serve: every machine of every model, moved as the options say; two
    /// machines on one (transport, listening port) are an error.
    func servedPorts(_ files: [(path: String, model: ModelFile)]) throws -> [ServedPort] {
        var ports: [ServedPort] = []
        var taken: [String: String] = [:]
        for (path, file) in files {
            for machine in file.machines {
                let mapping = mappings.first { $0.applies(to: machine) }
                if onlyMapped && mapping == nil { continue }
                let listenPort = mapping?.listenPort ?? Int(machine.port) + portOffset
                guard (0...65_535).contains(listenPort) else {
                    throw ValidationError("\(machine.transport.rawValue)/\(machine.port) + offset \(portOffset) is not a port")
                }
                let key = "\(machine.transport.rawValue)/\(listenPort)"
                if listenPort != 0, let other = taken[key] {
                    throw ValidationError("\(path): \(key) is already served by \(other); use --map to move one")
                }
                taken[key] = "\(path) (\(machine.transport.rawValue)/\(machine.port))"
                do {
                    ports.append(ServedPort(listenPort: listenPort, machine: try CompiledMachine(machine)))
                } catch {
                    throw CommandFailure("\(path): \(machine.transport.rawValue)/\(machine.port) cannot be served: \(error)")
                }
            }
        }
        guard !ports.isEmpty else { throw ValidationError("no machine to serve") }
        return ports
    }

    public func run() throws {
        signal(SIGPIPE, SIG_IGN)
        // SIGHUP reopens the event file (below); until then it must not end the process.
        signal(SIGHUP, SIG_IGN)
        let files = try models.map { (path: $0, model: try ModelReader.read($0)) }
        let ports = try servedPorts(files)
        let serializer = eventArguments.serializer
        let publisherConfiguration = try hpfeeds.configuration()
        let log = try openEventLog(serializer)
        let publisher = publisherConfiguration.map { HPFeedsPublisher(configuration: $0, status: log) }
        if let publisher { log.mirrorLines(to: publisher) }
        let limits = ServerLimits(
            maxConnections: maxConnections, maxConnectionsPerSource: maxConnectionsPerSource, maxBufferedBytes: maxBufferedBytes,
            idleTimeout: nanoseconds(seconds: idleTimeout), maxRequests: maxRequests, maxDuration: nanoseconds(seconds: maxDuration)
        )
        let server = HoneypotServer(
            configuration: ServerConfiguration(
                listenAddress: listen, ports: ports, limits: limits, emulation: emulation.options,
                threads: threads ?? Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))), seed: emulation.seed, engine: engine
            ),
            log: log
        )
        let bound: [HoneypotServer.BoundPort]
        do {
            bound = try server.start()
        } catch {
            publisher?.close(timeout: 0)
            log.close()
            throw CommandFailure("cannot listen: \(error)")
        }
        if let user {
            do {
                let ids = try dropPrivileges(to: user)
                log.record(Event(.serverPrivilegesDropped, time: .now(), [("user", .string(user)), ("uid", .int(Int(ids.uid))), ("gid", .int(Int(ids.gid)))]))
            } catch {
                server.shutdown()
                publisher?.close(timeout: 0)
                log.close()
                throw CommandFailure("\(error)")
            }
        }
        for port in bound.sorted(by: { ($0.transport.rawValue, $0.port) < ($1.transport.rawValue, $1.port) }) {
            let hint = ClientHint.command(transport: port.transport, host: port.address, port: port.port, modelPort: port.modelPort)
            note("listening on \(port.transport.rawValue) \(port.address):\(port.port) (model \(port.transport.rawValue)/\(port.modelPort)); try: \(hint)")
        }
        note("events (\(serializer.format.rawValue), sensor \(serializer.sensor ?? "-")) to \(events == "-" ? "stdout" : events)\(publisherConfiguration.map { ", hpfeeds \($0.broker) channel \($0.channel)" } ?? ""); stop with Ctrl-C")

        // Wait for SIGINT/SIGTERM, then close everything in order.
        let stop = DispatchSemaphore(value: 0)
        var sources: [any DispatchSourceSignal] = []
        for number in [SIGINT, SIGTERM] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { stop.signal() }
            source.resume()
            sources.append(source)
        }
        // SIGHUP: reopen the event file, as logrotate's postrotate expects.
        let hangUp = DispatchSource.makeSignalSource(signal: SIGHUP, queue: .global())
        hangUp.setEventHandler { log.reopen() }
        hangUp.resume()
        sources.append(hangUp)
        stop.wait()
        note("stopping")
        server.shutdown()
        if let publisher {
            let counters = publisher.close()
            note("hpfeeds: \(counters.published) events published, \(counters.dropped) dropped (queue full), \(counters.unsent) unsent at exit, \(counters.connections) connections, \(counters.failures) failures")
        }
        log.close()
        let counters = log.counters
        if counters.dropped > 0 || counters.failedWrites > 0 {
            note("log: \(counters.dropped) lines dropped, \(counters.failedWrites) failed writes")
        }
        sources.forEach { $0.cancel() }
    }

    private func openEventLog(_ serializer: EventSerializer) throws -> EventLog {
        if events == "-" { return EventLog(fd: STDOUT_FILENO, closeWhenDone: false, serializer: serializer) }
        let fd = EventLog.openFile(events)
        guard fd >= 0 else { throw CommandFailure("\(events): cannot open the event log (\(String(cString: strerror(errno))))") }
        return EventLog(fd: fd, closeWhenDone: true, serializer: serializer, path: events)
    }

    private func note(_ text: String) {
        let line = Array("scriptgen serve: \(text)\n".utf8)
        line.withUnsafeBytes { _ = write(STDERR_FILENO, $0.baseAddress!, $0.count) }
    }
}
