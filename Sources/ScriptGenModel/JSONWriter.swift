/// Writes JSON in the model file's fixed layout: keys sorted by their UTF-8 bytes, two-space
/// indentation, and small containers on one line (at most `inlineHeight` levels tall, objects
/// of at most `inlineMembers` members: a reply, an edge, a pattern), so the file is both
/// diff-friendly and compact. The same value always gives the same bytes.
struct JSONWriter {
    /// Containers at most this tall (a scalar is 0, `[1]` is 1, `{"a":[1]}` is 2) stay on one line.
    static let inlineHeight = 3
    /// Objects with more members than this get one line per member.
    static let inlineMembers = 4

    private(set) var output: [UInt8] = []

    static func write(_ value: JSONValue) -> [UInt8] {
        var writer = JSONWriter()
        writer.write(value, indent: 0)
        writer.output.append(0x0A)
        return writer.output
    }

    private static func height(_ value: JSONValue) -> Int {
        switch value.kind {
        case .array(let elements): 1 + (elements.map(height).max() ?? 0)
        case .object(let members): 1 + (members.values.map(height).max() ?? 0)
        default: 0
        }
    }

    private static func isInline(_ value: JSONValue) -> Bool {
        switch value.kind {
        case .array(let elements): height(value) <= inlineHeight && elements.allSatisfy(isInline)
        case .object(let members): members.count <= inlineMembers && height(value) <= inlineHeight && members.values.allSatisfy(isInline)
        default: true
        }
    }

    private static func sortedMembers(_ members: [String: JSONValue]) -> [(key: String, value: JSONValue)] {
        members.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
    }

    private mutating func append(_ text: String) {
        output.append(contentsOf: text.utf8)
    }

    private mutating func newline(_ indent: Int) {
        output.append(0x0A)
        output.append(contentsOf: repeatElement(0x20, count: indent * 2))
    }

    private mutating func write(_ value: JSONValue, indent: Int) {
        switch value.kind {
        case .null: append("null")
        case .bool(let flag): append(flag ? "true" : "false")
        case .number(let text): append(text)
        case .string(let text): writeString(text)
        case .array(let elements):
            if elements.isEmpty { append("[]"); return }
            if Self.isInline(value) {
                output.append(UInt8(ascii: "["))
                for (index, element) in elements.enumerated() {
                    if index > 0 { append(", ") }
                    write(element, indent: indent)
                }
                output.append(UInt8(ascii: "]"))
                return
            }
            output.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                newline(indent + 1)
                write(element, indent: indent + 1)
            }
            newline(indent)
            output.append(UInt8(ascii: "]"))
        case .object(let members):
            if members.isEmpty { append("{}"); return }
            let sorted = Self.sortedMembers(members)
            if Self.isInline(value) {
                output.append(UInt8(ascii: "{"))
                for (index, member) in sorted.enumerated() {
                    if index > 0 { append(", ") }
                    writeString(member.key)
                    append(": ")
                    write(member.value, indent: indent)
                }
                output.append(UInt8(ascii: "}"))
                return
            }
            output.append(UInt8(ascii: "{"))
            for (index, member) in sorted.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                newline(indent + 1)
                writeString(member.key)
                append(": ")
                write(member.value, indent: indent + 1)
            }
            newline(indent)
            output.append(UInt8(ascii: "}"))
        }
    }

    private mutating func writeString(_ text: String) {
        JSONEscape.appendQuoted(text, to: &output)
    }
}
