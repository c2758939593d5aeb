#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ArgumentParser
import ScriptGenEmulation
import ScriptGenModel
import ScriptGenServer

/// `respond MODEL --port P [--udp]`: one conversation on stdin/stdout, the way honeyd runs a
/// service script.
public struct RespondCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "respond",
        abstract: "Answer one conversation on stdin/stdout, as a honeyd service script.",
        discussion: """
        stdin and stdout are the connection to the client (honeyd passes one socket as both). \
        TCP: reads until EOF and answers as the model decides; exits at EOF, when the model \
        closes, or at a limit. UDP (--udp): each read of stdin is one datagram, each answer one \
        write of at most 2048 bytes; exits after --idle-timeout without a datagram. One JSON \
        event per line goes to stderr (honeyd's service log; docs/events.md), with the \
        addresses from HONEYD_IP_SRC, HONEYD_IP_DST, HONEYD_SRC_PORT and HONEYD_DST_PORT.
        """
    )

    @Argument(help: "The model file (a path, or /dev/fd/N).")
    public var model: String

    @Option(help: "The model port to serve.")
    public var port: Int

    @Flag(help: "Serve the UDP machine of the port (default: TCP).")
    public var udp = false

    @Option(name: .customLong("idle-timeout"), help: "Seconds without input that end the conversation (default: 60 for TCP, 10 for UDP).")
    public var idleTimeout: Double?

    @Option(name: .customLong("max-duration"), help: "Seconds a conversation may last.")
    public var maxDuration: Double = Double(Responder.Options.defaultMaxDuration) / 1e9

    @Option(name: .customLong("max-requests"), help: "Requests per conversation.")
    public var maxRequests: Int = Responder.Options.defaultMaxRequests

    @Option(name: .customLong("max-datagram-bytes"), help: "Longest UDP answer (honeyd sends at most 2048 bytes).")
    public var maxDatagramBytes: Int = Responder.Options.defaultMaxDatagramBytes

    @OptionGroup public var emulation: EmulationArguments

    @OptionGroup public var eventArguments: EventArguments

    public init() {}

    public func validate() throws {
        guard (1...65_535).contains(port) else { throw ValidationError("--port must be 1...65535") }
        if let idleTimeout { try validateSeconds(idleTimeout, option: "--idle-timeout") }
        try validateSeconds(maxDuration, option: "--max-duration")
        guard maxRequests >= 1, maxDatagramBytes >= 1 else {
            throw ValidationError("--max-requests and --max-datagram-bytes must be positive")
        }
    }

    public func run() throws {
        // The client going away must not kill the process before it logs the close.
        signal(SIGPIPE, SIG_IGN)
        let transport: StateMachine.Transport = udp ? .udp : .tcp
        let file = try ModelReader.read(model)
        guard let machine = file.machine(transport: transport, port: UInt16(port)) else {
            let available = file.machines.map { "\($0.transport.rawValue)/\($0.port)" }.joined(separator: ", ")
            throw CommandFailure("\(model): no \(transport.rawValue)/\(port) machine (the model has: \(available))")
        }
        let compiled: CompiledMachine
        do {
            compiled = try CompiledMachine(machine)
        } catch {
            throw CommandFailure("\(model): the \(transport.rawValue)/\(port) machine cannot be served: \(error)")
        }
        let environment = HoneydEnvironment.current(modelPort: port, transport: transport)
        let seed = emulation.seed ?? UInt64.random(in: .min ... .max)
        // The run id makes the session unique across restarts; the process id finds the process.
        let log = DirectEventWriter(fd: STDERR_FILENO, serializer: eventArguments.serializer)
        let record = SessionRecord(session: "\(RunIdentity.make())-\(getpid())", endpoints: environment, openedAt: MonotonicClock.now(),
                                   repeatEndpoints: log.repeatsEndpoints)
        // One process per conversation under honeyd: process ids grow from one to the next, so
        // counter fields do too.
        var emulator = Emulator(machine: compiled, options: emulation.options, seed: seed, conversationNumber: Int64(getpid()))
        if environment.sourceAddress != SessionEndpoints.unknownAddress { emulator.clientAddress = Array(environment.sourceAddress.utf8) }
        var responder = Responder(
            emulator: emulator,
            record: record,
            options: Responder.Options(
                transport: transport, idleTimeout: idleTimeout.map { nanoseconds(seconds: $0) },
                maxDuration: nanoseconds(seconds: maxDuration), maxRequests: maxRequests, maxDatagramBytes: maxDatagramBytes
            ),
            log: log
        )
        _ = responder.run()
    }
}

/// The addresses honeyd hands a service script in its environment.
enum HoneydEnvironment {
    static func current(modelPort: Int, transport: StateMachine.Transport) -> SessionEndpoints {
        func variable(_ name: String) -> String? {
            getenv(name).map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 }
        }
        return SessionEndpoints(
            transport: transport,
            sourceAddress: variable("HONEYD_IP_SRC") ?? SessionEndpoints.unknownAddress,
            sourcePort: variable("HONEYD_SRC_PORT").flatMap { Int($0) } ?? 0,
            destinationAddress: variable("HONEYD_IP_DST") ?? SessionEndpoints.unknownAddress,
            destinationPort: variable("HONEYD_DST_PORT").flatMap { Int($0) } ?? modelPort,
            modelPort: modelPort
        )
    }
}
