// Reading the JSON document into model values, with type and meaning checks. A failure deep
// inside carries its path outwards: each level adds its own key or index as the error passes,
// so nothing is spent on paths while a valid file loads.

/// A decoding failure on its way out; `reversedPath` grows as it leaves each container.
struct FieldError: Error {
    var reason: ModelLoadError.Reason
    var reversedPath: [JSONPathComponent]
    var byteOffset: Int

    init(_ reason: ModelLoadError.Reason, at value: JSONValue) {
        self.reason = reason
        self.reversedPath = []
        self.byteOffset = value.offset
    }

    var loadError: ModelLoadError {
        ModelLoadError(reason: reason, path: JSONPathComponent.render(reversedPath.reversed()), byteOffset: byteOffset)
    }
}

/// Runs `body`, adding `component` to the path of any error it throws.
private func at<T>(_ component: JSONPathComponent, _ body: () throws(FieldError) -> T) throws(FieldError) -> T {
    do {
        return try body()
    } catch {
        var error = error
        error.reversedPath.append(component)
        throw error
    }
}

/// The members of one JSON object, read by key.
private struct ObjectReader {
    let value: JSONValue
    let members: [String: JSONValue]

    init(_ value: JSONValue) throws(FieldError) {
        guard case .object(let members) = value.kind else {
            throw FieldError(.wrongType(expected: "an object", found: value.typeName), at: value)
        }
        self.value = value
        self.members = members
    }

    func optional<T>(_ key: String, _ read: (JSONValue) throws(FieldError) -> T) throws(FieldError) -> T? {
        guard let member = members[key] else { return nil }
        return try at(.key(key)) { () throws(FieldError) -> T in try read(member) }
    }

    func required<T>(_ key: String, _ read: (JSONValue) throws(FieldError) -> T) throws(FieldError) -> T {
        guard let member = members[key] else {
            var error = FieldError(.missingField, at: value)
            error.reversedPath = [.key(key)]
            throw error
        }
        return try at(.key(key)) { () throws(FieldError) -> T in try read(member) }
    }
}

private func readArray<T>(_ value: JSONValue, _ read: (Int, JSONValue) throws(FieldError) -> T) throws(FieldError) -> [T] {
    guard case .array(let elements) = value.kind else {
        throw FieldError(.wrongType(expected: "an array", found: value.typeName), at: value)
    }
    var result = [T]()
    result.reserveCapacity(elements.count)
    for (index, element) in elements.enumerated() {
        result.append(try at(.index(index)) { () throws(FieldError) -> T in try read(index, element) })
    }
    return result
}

private func readString(_ value: JSONValue) throws(FieldError) -> String {
    guard case .string(let text) = value.kind else {
        throw FieldError(.wrongType(expected: "a string", found: value.typeName), at: value)
    }
    return text
}

private func readInteger(_ value: JSONValue) throws(FieldError) -> Int {
    guard case .number(let text) = value.kind else {
        throw FieldError(.wrongType(expected: "an integer", found: value.typeName), at: value)
    }
    guard let number = Int(text) else {
        throw FieldError(.wrongType(expected: "an integer", found: "the number \(text)"), at: value)
    }
    return number
}

/// Counts, weights and sizes: integers from 0 to `ModelFile.maximumCount`.
private func readCount(_ value: JSONValue) throws(FieldError) -> Int {
    let number = try readInteger(value)
    guard number >= 0 else { throw FieldError(.invalidValue("\(number) is negative; a count cannot be"), at: value) }
    guard number <= ModelFile.maximumCount else {
        throw FieldError(.invalidValue("\(number) is above \(ModelFile.maximumCount), the largest count a model holds"), at: value)
    }
    return number
}

/// A state's reply counts (or edge weights) must add up to at most `ModelFile.maximumCount`,
/// so code choosing among them by weight can sum them without overflow.
private func checkTotal(_ counts: [Int], of what: String, in value: JSONValue) throws(FieldError) {
    var total = 0
    for count in counts {
        total += count  // Each is at most 2^53 and the total stops at 2^53 + 2^53: no overflow.
        guard total <= ModelFile.maximumCount else {
            throw FieldError(.invalidValue("the \(what) add up to more than \(ModelFile.maximumCount), the largest count a model holds"), at: value)
        }
    }
}

private func readBytes(_ value: JSONValue) throws(FieldError) -> [UInt8] {
    let text = try readString(value)
    guard let bytes = Base64.decode(text) else {
        throw FieldError(.invalidValue("not canonical base64 (RFC 4648, with padding)"), at: value)
    }
    return bytes
}

private func readTransport(_ value: JSONValue) throws(FieldError) -> StateMachine.Transport {
    let text = try readString(value)
    guard let transport = StateMachine.Transport(rawValue: text) else {
        throw FieldError(.invalidValue("unknown transport \"\(text)\" (expected \"tcp\" or \"udp\")"), at: value)
    }
    return transport
}

private func readPort(_ value: JSONValue) throws(FieldError) -> UInt16 {
    let number = try readInteger(value)
    guard let port = UInt16(exactly: number) else {
        throw FieldError(.invalidValue("port \(number) is outside 0...65535"), at: value)
    }
    return port
}

private func readTime(_ value: JSONValue) throws(FieldError) -> Int64 {
    let text = try readString(value)
    guard let time = ModelTime.parse(text) else {
        // Outside 1677-2262 the nanoseconds since 1970 do not fit an Int64.
        throw FieldError(.invalidValue("\"\(text)\" is not a UTC time like 2005-03-01T12:00:00.5Z (between 1677-09-21 and 2262-04-11)"), at: value)
    }
    return time
}

extension ModelFile {
    init(json: JSONValue) throws(FieldError) {
        guard case .object(let members) = json.kind else {
            throw FieldError(.notAModel("the document is \(json.typeName), not an object"), at: json)
        }
        // The version first: a newer file may differ in everything else.
        guard let versionValue = members["formatVersion"] else {
            throw FieldError(.notAModel("the top-level object has no \"formatVersion\" field"), at: json)
        }
        let version = try at(.key("formatVersion")) { () throws(FieldError) -> Int in try readInteger(versionValue) }
        guard (ModelFile.oldestReadableFormatVersion...ModelFile.currentFormatVersion).contains(version) else {
            var error = FieldError(.unsupportedFormatVersion(found: version, supported: ModelFile.currentFormatVersion), at: versionValue)
            error.reversedPath = [.key("formatVersion")]
            throw error
        }
        let object = try ObjectReader(json)
        let toolVersion = try object.required("toolVersion", readString)
        let parameters = try object.required("parameters", LearningParameters.init(json:))
        let provenance = try object.required("provenance", Provenance.init(json:))
        let machines = try object.required("machines") { (value) throws(FieldError) -> [StateMachine] in
            let machines = try readArray(value) { (_, element) throws(FieldError) in try StateMachine(json: element, formatVersion: version) }
            try Self.checkUnique(machines.map { ($0.transport, $0.port) }, in: value)
            return machines
        }
        let reports = try object.required("buildReports") { (value) throws(FieldError) -> [BuildReport] in
            let reports = try readArray(value) { (_, element) throws(FieldError) in try BuildReport(json: element) }
            try Self.checkUnique(reports.map { ($0.transport, $0.port) }, in: value)
            return reports
        }
        self.init(
            toolVersion: toolVersion, parameters: parameters, provenance: provenance,
            machines: machines, buildReports: reports, formatVersion: version
        )
    }

    /// One machine (or report) per (transport, port): a second one is an edit mistake.
    private static func checkUnique(_ keys: [(StateMachine.Transport, UInt16)], in array: JSONValue) throws(FieldError) {
        guard case .array(let elements) = array.kind else { return }
        var firstIndex = [String: Int]()
        for (index, key) in keys.enumerated() {
            let name = "\(key.0.rawValue)/\(key.1)"
            if let first = firstIndex[name] {
                var error = FieldError(.invalidValue("a second entry for \(name) (the first is at index \(first))"), at: elements[index])
                error.reversedPath = [.index(index)]
                throw error
            }
            firstIndex[name] = index
        }
    }
}

extension LearningParameters {
    init(json: JSONValue) throws(FieldError) {
        let object = try ObjectReader(json)
        var values = [String: ParameterValue]()
        for (name, member) in object.members {
            values[name] = try at(.key(name)) { () throws(FieldError) -> ParameterValue in
                switch member.kind {
                case .bool(let flag):
                    return .flag(flag)
                case .string(let text):
                    return .text(text)
                case .number(let text):
                    if !text.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }), let integer = Int(text) {
                        return .integer(integer)
                    }
                    guard let number = Double(text) else {
                        throw FieldError(.invalidValue("the number \(text) is out of range"), at: member)
                    }
                    return .number(number)
                default:
                    throw FieldError(.wrongType(expected: "a number, boolean or string", found: member.typeName), at: member)
                }
            }
        }
        self.init(values)
    }
}

extension Provenance {
    init(json: JSONValue) throws(FieldError) {
        let object = try ObjectReader(json)
        self.init(
            captures: try object.required("captures") { (value) throws(FieldError) in
                try readArray(value) { (_, element) throws(FieldError) in try CaptureProvenance(json: element) }
            },
            conversationsRead: try object.required("conversationsRead", readCount),
            conversationsUsed: try object.required("conversationsUsed", readCount)
        )
    }
}

extension CaptureProvenance {
    init(json: JSONValue) throws(FieldError) {
        let object = try ObjectReader(json)
        self.init(
            name: try object.required("name", readString),
            sizeBytes: try object.required("sizeBytes", readCount),
            sha256: try object.required("sha256", readString),
            firstPacketTime: try object.optional("firstPacketTime", readTime),
            lastPacketTime: try object.optional("lastPacketTime", readTime),
            conversations: try object.required("conversations", readCount)
        )
    }
}

extension StateMachine {
    init(json: JSONValue, formatVersion: Int) throws(FieldError) {
        let object = try ObjectReader(json)
        let transport = try object.required("transport", readTransport)
        let port = try object.required("port", readPort)
        let conversations = try object.required("conversations", readCount)
        let states = try object.required("states") { (value) throws(FieldError) -> [State] in
            guard case .array(let elements) = value.kind else {
                throw FieldError(.wrongType(expected: "an array", found: value.typeName), at: value)
            }
            guard !elements.isEmpty else {
                throw FieldError(.invalidValue("no states: the root state (index 0) is missing"), at: value)
            }
            let read = try readArray(value) { (index, element) throws(FieldError) in
                try State.read(json: element, index: index, stateCount: elements.count, formatVersion: formatVersion)
            }
            // `edgesOf` names an earlier state with its own edges: the same table, shared.
            var states = read.map(\.state)
            for (index, entry) in read.enumerated() {
                guard let source = entry.edgesOf else { continue }
                guard formatVersion >= 2 else {
                    var error = FieldError(.invalidValue("edgesOf needs format version 2 (this file says \(formatVersion))"), at: elements[index])
                    error.reversedPath = [.key("edgesOf"), .index(index)]
                    throw error
                }
                guard read[source].edgesOf == nil else {
                    var error = FieldError(.invalidValue("state \(source) shares the edges of another state itself; edgesOf must name a state with its own edges"), at: elements[index])
                    error.reversedPath = [.key("edgesOf"), .index(index)]
                    throw error
                }
                states[index].edges = states[source].edges
            }
            return states
        }
        let framing = try object.optional("requestFraming") { (value) throws(FieldError) -> LengthFraming in
            guard formatVersion >= 3 else {
                throw FieldError(.invalidValue("requestFraming needs format version 3 (this file says \(formatVersion))"), at: value)
            }
            return try LengthFraming(json: value)
        }
        self.init(transport: transport, port: port, states: states, conversations: conversations, requestFraming: framing)
    }
}

extension LengthFraming {
    init(json: JSONValue) throws(FieldError) {
        let object = try ObjectReader(json)
        let offset = try object.required("offset", readCount)
        let spanStart = try object.required("spanStart", readCount)
        let encoding = try readEncoding(object, json: json)
        guard offset <= 4096, spanStart <= 4096 else {
            throw FieldError(.invalidValue("a length field at \(offset) counting from \(spanStart) lies beyond any header (4096 bytes at most)"), at: json)
        }
        self.init(offset: offset, encoding: encoding, spanStart: spanStart)
    }
}

extension State {
    /// The state at `index`, and the earlier state whose edges it shares when it has `edgesOf`
    /// instead of `edges` (exactly one of the two).
    static func read(json: JSONValue, index: Int, stateCount: Int, formatVersion: Int) throws(FieldError) -> (state: State, edgesOf: Int?) {
        let object = try ObjectReader(json)
        let edgesOf = try object.optional("edgesOf") { (value) throws(FieldError) -> Int in
            let source = try readInteger(value)
            guard (0..<index).contains(source) else {
                throw FieldError(.invalidValue("edgesOf must name an earlier state (0...\(index - 1)), not \(source)"), at: value)
            }
            return source
        }
        let edges = try object.optional("edges") { (value) throws(FieldError) in
            let edges = try readArray(value) { (_, element) throws(FieldError) in try Edge(json: element, stateCount: stateCount) }
            try checkTotal(edges.map(\.weight), of: "edge weights", in: value)
            return edges
        }
        if (edges == nil) == (edgesOf == nil) {
            var error = FieldError(edges == nil ? .missingField : .invalidValue("a state has either edges or edgesOf, not both"), at: json)
            error.reversedPath = [.key("edges")]
            throw error
        }
        let state = State(
            replies: try object.required("replies") { (value) throws(FieldError) in
                let replies = try readArray(value) { (_, element) throws(FieldError) in try ObservedReply(json: element, formatVersion: formatVersion) }
                try checkTotal(replies.map(\.count), of: "reply counts", in: value)
                return replies
            },
            edges: edges ?? [],
            visits: try object.required("visits", readCount),
            endings: try object.required("endings", readCount),
            cutRequests: try object.required("cutRequests", readCount),
            serverCloses: try object.optional("serverCloses", readCount) ?? 0
        )
        if state.serverCloses > state.endings {
            var error = FieldError(.invalidValue("\(state.serverCloses) server closes but only \(state.endings) endings: each close ends a conversation"), at: object.members["serverCloses"] ?? json)
            error.reversedPath = [.key("serverCloses")]
            throw error
        }
        return (state, edgesOf)
    }
}

extension ObservedReply {
    init(json: JSONValue, formatVersion: Int) throws(FieldError) {
        let object = try ObjectReader(json)
        let count = try object.required("count", readCount)
        let messages = try object.required("messages") { (value) throws(FieldError) in
            try readArray(value) { (_, element) throws(FieldError) in try readBytes(element) }
        }
        let fields = try object.optional("fields") { (value) throws(FieldError) -> [ReplyField] in
            guard formatVersion >= 3 else {
                throw FieldError(.invalidValue("reply fields need format version 3 (this file says \(formatVersion))"), at: value)
            }
            let fields = try readArray(value) { (_, element) throws(FieldError) in try ReplyField(json: element, messages: messages) }
            // Sorted and disjoint, so rendering fills each byte once.
            for (index, pair) in zip(fields, fields.dropFirst()).enumerated()
            where (pair.0.message, pair.0.offset + pair.0.length) > (pair.1.message, pair.1.offset) {
                guard case .array(let elements) = value.kind else { break }
                var error = FieldError(.invalidValue("fields must be sorted by message and offset and must not overlap"), at: elements[index + 1])
                error.reversedPath = [.index(index + 1)]
                throw error
            }
            return fields
        }
        self.init(reply: Reply(messages: messages), count: count, fields: fields ?? [])
    }
}

/// An object's `encoding` member.
private func readEncoding(_ object: ObjectReader, json: JSONValue) throws(FieldError) -> NumberEncoding {
    let name = try object.required("encoding", readString)
    guard let encoding = NumberEncoding(name: name) else {
        var error = FieldError(.invalidValue("unknown number encoding \"\(name)\" (known: u8, u16be, u16le, u24be, u24le, u32be, u32le, u64be, u64le)"), at: object.members["encoding"] ?? json)
        error.reversedPath = [.key("encoding")]
        throw error
    }
    return encoding
}

/// A field's `encoding`, whose width must be the field's `length`.
private func readEncoding(_ object: ObjectReader, json: JSONValue, width length: Int) throws(FieldError) -> NumberEncoding {
    let encoding = try readEncoding(object, json: json)
    if case .binary(let width, _) = encoding, width != length {
        throw FieldError(.invalidValue("a \(encoding.name) number takes \(width) bytes, not \(length)"), at: object.members["length"] ?? json)
    }
    return encoding
}

extension ReplyField {
    init(json: JSONValue, messages: [[UInt8]]) throws(FieldError) {
        let object = try ObjectReader(json)
        let message = try object.required("message", readCount)
        guard message < messages.count else {
            throw FieldError(.invalidValue("message \(message) of a reply of \(messages.count)"), at: object.members["message"] ?? json)
        }
        let offset = try object.required("offset", readCount)
        let length = try object.required("length", readCount)
        guard length >= 1, offset + length <= messages[message].count else {
            throw FieldError(.invalidValue("bytes \(offset)..<\(offset + length) do not lie in a message of \(messages[message].count) bytes"), at: json)
        }
        let kind = try object.required("class", readString)
        let source: ReplyField.Source
        switch kind {
        case "copy":
            if let after = try object.optional("after", readBytes) {
                let until = try object.optional("until") { (value) throws(FieldError) -> UInt8 in
                    let byte = try readCount(value)
                    guard byte <= 255 else { throw FieldError(.invalidValue("until is a byte (0...255), not \(byte)"), at: value) }
                    return UInt8(byte)
                }
                source = .requestText(after: after, until: until)
            } else {
                source = .request(offset: try object.required("requestOffset", readCount))
            }
        case "address":
            source = .clientAddress
        case "length":
            let encoding = try readEncoding(object, json: json, width: length)
            let spanStart = try object.required("spanStart", readCount)
            guard spanStart <= messages[message].count else {
                throw FieldError(.invalidValue("spanStart \(spanStart) lies beyond a message of \(messages[message].count) bytes"), at: object.members["spanStart"] ?? json)
            }
            source = .length(encoding, spanStart: spanStart)
        case "time":
            let name = try object.required("format", readString)
            let format: TimeFormat
            switch name {
            case "filetime": format = .filetime
            default:
                guard let layout = DateLayout(name) else {
                    var error = FieldError(.invalidValue("\"\(name)\" is neither a date layout (%a, %d, %b, %Y, %H, %M, %S, %z, …) nor filetime"), at: object.members["format"] ?? json)
                    error.reversedPath = [.key("format")]
                    throw error
                }
                let zone = try object.required("utcOffsetMinutes", readInteger)
                guard abs(zone) < 24 * 60 else {
                    var error = FieldError(.invalidValue("a zone offset of \(zone) minutes is a day or more"), at: object.members["utcOffsetMinutes"] ?? json)
                    error.reversedPath = [.key("utcOffsetMinutes")]
                    throw error
                }
                format = .text(layout, utcOffsetMinutes: zone)
            }
            guard format.length == length else {
                throw FieldError(.invalidValue("a \(name) time takes \(format.length) bytes, not \(length)"), at: object.members["length"] ?? json)
            }
            source = .time(format)
        case "counter":
            let encoding = try readEncoding(object, json: json, width: length)
            source = .counter(encoding, next: Int64(try object.required("next", readCount)))
        case "random":
            let name = try object.required("alphabet", readString)
            guard let alphabet = RandomAlphabet(rawValue: name) else {
                var error = FieldError(.invalidValue("unknown alphabet \"\(name)\" (known: \(RandomAlphabet.allCases.map(\.rawValue).joined(separator: ", ")))"), at: object.members["alphabet"] ?? json)
                error.reversedPath = [.key("alphabet")]
                throw error
            }
            source = .random(alphabet)
        default:
            var error = FieldError(.invalidValue("unknown field class \"\(kind)\" (known: \(ReplyField.classNames.joined(separator: ", ")))"), at: object.members["class"] ?? json)
            error.reversedPath = [.key("class")]
            throw error
        }
        self.init(message: message, offset: offset, length: length, source: source)
    }
}

extension Edge {
    init(json: JSONValue, stateCount: Int) throws(FieldError) {
        let object = try ObjectReader(json)
        let pattern = try object.required("pattern", Pattern.init(json:))
        let weight = try object.required("weight", readCount)
        let target = try object.required("target") { (value) throws(FieldError) -> StateID in
            let target = try readInteger(value)
            guard (0..<stateCount).contains(target) else {
                throw FieldError(.invalidValue("target state \(target) does not exist (the machine has \(stateCount) states)"), at: value)
            }
            return target
        }
        self.init(pattern: pattern, weight: weight, target: target)
    }
}

extension Pattern {
    init(json: JSONValue) throws(FieldError) {
        let elements = try readArray(json) { (_, element) throws(FieldError) -> Element in
            let object = try ObjectReader(element)
            guard object.members.count == 1 else {
                throw FieldError(.invalidValue("a pattern element has exactly one key, \"fixed\" or \"var\""), at: element)
            }
            if let bytes = try object.optional("fixed", readBytes) {
                guard !bytes.isEmpty else {
                    var error = FieldError(.invalidValue("a fixed element cannot be empty"), at: object.members["fixed"]!)
                    error.reversedPath = [.key("fixed")]
                    throw error
                }
                return .fixed(bytes)
            }
            if let bounds = try object.optional("var", { (value) throws(FieldError) -> (Int, Int) in
                let bounds = try readArray(value) { (_, element) throws(FieldError) in try readCount(element) }
                guard bounds.count == 2 else {
                    throw FieldError(.invalidValue("a variable element is [min, max]; found \(bounds.count) numbers"), at: value)
                }
                guard bounds[0] <= bounds[1] else {
                    throw FieldError(.invalidValue("a variable element's min \(bounds[0]) is above its max \(bounds[1])"), at: value)
                }
                return (bounds[0], bounds[1])
            }) {
                return .variable(min: bounds.0, max: bounds.1)
            }
            throw FieldError(.invalidValue("a pattern element has exactly one key, \"fixed\" or \"var\""), at: element)
        }
        self.init(elements: elements)
    }
}

extension BuildReport {
    init(json: JSONValue) throws(FieldError) {
        let object = try ObjectReader(json)
        self.init(
            transport: try object.required("transport", readTransport),
            port: try object.required("port", readPort),
            conversationsUsed: try object.required("conversationsUsed", readCount),
            emptyConversations: try object.required("emptyConversations", readCount),
            conversationsWithGaps: try object.required("conversationsWithGaps", readCount),
            messagesDroppedAtGaps: try object.required("messagesDroppedAtGaps", readCount),
            consecutiveClientMessages: try object.required("consecutiveClientMessages", readCount),
            requestsCutByFanout: try object.required("requestsCutByFanout", readCount),
            pathsCutByStateLimit: try object.required("pathsCutByStateLimit", readCount),
            messagesDroppedByLimits: try object.required("messagesDroppedByLimits", readCount),
            states: try object.required("states", readCount),
            edges: try object.required("edges", readCount),
            depth: try object.required("depth", readCount),
            largestFanout: try object.required("largestFanout", readCount)
        )
    }
}
