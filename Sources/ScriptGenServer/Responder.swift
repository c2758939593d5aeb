#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ScriptGenEmulation
import ScriptGenModel

/// One conversation on a pair of descriptors, exactly as honeyd runs a service script: the
/// client's bytes come from `input`, answers go to `output` (for honeyd both are the one
/// socket to the attacker), events go to `log` (honeyd's service log is the script's stderr).
///
/// - TCP: reads until EOF, answering as the emulation core decides; quiet-time deadlines are
///   poll(2) timeouts; at EOF pending input is answered (`flush`) and the run ends; it also ends
///   when the model closes, a write fails, or a limit is hit.
/// - UDP: every read of `input` is one datagram (a SOCK_DGRAM socketpair keeps the
///   boundaries), every answer is one write of at most `maxDatagramBytes`; honeyd never
///   sends EOF to UDP scripts, so the run ends after `idleTimeout` without a datagram.
public struct Responder: Sendable {
    public struct Options: Sendable {
        public static let defaultIdleTimeout: Int64 = 60_000_000_000
        public static let defaultUDPIdleTimeout: Int64 = 10_000_000_000
        public static let defaultMaxDuration: Int64 = 600_000_000_000
        public static let defaultMaxRequests = 1000
        /// honeyd sends at most 2048 bytes per UDP reply.
        public static let defaultMaxDatagramBytes = 2048

        /// Nanoseconds without input that end the conversation.
        public var idleTimeout: Int64
        public var maxDuration: Int64
        public var maxRequests: Int
        public var maxDatagramBytes: Int

        public init(transport: StateMachine.Transport, idleTimeout: Int64? = nil, maxDuration: Int64 = Options.defaultMaxDuration,
                    maxRequests: Int = Options.defaultMaxRequests, maxDatagramBytes: Int = Options.defaultMaxDatagramBytes) {
            self.idleTimeout = idleTimeout ?? (transport == .udp ? Self.defaultUDPIdleTimeout : Self.defaultIdleTimeout)
            self.maxDuration = maxDuration
            self.maxRequests = maxRequests
            self.maxDatagramBytes = maxDatagramBytes
        }
    }

    private var emulator: Emulator<SplitMix64>
    private var record: SessionRecord
    private let options: Options
    private let input: Int32
    private let output: Int32
    private let log: any EventSink
    private var closeReason: CloseReason?

    public init(emulator: Emulator<SplitMix64>, record: SessionRecord, options: Options, input: Int32 = 0, output: Int32 = 1, log: any EventSink) {
        self.emulator = emulator
        self.record = record
        self.options = options
        self.input = input
        self.output = output
        self.log = log
    }

    /// Runs the conversation to its end; returns why it ended.
    public mutating func run() -> CloseReason {
        log.record(record.opened(time: .now()))
        let start = MonotonicClock.now()
        let transport = record.endpoints.transport
        // A datagram socket gives a 0-byte read for an empty datagram; anything else at EOF.
        let inputIsDatagram = transport == .udp && Self.isDatagramSocket(input)
        if transport == .tcp { perform(emulator.connect()) }
        var lastInput = start
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while closeReason == nil {
            let now = MonotonicClock.now()
            if now - start >= options.maxDuration {
                end(limit: .maxDuration, value: Int(options.maxDuration / 1_000_000), reason: .limit)
                break
            }
            if now - lastInput >= options.idleTimeout {
                if transport == .udp {
                    closeReason = .idle
                } else {
                    end(limit: .idleTimeout, value: Int(options.idleTimeout / 1_000_000), reason: .limit)
                }
                break
            }
            // Saturating: an operator may give limits near Int64.max ("never").
            var deadline = min(lastInput.addingClamped(options.idleTimeout), start.addingClamped(options.maxDuration))
            if let quiet = emulator.nextDeadline { deadline = min(deadline, quiet) }
            let waitMilliseconds = Int32(clamping: max(0, (deadline - now + 999_999) / 1_000_000))
            var descriptor = pollfd(fd: input, events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptor, 1, waitMilliseconds)
            if ready < 0 {
                if errno == EINTR { continue }
                closeReason = .clientClosed
                break
            }
            let after = MonotonicClock.now()
            if ready == 0 {
                perform(emulator.quietTimeElapsed(now: after, maxRequests: remainingRequests))
                checkRequestLimit()
                continue
            }
            let count = buffer.withUnsafeMutableBytes { read(input, $0.baseAddress!, $0.count) }
            if count < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                closeReason = .clientClosed
                break
            }
            lastInput = after
            if transport == .udp {
                if count == 0 && !inputIsDatagram {
                    closeReason = .clientClosed
                    break
                }
                record.received(byteCount: count)
                perform(emulator.receiveDatagram(buffer[0..<count]))
            } else {
                if count == 0 {
                    perform(emulator.flush(maxRequests: remainingRequests))
                    if closeReason == nil { closeReason = .clientClosed }
                    break
                }
                record.received(byteCount: count)
                // The budget bounds the answers to one read of many short requests.
                perform(emulator.receive(buffer[0..<count], now: after, maxRequests: remainingRequests))
            }
            checkRequestLimit()
        }
        let reason = closeReason ?? .clientClosed
        log.record(record.closed(reason: reason, time: .now(), now: MonotonicClock.now()))
        return reason
    }

    /// Requests the conversation may still make under `maxRequests`.
    private var remainingRequests: Int { max(0, options.maxRequests - record.requests) }

    private mutating func checkRequestLimit() {
        if closeReason == nil && record.requests >= options.maxRequests {
            end(limit: .maxRequests, value: options.maxRequests, reason: .limit)
        }
    }

    private mutating func end(limit: ServerLimit, value: Int, reason: CloseReason) {
        log.record(record.limit(limit, value: value, time: .now()))
        closeReason = reason
    }

    private mutating func perform(_ actions: [EmulatorAction]) {
        for action in actions {
            // Ending (a failed write, a limit, the model's close): nothing more is sent or logged.
            if closeReason != nil { return }
            let time = WallTime.now()
            switch action {
            case .send(var bytes):
                if record.endpoints.transport == .udp && bytes.count > options.maxDatagramBytes {
                    log.record(record.limit(.maxDatagramBytes, value: options.maxDatagramBytes, time: time))
                    bytes.removeLast(bytes.count - options.maxDatagramBytes)
                }
                if let event = record.event(for: .send(bytes), time: time) { log.record(event) }
                let ok = bytes.withUnsafeBytes { raw in
                    if record.endpoints.transport == .udp {
                        // One write, one datagram: never split an answer.
                        return raw.count == 0 || write(output, raw.baseAddress!, raw.count) == raw.count
                    }
                    return writeFully(output, raw)
                }
                if !ok { closeReason = .writeFailed }
            case .close:
                if closeReason == nil { closeReason = .modelClosed }
            default:
                if let event = record.event(for: action, time: time) { log.record(event) }
            }
        }
    }

    static func isDatagramSocket(_ fd: Int32) -> Bool {
        var type: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &length) == 0 else { return false }
        #if canImport(Glibc)
        return type == Int32(SOCK_DGRAM.rawValue)
        #else
        return type == SOCK_DGRAM
        #endif
    }
}

extension Int64 {
    /// Addition that stops at the bounds instead of trapping (limits given as "never").
    func addingClamped(_ other: Int64) -> Int64 {
        let (sum, overflow) = addingReportingOverflow(other)
        return overflow ? (other > 0 ? .max : .min) : sum
    }
}
