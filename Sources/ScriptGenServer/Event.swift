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

    public init(_ id: EventID, time: WallTime, _ fields: [(name: String, value: Value)] = []) {
        self.id = id
        self.time = time
        self.fields = fields
    }

    public func value(_ name: String) -> Value? {
        fields.first { $0.name == name }?.value
    }

    /// `{"event":…,"time":…,<fields>}` followed by a newline.
    public func jsonLine() -> [UInt8] {
        var out: [UInt8] = []
        appendJSONLine(to: &out)
        return out
    }

    /// Appends `jsonLine()` to `out` (the event log serialises straight into its queue).
    func appendJSONLine(to out: inout [UInt8]) {
        var times = WallTimeCache()
        appendJSONLine(to: &out, times: &times)
    }

    /// `appendJSONLine(to:)` with the text of the current second kept in `times` (the event
    /// log keeps one).
    func appendJSONLine(to out: inout [UInt8], times: inout WallTimeCache) {
        var capacity = 96 + fields.count * 24
        for field in fields { if case .bytes(let bytes) = field.value { capacity += (bytes.count + 2) / 3 * 4 } }
        if out.isEmpty {
            out.reserveCapacity(capacity)
        } else if out.capacity - out.count < capacity {
            // Room for the whole line at once, growing geometrically as appends would.
            out.reserveCapacity(Swift.max(out.count + capacity, out.capacity * 2))
        }
        JSONText.appendStatic(#"{"event":"#, to: &out)
        JSONText.appendString(id.rawValue, to: &out)
        JSONText.appendStatic(#","time":""#, to: &out)
        times.appendISO8601(time, to: &out)
        out.append(UInt8(ascii: "\""))
        for field in fields {
            out.append(UInt8(ascii: ","))
            JSONText.appendString(field.name, to: &out)
            out.append(UInt8(ascii: ":"))
            switch field.value {
            case .string(let text): JSONText.appendString(text, to: &out)
            case .int(let number): JSONText.appendInt(number, to: &out)
            case .double(let number): JSONText.appendDouble(number, to: &out)
            case .bool(let flag): flag ? JSONText.appendStatic("true", to: &out) : JSONText.appendStatic("false", to: &out)
            case .bytes(let bytes):
                out.append(UInt8(ascii: "\""))
                Base64.append(bytes, to: &out)
                out.append(UInt8(ascii: "\""))
            }
        }
        JSONText.appendStatic("}\n", to: &out)
    }
}

/// Where events go. Implementations never throw and never block the caller for long: a
/// failing destination is counted, not propagated, so the honeypot keeps running.
public protocol EventSink: Sendable {
    func record(_ event: Event)
}
