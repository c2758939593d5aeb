/// How event lines are written: the native names (docs/events.md), or the field names of a
/// pipeline operators already run, so their collectors ingest the lines with no mapping.
public enum EventFormat: String, CaseIterable, Sendable {
    /// `event`, `time`, `src`, `sport`, …: this project's own names.
    case native
    /// Cowrie's names (`eventid`, `timestamp`, `src_ip`, `dst_port`, `session`, `sensor`,
    /// `protocol`, `message`), which T-Pot's Logstash pipeline reads as they are.
    case cowrie
    /// Elastic Common Schema: nested `event`, `source`, `destination`, `network`, `observer`.
    case ecs
}

/// Turns events into lines of one format, each with the sensor's name. One serializer per
/// log: the event log and the HPFeeds publisher each hold theirs.
public struct EventSerializer: Sendable {
    /// The ECS version the `ecs` lines follow (`ecs.version`).
    public static let ecsVersion = "8.11.0"

    public let format: EventFormat
    public let sensor: String?
    /// `sensor` as a quoted, escaped JSON string, made once (every native line carries it).
    private let quotedSensor: [UInt8]

    public init(format: EventFormat = .native, sensor: String? = nil) {
        self.format = format
        self.sensor = sensor
        var quoted: [UInt8] = []
        if let sensor { JSONText.appendString(sensor, to: &quoted) }
        self.quotedSensor = quoted
    }

    /// One line, newline included.
    public func line(_ event: Event) -> [UInt8] {
        let buffer = LineBuffer()
        var times = WallTimeCache()
        append(event, to: buffer, times: &times)
        return buffer.bytes
    }

    /// Appends one line to `buffer`, written in place.
    func append(_ event: Event, to buffer: LineBuffer, times: inout WallTimeCache) {
        switch format {
        case .native:
            event.appendJSONLine(to: buffer, times: &times, sensor: quotedSensor)
        case .cowrie:
            LineValue.object(cowrieMembers(event)).appendLine(to: buffer, times: &times)
        case .ecs:
            LineValue.object(ecsMembers(event)).appendLine(to: buffer, times: &times)
        }
    }

    // MARK: cowrie

    /// Flat, snake_case: the cowrie fields first, then the event's own fields.
    func cowrieMembers(_ event: Event) -> [(LineKey, LineValue)] {
        let parts = LineParts(event)
        var members: [(LineKey, LineValue)] = [
            ("eventid", .eventID(event.id)),
            ("timestamp", .time(event.time)),
        ]
        if let sensor { members.append(("sensor", .value(.string(sensor)))) }
        if let session = parts.session { members.append(("session", .value(.string(session)))) }
        if let address = parts.sourceAddress { members.append(("src_ip", .value(.string(address)))) }
        if let port = parts.sourcePort { members.append(("src_port", .value(.int(port)))) }
        if let address = parts.destinationAddress { members.append(("dst_ip", .value(.string(address)))) }
        if let port = parts.destinationPort { members.append(("dst_port", .value(.int(port)))) }
        if let transport = parts.transport { members.append(("protocol", .value(.string(transport)))) }
        for field in parts.rest { members.append((.snake(field.name), .value(field.value))) }
        members.append(("message", .value(.string(event.summary))))
        return members
    }

    /// `bytesIn` → `bytes_in`.
    static func snakeCase(_ name: String) -> String {
        var out = ""
        out.reserveCapacity(name.utf8.count + 4)
        for character in name {
            if character.isUppercase {
                out.append("_")
                out.append(contentsOf: character.lowercased())
            } else {
                out.append(character)
            }
        }
        return out
    }

    // MARK: ECS

    /// Nested ECS objects; what ECS has no field for goes under `scriptgen`, with its native name.
    func ecsMembers(_ event: Event) -> [(LineKey, LineValue)] {
        let parts = LineParts(event)
        let category = event.id.ecsCategory
        var eventObject: [(LineKey, LineValue)] = [
            ("kind", .value(.string("event"))),
            ("category", .texts([category.category])),
            ("type", .texts(category.types)),
            ("action", .value(.string(event.id.rawValue))),
            ("module", .value(.string("scriptgen"))),
            ("dataset", .value(.string("scriptgen.events"))),
        ]
        var source: [(LineKey, LineValue)] = []
        var destination: [(LineKey, LineValue)] = []
        if let address = parts.sourceAddress { source.append(("ip", .value(.string(address)))) }
        if let port = parts.sourcePort { source.append(("port", .value(.int(port)))) }
        if let address = parts.destinationAddress { destination.append(("ip", .value(.string(address)))) }
        if let port = parts.destinationPort { destination.append(("port", .value(.int(port)))) }
        var own: [(LineKey, LineValue)] = []
        if let session = parts.session { own.append(("session", .value(.string(session)))) }
        for field in parts.rest {
            switch (event.id, field.name, field.value) {
            case (.sessionClosed, "duration", .double(let seconds)) where seconds.isFinite:
                eventObject.append(("duration", .value(.int(Int((seconds * 1e9).rounded())))))
            case (.sessionClosed, "reason", _):
                eventObject.append(("reason", .value(field.value)))
            case (.sessionClosed, "bytesIn", _):
                source.append(("bytes", .value(field.value)))
            case (.sessionClosed, "bytesOut", _):
                destination.append(("bytes", .value(field.value)))
            default:
                own.append((.name(field.name), .value(field.value)))
            }
        }
        if event.id == .connectionRefused { eventObject.append(("outcome", .value(.string("failure")))) }
        var members: [(LineKey, LineValue)] = [
            ("@timestamp", .time(event.time)),
            ("ecs", .object([("version", .value(.string(Self.ecsVersion)))])),
            ("event", .object(eventObject)),
        ]
        var observer: [(LineKey, LineValue)] = [("type", .value(.string("honeypot"))), ("product", .value(.string("ScriptGen")))]
        if let sensor { observer.insert(("name", .value(.string(sensor))), at: 0) }
        members.append(("observer", .object(observer)))
        if !source.isEmpty { members.append(("source", .object(source))) }
        if !destination.isEmpty { members.append(("destination", .object(destination))) }
        if let transport = parts.transport { members.append(("network", .object([("transport", .value(.string(transport)))]))) }
        if !own.isEmpty { members.append(("scriptgen", .object(own))) }
        members.append(("message", .value(.string(event.summary))))
        return members
    }
}

/// ECS categorisation of each event: `event.category` and the `event.type` values ECS allows
/// with it (network: connection, start, end, denied, protocol, info; process: start, change,
/// end, info). docs/events.md gives the table; a test keeps the two equal.
extension EventID {
    public var ecsCategory: (category: String, types: [String]) {
        switch self {
        case .serverStarted: ("process", ["start"])
        case .serverListening: ("network", ["info"])
        case .serverPrivilegesDropped: ("process", ["change"])
        case .serverStopping: ("process", ["info"])
        case .serverStopped: ("process", ["end"])
        case .connectionRefused: ("network", ["connection", "denied"])
        case .sessionOpened: ("network", ["connection", "start"])
        case .sessionRequest: ("network", ["protocol"])
        case .sessionResponse: ("network", ["protocol"])
        case .sessionLimit: ("network", ["connection", "denied"])
        case .sessionClosed: ("network", ["connection", "end"])
        case .logDropped: ("process", ["info"])
        case .logReopened: ("process", ["change"])
        case .hpfeedsConnected: ("process", ["info"])
        case .hpfeedsDisconnected: ("process", ["info"])
        case .hpfeedsDropped: ("process", ["info"])
        }
    }
}

/// An event's fields sorted for the foreign formats: the endpoints (from the conversation, or
/// from the event's own fields for a refused connection), the session, and the rest.
struct LineParts {
    var session: String?
    var transport: String?
    var sourceAddress: String?
    var sourcePort: Int?
    var destinationAddress: String?
    var destinationPort: Int?
    var rest: [(name: String, value: Event.Value)] = []

    /// Addresses a collector could not parse as IP (`respond` outside honeyd) are left out.
    private static func address(_ text: String) -> String? { text == SessionEndpoints.unknownAddress ? nil : text }

    init(_ event: Event) {
        if let endpoints = event.endpoints {
            transport = endpoints.transport.rawValue
            sourceAddress = Self.address(endpoints.sourceAddress)
            sourcePort = endpoints.sourcePort
            destinationAddress = Self.address(endpoints.destinationAddress)
            destinationPort = endpoints.destinationPort
        }
        for field in event.fields {
            switch (field.name, field.value) {
            case ("session", .string(let text)): session = text
            case ("transport", .string(let text)): transport = transport ?? text
            case ("src", .string(let text)): sourceAddress = sourceAddress ?? Self.address(text)
            case ("sport", .int(let port)): sourcePort = sourcePort ?? port
            case ("dst", .string(let text)): destinationAddress = destinationAddress ?? Self.address(text)
            case ("dport", .int(let port)): destinationPort = destinationPort ?? port
            default: rest.append(field)
            }
        }
    }
}

/// A member name of a cowrie or ECS line: a literal of ours, an event's field name as it is,
/// or in snake_case, converted while it is written (no string is built per line).
enum LineKey: ExpressibleByStringLiteral {
    case fixed(StaticString)
    case name(String)
    case snake(String)

    init(stringLiteral value: StaticString) { self = .fixed(value) }

    /// Bytes `write` writes at most, quotes included.
    var bound: Int {
        switch self {
        case .fixed(let text): text.utf8CodeUnitCount + 2
        case .name(let text): JSONText.stringBound(text)
        case .snake(let text): JSONText.stringBound(text) * 2
        }
    }

    func write(to writer: inout LineWriter) {
        switch self {
        case .fixed(let text):
            writer.write(UInt8(ascii: "\""))
            writer.write(text)
            writer.write(UInt8(ascii: "\""))
        case .name(let text):
            JSONText.appendString(text, to: &writer)
        case .snake(let text):
            // Field names are identifiers; anything else takes the general path.
            guard text.utf8.allSatisfy({ $0 < 0x80 && ($0 == UInt8(ascii: "_") || (0x30...0x39).contains($0) || (0x41...0x5a).contains($0) || (0x61...0x7a).contains($0)) }) else {
                JSONText.appendString(EventSerializer.snakeCase(text), to: &writer)
                return
            }
            writer.write(UInt8(ascii: "\""))
            for byte in text.utf8 {
                if (0x41...0x5a).contains(byte) {
                    writer.write(UInt8(ascii: "_"))
                    writer.write(byte + 0x20)
                } else {
                    writer.write(byte)
                }
            }
            writer.write(UInt8(ascii: "\""))
        }
    }
}

/// A JSON value of a cowrie or ECS line, built per event, then written in place in one piece.
enum LineValue {
    case value(Event.Value)
    case time(WallTime)
    /// `"scriptgen.` and the id: cowrie's `eventid`.
    case eventID(EventID)
    case texts([String])
    case object([(LineKey, LineValue)])

    /// Bytes `write` writes at most.
    var bound: Int {
        switch self {
        case .value(let value): Event.bound(of: value)
        case .time: WallTimeCache.bound + 2
        case .eventID(let id): JSONText.stringBound(id.rawValue) + 10
        case .texts(let texts): texts.reduce(2) { $0 + JSONText.stringBound($1) + 1 }
        case .object(let members): members.reduce(2) { $0 + $1.0.bound + 1 + $1.1.bound }
        }
    }

    func write(to writer: inout LineWriter, times: inout WallTimeCache) {
        switch self {
        case .value(let value):
            Event.write(value, to: &writer)
        case .eventID(let id):
            writer.write(UInt8(ascii: "\""))
            writer.write("scriptgen.")
            var raw = id.rawValue
            raw.withUTF8 { writer.write($0) }  // ids are plain ASCII
            writer.write(UInt8(ascii: "\""))
        case .time(let time):
            writer.write(UInt8(ascii: "\""))
            times.write(time, to: &writer)
            writer.write(UInt8(ascii: "\""))
        case .texts(let texts):
            writer.write(UInt8(ascii: "["))
            for (index, text) in texts.enumerated() {
                if index > 0 { writer.write(UInt8(ascii: ",")) }
                JSONText.appendString(text, to: &writer)
            }
            writer.write(UInt8(ascii: "]"))
        case .object(let members):
            writer.write(UInt8(ascii: "{"))
            for (index, member) in members.enumerated() {
                if index > 0 { writer.write(UInt8(ascii: ",")) }
                member.0.write(to: &writer)
                writer.write(UInt8(ascii: ":"))
                member.1.write(to: &writer, times: &times)
            }
            writer.write(UInt8(ascii: "}"))
        }
    }

    /// This value and a newline.
    func appendLine(to buffer: LineBuffer, times: inout WallTimeCache) {
        buffer.write(bound: bound + 1) { writer in
            write(to: &writer, times: &times)
            writer.write(UInt8(ascii: "\n"))
        }
    }
}
