import ScriptGenModel
/// One log event: an id from the catalogue and its fields in a fixed order. Serialised to one
/// JSON object on one line before anything is written, so a line is never split.
public struct Event: Sendable {
    public enum Value: Sendable, Hashable {
        case string(String)
        case int(Int)
        case double(Double)
        case bool(Bool)
        /// Written as standard base64.
        case bytes([UInt8])
    }

    public var id: EventID
    /// Wall-clock time of the event.
    public var time: WallTime
    public var fields: [(name: String, value: Value)]
    /// The conversation's endpoints, for formats that repeat them in every line (cowrie, ECS);
    /// the native format names them once, in `session.opened`.
    public var endpoints: SessionEndpoints? {
        get { sharedEndpoints?.endpoints }
        set { sharedEndpoints = newValue.map(SharedEndpoints.init) }
    }
    /// One reference per event, shared by a session's events: copying an event costs one
    /// retain, not one per string of the endpoints.
    var sharedEndpoints: SharedEndpoints?

    public init(_ id: EventID, time: WallTime, _ fields: [(name: String, value: Value)] = [], endpoints: SessionEndpoints? = nil) {
        self.id = id
        self.time = time
        self.fields = fields
        self.sharedEndpoints = endpoints.map(SharedEndpoints.init)
    }

    init(_ id: EventID, time: WallTime, _ fields: [(name: String, value: Value)], shared: SharedEndpoints?) {
        self.id = id
        self.time = time
        self.fields = fields
        self.sharedEndpoints = shared
    }

    public func value(_ name: String) -> Value? {
        fields.first { $0.name == name }?.value
    }

    /// The native line, `{"event":…,"time":…,<fields>}` and a newline, without a sensor.
    public func jsonLine() -> [UInt8] {
        var out: [UInt8] = []
        appendJSONLine(to: &out)
        return out
    }

    /// Appends `jsonLine()` to `out`.
    func appendJSONLine(to out: inout [UInt8]) {
        let buffer = LineBuffer()
        var times = WallTimeCache()
        appendJSONLine(to: buffer, times: &times)
        buffer.withUnsafeBytes { out.append(contentsOf: $0) }
    }

    /// Appends the native line to the event log's queue, written in place. `times` keeps the
    /// text of the current second; `sensor` (already a quoted JSON string) follows `time`.
    func appendJSONLine(to buffer: LineBuffer, times: inout WallTimeCache, sensor: [UInt8] = []) {
        // Room for the longest text the line can have, so its pieces are copied unchecked.
        var bound = 44 + JSONText.stringBound(id.rawValue) + WallTimeCache.bound + sensor.count
        for field in fields {
            bound += JSONText.stringBound(field.name) + 2 + Self.bound(of: field.value)
        }
        buffer.write(bound: bound) { writer in
            writer.write(#"{"event":"#)
            JSONText.appendString(id.rawValue, to: &writer)
            writer.write(#","time":""#)
            times.write(time, to: &writer)
            writer.write(UInt8(ascii: "\""))
            if !sensor.isEmpty {
                writer.write(#","sensor":"#)
                sensor.withUnsafeBufferPointer { writer.write($0) }
            }
            for field in fields {
                writer.write(UInt8(ascii: ","))
                JSONText.appendString(field.name, to: &writer)
                writer.write(UInt8(ascii: ":"))
                Self.write(field.value, to: &writer)
            }
            writer.write("}\n")
        }
    }

    /// Bytes `write(_:to:)` writes at most for `value`. Inlined, as `write`: on the path of
    /// every event, a call copies (and retains) the value.
    @inline(__always)
    static func bound(of value: Value) -> Int {
        switch value {
        case .string(let text): JSONText.stringBound(text)
        case .int: JSONText.intBound
        case .double: JSONText.doubleBound
        case .bool: 5
        case .bytes(let bytes): Base64.encodedCount(bytes.count) + 2
        }
    }

    /// `value` as JSON: strings escaped, bytes as quoted base64.
    @inline(__always)
    static func write(_ value: Value, to writer: inout LineWriter) {
        switch value {
        case .string(let text): JSONText.appendString(text, to: &writer)
        case .int(let number): JSONText.appendInt(number, to: &writer)
        case .double(let number): JSONText.appendDouble(number, to: &writer)
        case .bool(let flag): flag ? writer.write("true") : writer.write("false")
        case .bytes(let bytes):
            writer.write(UInt8(ascii: "\""))
            writer.writeBase64(bytes)
            writer.write(UInt8(ascii: "\""))
        }
    }
}

/// A session's endpoints behind one reference.
final class SharedEndpoints: Sendable {
    let endpoints: SessionEndpoints
    init(_ endpoints: SessionEndpoints) { self.endpoints = endpoints }
}

/// Where events go. Implementations never throw and never block the caller for long: a
/// failing destination is counted, not propagated, so the honeypot keeps running.
public protocol EventSink: Sendable {
    func record(_ event: Event)
    /// Whether the lines repeat a session's endpoints in every event (cowrie, ECS), so
    /// sessions attach them; the native format names them once and saves the copies.
    var repeatsEndpoints: Bool { get }
}

extension EventSink {
    public var repeatsEndpoints: Bool { false }
}
