// The JSON layout of each model type. Field names here are the file format: changing one is a
// format version change (docs/model-format.md).

extension ModelFile {
    func jsonValue() -> JSONValue {
        .object([
            "formatVersion": .integer(formatVersion),
            "toolVersion": .string(toolVersion),
            "parameters": parameters.jsonValue(),
            "provenance": provenance.jsonValue(),
            // Shared edge tables (`edgesOf`) exist from format 2 on.
            "machines": .array(machines.map { $0.jsonValue(sharingTables: formatVersion >= 2) }),
            "buildReports": .array(buildReports.map { $0.jsonValue() }),
        ])
    }
}

extension LearningParameters {
    func jsonValue() -> JSONValue {
        .object(values.mapValues { value in
            switch value {
            case .integer(let number): .integer(number)
            // Non-finite numbers have no JSON spelling; they are kept as text.
            case .number(let number): number.isFinite ? JSONValue(.number(String(number))) : .string(String(number))
            case .flag(let flag): JSONValue(.bool(flag))
            case .text(let text): .string(text)
            }
        })
    }
}

extension Provenance {
    func jsonValue() -> JSONValue {
        .object([
            "captures": .array(captures.map { $0.jsonValue() }),
            "conversationsRead": .integer(conversationsRead),
            "conversationsUsed": .integer(conversationsUsed),
        ])
    }
}

extension CaptureProvenance {
    func jsonValue() -> JSONValue {
        var members: [String: JSONValue] = [
            "name": .string(name),
            "sizeBytes": .integer(sizeBytes),
            "sha256": .string(sha256),
            "conversations": .integer(conversations),
        ]
        if let firstPacketTime { members["firstPacketTime"] = .string(ModelTime.format(nanoseconds: firstPacketTime)) }
        if let lastPacketTime { members["lastPacketTime"] = .string(ModelTime.format(nanoseconds: lastPacketTime)) }
        return .object(members)
    }
}

extension StateMachine {
    func jsonValue(sharingTables: Bool) -> JSONValue {
        var members: [String: JSONValue] = [
            "transport": .string(transport.rawValue),
            "port": .integer(port),
            "conversations": .integer(conversations),
            "states": .array(statesJSON(sharingTables: sharingTables)),
        ]
        // Optional (format 3): absent means requests are told apart by their patterns only.
        if let requestFraming { members["requestFraming"] = requestFraming.jsonValue() }
        return .object(members)
    }

    /// States whose edges equal an earlier state's (all states of a merged context) name it
    /// with `edgesOf` instead of repeating the table.
    private func statesJSON(sharingTables: Bool) -> [JSONValue] {
        var firstWithEdges: [[Edge]: Int] = [:]
        return states.enumerated().map { index, state in
            if sharingTables, state.edges.count > 1, let source = firstWithEdges[state.edges] {
                return state.jsonValue(edgesOf: source)
            }
            if state.edges.count > 1 { firstWithEdges[state.edges] = index }
            return state.jsonValue(edgesOf: nil)
        }
    }
}

extension State {
    func jsonValue(edgesOf source: Int?) -> JSONValue {
        var members: [String: JSONValue] = [
            "replies": .array(replies.map { $0.jsonValue() }),
            "visits": .integer(visits),
            "endings": .integer(endings),
            "cutRequests": .integer(cutRequests),
        ]
        // Optional: absent means 0, so files without closes read as before.
        if serverCloses > 0 { members["serverCloses"] = .integer(serverCloses) }
        if let source {
            members["edgesOf"] = .integer(source)
        } else {
            members["edges"] = .array(edges.map { $0.jsonValue() })
        }
        return .object(members)
    }
}

extension ObservedReply {
    func jsonValue() -> JSONValue {
        var members: [String: JSONValue] = [
            "count": .integer(count),
            "messages": .array(reply.messages.map { .string(Base64.encode($0)) }),
        ]
        // Optional (format 3): absent means the reply is sent as it was observed.
        if !fields.isEmpty { members["fields"] = .array(fields.map { $0.jsonValue() }) }
        return .object(members)
    }
}

extension LengthFraming {
    func jsonValue() -> JSONValue {
        .object(["offset": .integer(offset), "encoding": .string(encoding.name), "spanStart": .integer(spanStart)])
    }
}

extension ReplyField {
    func jsonValue() -> JSONValue {
        var members: [String: JSONValue] = [
            "class": .string(className),
            "message": .integer(message),
            "offset": .integer(offset),
            "length": .integer(length),
        ]
        switch source {
        case .request(let offset):
            members["requestOffset"] = .integer(offset)
        case .requestText(let after, let until):
            members["after"] = .string(Base64.encode(after))
            if let until { members["until"] = .integer(Int(until)) }
        case .clientAddress:
            break
        case .length(let encoding, let spanStart):
            members["encoding"] = .string(encoding.name)
            members["spanStart"] = .integer(spanStart)
        case .time(let format):
            members["format"] = .string(format.name)
            if case .text(_, let offset) = format { members["utcOffsetMinutes"] = .integer(offset) }
        case .counter(let encoding, let next):
            members["encoding"] = .string(encoding.name)
            members["next"] = .integer(Int(next))
        case .random(let alphabet):
            members["alphabet"] = .string(alphabet.rawValue)
        }
        return .object(members)
    }
}

extension Edge {
    func jsonValue() -> JSONValue {
        .object([
            "pattern": pattern.jsonValue(),
            "target": .integer(target),
            "weight": .integer(weight),
        ])
    }
}

extension Pattern {
    func jsonValue() -> JSONValue {
        .array(elements.map { element in
            switch element {
            case .fixed(let bytes): .object(["fixed": .string(Base64.encode(bytes))])
            case .variable(let min, let max): .object(["var": .array([.integer(min), .integer(max)])])
            }
        })
    }
}

extension BuildReport {
    func jsonValue() -> JSONValue {
        .object([
            "transport": .string(transport.rawValue),
            "port": .integer(port),
            "conversationsUsed": .integer(conversationsUsed),
            "emptyConversations": .integer(emptyConversations),
            "conversationsWithGaps": .integer(conversationsWithGaps),
            "messagesDroppedAtGaps": .integer(messagesDroppedAtGaps),
            "consecutiveClientMessages": .integer(consecutiveClientMessages),
            "requestsCutByFanout": .integer(requestsCutByFanout),
            "pathsCutByStateLimit": .integer(pathsCutByStateLimit),
            "messagesDroppedByLimits": .integer(messagesDroppedByLimits),
            "states": .integer(states),
            "edges": .integer(edges),
            "depth": .integer(depth),
            "largestFanout": .integer(largestFanout),
        ])
    }
}
