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

    /// Appends `jsonLine()` to `out`.
    func appendJSONLine(to out: inout [UInt8]) {
        let buffer = LineBuffer()
        var times = WallTimeCache()
        appendJSONLine(to: buffer, times: &times)
        buffer.withUnsafeBytes { out.append(contentsOf: $0) }
    }

    /// Appends `jsonLine()` to the event log's queue, written in place. `times` keeps the text
    /// of the current second.
    func appendJSONLine(to buffer: LineBuffer, times: inout WallTimeCache) {
        // Room for the longest text the line can have, so its pieces are copied unchecked.
        var bound = 32 + JSONText.stringBound(id.rawValue) + WallTimeCache.bound
        for field in fields {
            bound += JSONText.stringBound(field.name) + 2
            switch field.value {
            case .string(let text): bound += JSONText.stringBound(text)
            case .int: bound += JSONText.intBound
            case .double: bound += JSONText.doubleBound
            case .bool: bound += 5
            case .bytes(let bytes): bound += Base64.encodedCount(bytes.count) + 2
            }
        }
        buffer.write(bound: bound) { writer in
            writer.write(#"{"event":"#)
            JSONText.appendString(id.rawValue, to: &writer)
            writer.write(#","time":""#)
            times.write(time, to: &writer)
            writer.write(UInt8(ascii: "\""))
            for field in fields {
                writer.write(UInt8(ascii: ","))
                JSONText.appendString(field.name, to: &writer)
                writer.write(UInt8(ascii: ":"))
                switch field.value {
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
            writer.write("}\n")
        }
    }
}

/// Where events go. Implementations never throw and never block the caller for long: a
/// failing destination is counted, not propagated, so the honeypot keeps running.
public protocol EventSink: Sendable {
    func record(_ event: Event)
}
