import ScriptGenModel

/// The last step of the simplifier (`generaliseLoneArguments`): a one-line text command seen
/// once with an argument (`helo oldclient\r\n`) is an exact edge, so the next client's
/// `helo legacy.host` matches nothing. A text protocol's first word is its command and the rest
/// of the line its argument; one sample says nothing of which arguments the server takes, and
/// a host name, path or key seen once is as likely to come back different as the same. So the
/// argument becomes a gap: `"helo " <var 1-64 bytes> "\r\n"`.
///
/// It runs after context merging on purpose: generalised earlier, `SIZE a` (answered 213) and
/// `SIZE b` (550) would unify and the conflict would keep their contexts apart.
enum LoneArguments {
    /// The gap takes 1 to max(this, twice the length seen) bytes.
    static let maxArgumentLength = 64

    /// The machine with every qualifying edge generalised, and how many were. An edge qualifies
    /// when `pattern(for:)` gives a pattern and no other edge of its state could match a request
    /// that starts with the same command (so routing of the training requests is unchanged).
    static func generalised(_ machine: StateMachine) -> (machine: StateMachine, count: Int) {
        var machine = machine
        var count = 0
        for stateIndex in machine.states.indices {
            let edges = machine.states[stateIndex].edges
            for (index, edge) in edges.enumerated() {
                guard let bytes = edge.pattern.exactBytes, let pattern = pattern(for: bytes),
                      case .fixed(let command) = pattern.elements[0] else { continue }
                let overlaps = edges.indices.contains { other in
                    guard other != index, case .fixed(let start)? = edges[other].pattern.elements.first else { return other != index }
                    return start.starts(with: command) || command.starts(with: start)
                }
                if overlaps { continue }
                machine.states[stateIndex].edges[index].pattern = pattern
                count += 1
            }
        }
        return (machine, count)
    }

    /// The command with a space, a gap for the argument and the line end; nil unless `request`
    /// is one text line (ending in CRLF or LF) of a word, a space and a non-empty argument, or a
    /// RESP array with arguments (`RespPatterns`). Binary requests stay exact.
    static func pattern(for request: [UInt8]) -> Pattern? {
        guard request.allSatisfy(EdgeGeneraliser.isText) else { return nil }
        if EdgeGeneraliser.respCommand(request) != nil { return RespPatterns.pattern(forArrays: [request], loneArgumentLength: maxArgumentLength) }
        let terminator: [UInt8] = request.suffix(2) == [0x0D, 0x0A] ? [0x0D, 0x0A] : request.last == 0x0A ? [0x0A] : []
        guard !terminator.isEmpty else { return nil }
        let line = request.dropLast(terminator.count)
        guard !line.contains(0x0A), !line.contains(0x0D),
              let space = line.firstIndex(of: 0x20), space > line.startIndex else { return nil }
        let argument = line[(space + 1)...]
        guard let first = argument.first, first != 0x20, first != 0x09 else { return nil }
        return Pattern(elements: [
            .fixed(Array(line[...space])),
            .variable(min: 1, max: max(maxArgumentLength, 2 * argument.count)),
            .fixed(terminator),
        ])
    }
}
