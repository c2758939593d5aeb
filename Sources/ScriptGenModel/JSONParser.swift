/// Why the JSON reader stopped; mapped to `ModelLoadError` by the model decoder.
struct JSONSyntaxError: Error, Hashable, Sendable {
    var reason: String
    var byteOffset: Int
    /// The input ended inside a value (a truncated file), rather than holding a wrong byte.
    var truncated: Bool
    /// Where in the document the reader was (the containers it was inside).
    var path: [JSONPathComponent]
}

/// A strict RFC 8259 JSON reader over bytes: one top-level value, no trailing data, UTF-8
/// strings validated, duplicate object keys rejected, nesting bounded.
struct JSONParser {
    /// Nesting deeper than this is rejected; a model nests about eight levels.
    static let maximumDepth = 64
    /// More values than this are rejected: the parser builds the whole tree, at about 55 bytes
    /// of memory per value, so this bounds what a crafted file can make a load allocate.
    static let defaultMaximumValueCount = 8 << 20

    private let bytes: UnsafeBufferPointer<UInt8>
    private let maximumValueCount: Int
    private var valueCount = 0
    private var position = 0
    private var path: [JSONPathComponent] = []

    private init(bytes: UnsafeBufferPointer<UInt8>, maximumValueCount: Int) {
        self.bytes = bytes
        self.maximumValueCount = maximumValueCount
    }

    static func parse(_ input: [UInt8], maximumValueCount: Int = defaultMaximumValueCount) throws(JSONSyntaxError) -> JSONValue {
        let result: Result<JSONValue, JSONSyntaxError> = input.withUnsafeBufferPointer { buffer in
            var parser = JSONParser(bytes: buffer, maximumValueCount: maximumValueCount)
            do throws(JSONSyntaxError) {
                parser.skipWhitespace()
                let value = try parser.parseValue()
                parser.skipWhitespace()
                if parser.position < buffer.count {
                    throw parser.failure("unexpected data after the end of the JSON document")
                }
                return .success(value)
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    private func failure(_ reason: String, at offset: Int? = nil) -> JSONSyntaxError {
        JSONSyntaxError(reason: reason, byteOffset: offset ?? position, truncated: false, path: path)
    }

    private func endOfInput(_ inside: String) -> JSONSyntaxError {
        JSONSyntaxError(reason: "the file ends inside \(inside)", byteOffset: bytes.count, truncated: true, path: path)
    }

    private mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x09, 0x0A, 0x0D: position += 1
            default: return
            }
        }
    }

    private func describeByte(_ byte: UInt8) -> String {
        if byte >= 0x21 && byte < 0x7F { return "'\(Character(UnicodeScalar(byte)))'" }
        let hex = String(byte, radix: 16)
        return "byte 0x\(hex.count == 1 ? "0" : "")\(hex)"
    }

    private mutating func parseValue() throws(JSONSyntaxError) -> JSONValue {
        guard position < bytes.count else { throw endOfInput("a value") }
        guard valueCount < maximumValueCount else {
            throw failure("more than \(maximumValueCount) JSON values; a model has far fewer")
        }
        valueCount += 1
        let start = position
        switch bytes[position] {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return JSONValue(.string(try parseString()), offset: start)
        case UInt8(ascii: "t"): try parseLiteral("true"); return JSONValue(.bool(true), offset: start)
        case UInt8(ascii: "f"): try parseLiteral("false"); return JSONValue(.bool(false), offset: start)
        case UInt8(ascii: "n"): try parseLiteral("null"); return JSONValue(.null, offset: start)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return JSONValue(.number(try parseNumber()), offset: start)
        default:
            throw failure("expected a value, found \(describeByte(bytes[position]))")
        }
    }

    private mutating func parseLiteral(_ literal: StaticString) throws(JSONSyntaxError) {
        let start = position
        let text = UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount)
        for expected in text {
            guard position < bytes.count else { throw endOfInput("the literal \(literal)") }
            guard bytes[position] == expected else { throw failure("invalid literal (expected \(literal))", at: start) }
            position += 1
        }
    }

    private mutating func parseNumber() throws(JSONSyntaxError) -> String {
        let start = position
        func digits(_ parser: inout JSONParser) -> Int {
            let first = parser.position
            while parser.position < parser.bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(parser.bytes[parser.position]) {
                parser.position += 1
            }
            return parser.position - first
        }
        if bytes[position] == UInt8(ascii: "-") { position += 1 }
        guard position < bytes.count else { throw endOfInput("a number") }
        let integerStart = position
        let integerDigits = digits(&self)
        guard integerDigits > 0 else { throw failure("a number needs digits after '-'") }
        if integerDigits > 1 && bytes[integerStart] == UInt8(ascii: "0") {
            throw failure("numbers must not have leading zeros", at: integerStart)
        }
        if position < bytes.count && bytes[position] == UInt8(ascii: ".") {
            position += 1
            guard position < bytes.count else { throw endOfInput("a number") }
            guard digits(&self) > 0 else { throw failure("a number needs digits after '.'") }
        }
        if position < bytes.count && (bytes[position] | 0x20) == UInt8(ascii: "e") {
            position += 1
            if position < bytes.count && (bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-")) {
                position += 1
            }
            guard position < bytes.count else { throw endOfInput("a number") }
            guard digits(&self) > 0 else { throw failure("a number needs digits in its exponent") }
        }
        return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
    }

    private mutating func parseString() throws(JSONSyntaxError) -> String {
        let start = position
        position += 1  // opening quote
        // Fast path: no escapes, so the bytes between the quotes are the string.
        var scan = position
        while scan < bytes.count {
            let byte = bytes[scan]
            if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte < 0x20 { break }
            scan += 1
        }
        if scan < bytes.count && bytes[scan] == UInt8(ascii: "\"") {
            let body = UnsafeBufferPointer(rebasing: bytes[position..<scan])
            guard let text = String(validating: body, as: UTF8.self) else {
                throw failure("a string holds invalid UTF-8", at: start)
            }
            position = scan + 1
            return text
        }
        // Slow path: decode escapes into a byte buffer, then validate it as UTF-8.
        var decoded = [UInt8]()
        while true {
            guard position < bytes.count else { throw endOfInput("a string") }
            let byte = bytes[position]
            switch byte {
            case UInt8(ascii: "\""):
                position += 1
                guard let text = String(validating: decoded, as: UTF8.self) else {
                    throw failure("a string holds invalid UTF-8", at: start)
                }
                return text
            case UInt8(ascii: "\\"):
                position += 1
                guard position < bytes.count else { throw endOfInput("a string") }
                let escape = bytes[position]
                position += 1
                switch escape {
                case UInt8(ascii: "\""): decoded.append(0x22)
                case UInt8(ascii: "\\"): decoded.append(0x5C)
                case UInt8(ascii: "/"): decoded.append(0x2F)
                case UInt8(ascii: "b"): decoded.append(0x08)
                case UInt8(ascii: "f"): decoded.append(0x0C)
                case UInt8(ascii: "n"): decoded.append(0x0A)
                case UInt8(ascii: "r"): decoded.append(0x0D)
                case UInt8(ascii: "t"): decoded.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = try parseHex4()
                    if (0xD800...0xDBFF).contains(scalar) {
                        guard position + 1 < bytes.count else { throw endOfInput("a string") }
                        guard bytes[position] == UInt8(ascii: "\\"), bytes[position + 1] == UInt8(ascii: "u") else {
                            throw failure("an unpaired UTF-16 surrogate in a \\u escape")
                        }
                        position += 2
                        let low = try parseHex4()
                        guard (0xDC00...0xDFFF).contains(low) else { throw failure("an unpaired UTF-16 surrogate in a \\u escape") }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    } else if (0xDC00...0xDFFF).contains(scalar) {
                        throw failure("an unpaired UTF-16 surrogate in a \\u escape")
                    }
                    decoded.append(contentsOf: String(Character(UnicodeScalar(scalar)!)).utf8)
                default:
                    throw failure("invalid escape \\\(Character(UnicodeScalar(escape)))", at: position - 2)
                }
            default:
                guard byte >= 0x20 else { throw failure("a control character (\(describeByte(byte))) inside a string") }
                decoded.append(byte)
                position += 1
            }
        }
    }

    private mutating func parseHex4() throws(JSONSyntaxError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard position < bytes.count else { throw endOfInput("a string") }
            let byte = bytes[position]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw failure("a \\u escape needs four hex digits")
            }
            value = value << 4 | UInt32(digit)
            position += 1
        }
        return value
    }

    private mutating func enter() throws(JSONSyntaxError) {
        guard path.count < Self.maximumDepth else {
            throw failure("nesting deeper than \(Self.maximumDepth) levels")
        }
    }

    private mutating func parseArray() throws(JSONSyntaxError) -> JSONValue {
        let start = position
        try enter()
        position += 1
        var elements = [JSONValue]()
        skipWhitespace()
        guard position < bytes.count else { throw endOfInput("an array") }
        if bytes[position] == UInt8(ascii: "]") {
            position += 1
            return JSONValue(.array(elements), offset: start)
        }
        while true {
            path.append(.index(elements.count))
            elements.append(try parseValue())
            path.removeLast()
            skipWhitespace()
            guard position < bytes.count else { throw endOfInput("an array") }
            switch bytes[position] {
            case UInt8(ascii: ","):
                position += 1
                skipWhitespace()
            case UInt8(ascii: "]"):
                position += 1
                return JSONValue(.array(elements), offset: start)
            default:
                throw failure("expected ',' or ']' in an array, found \(describeByte(bytes[position]))")
            }
        }
    }

    private mutating func parseObject() throws(JSONSyntaxError) -> JSONValue {
        let start = position
        try enter()
        position += 1
        var members = [String: JSONValue]()
        skipWhitespace()
        guard position < bytes.count else { throw endOfInput("an object") }
        if bytes[position] == UInt8(ascii: "}") {
            position += 1
            return JSONValue(.object(members), offset: start)
        }
        while true {
            guard position < bytes.count else { throw endOfInput("an object") }
            guard bytes[position] == UInt8(ascii: "\"") else {
                throw failure("expected a quoted key in an object, found \(describeByte(bytes[position]))")
            }
            let keyOffset = position
            let key = try parseString()
            guard members[key] == nil else { throw failure("duplicate key \"\(key)\"", at: keyOffset) }
            skipWhitespace()
            guard position < bytes.count else { throw endOfInput("an object") }
            guard bytes[position] == UInt8(ascii: ":") else {
                throw failure("expected ':' after a key, found \(describeByte(bytes[position]))")
            }
            position += 1
            skipWhitespace()
            path.append(.key(key))
            members[key] = try parseValue()
            path.removeLast()
            skipWhitespace()
            guard position < bytes.count else { throw endOfInput("an object") }
            switch bytes[position] {
            case UInt8(ascii: ","):
                position += 1
                skipWhitespace()
            case UInt8(ascii: "}"):
                position += 1
                return JSONValue(.object(members), offset: start)
            default:
                throw failure("expected ',' or '}' in an object, found \(describeByte(bytes[position]))")
            }
        }
    }
}
