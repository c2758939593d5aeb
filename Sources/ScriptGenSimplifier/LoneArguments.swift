import ScriptGenAlignment
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

    /// The machine with the qualifying edges generalised, and how many were. Per state, the
    /// exact edges with an argument are grouped by command (`pattern(for:)`'s fixed start); the
    /// heaviest of each group (ties: the first) gets the gap. Its siblings stay exact: an exact
    /// edge has more fixed bytes, so the emulator still prefers it for its own request (merged
    /// contexts hold `DELE plan.md` and `DELE media/pic.jpg` as two commands). A group is left
    /// alone when a gapped edge of the state could match a request starting with its command.
    static func generalised(_ machine: StateMachine) -> (machine: StateMachine, count: Int) {
        machine.mappingEdgeTables { edges in
            var heaviest: [[UInt8]: (index: Int, pattern: Pattern)] = [:]
            for (index, edge) in edges.enumerated() {
                guard let bytes = edge.pattern.exactBytes, let pattern = pattern(for: bytes),
                      case .fixed(let command) = pattern.elements[0] else { continue }
                if let best = heaviest[command], edges[best.index].weight >= edge.weight { continue }
                heaviest[command] = (index, pattern)
            }
            var updated = edges
            var changed = 0
            for (command, choice) in heaviest {
                let overlaps = edges.contains { edge in
                    guard edge.pattern.exactBytes == nil else { return false }
                    guard case .fixed(let start)? = edge.pattern.elements.first else { return true }
                    return start.starts(with: command) || command.starts(with: start)
                }
                if overlaps { continue }
                updated[choice.index].pattern = choice.pattern
                changed += 1
            }
            return (updated, changed)
        }
    }

    /// The command with a space, a gap for the argument and the line end; nil unless `request`
    /// is one text line (ending in CRLF or LF) of a word, a space and a non-empty argument, or a
    /// RESP array with arguments (`RespPatterns`). Binary requests stay exact.
    static func pattern(for request: [UInt8]) -> Pattern? {
        guard request.allSatisfy(DataClass.isText) else { return nil }
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
