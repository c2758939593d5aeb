import ScriptGenAlignment
import ScriptGenModel

/// Whether two observed replies say the same thing, for state merging: the same status, not
/// the same bytes (a passive-mode port, a queue id or a date differ on every answer).
///
/// - Silence is only compatible with silence; replies with different message counts are not
///   compatible.
/// - Two text messages (printable ASCII, tab, CR, LF) are compatible when their **status
///   tokens** are equal: the first word (`230`, `+OK`, `-ERR`), the first two for an HTTP
///   status line (`HTTP/1.1 404`), and only the sigil for a token that is a sigil followed by
///   digits (RESP `$15`, `:1`, `*3`: a length or count, not a status).
/// - Otherwise (binary) they are compatible when 1 − d over their first `binaryPrefixBytes`
///   bytes is at least `binarySimilarity` (d the PI alignment distance).
struct ReplyCompatibility {
    var binarySimilarity: Double
    static let binaryPrefixBytes = 64
    private let aligner = PairwiseAligner(scoring: .distanceDefault)

    /// See `SimplifierOptions.minConflictObservations`.
    let minConflictObservations: Int

    init(binarySimilarity: Double, minConflictObservations: Int = 1) {
        self.binarySimilarity = binarySimilarity
        self.minConflictObservations = minConflictObservations
    }

    /// The most frequent replies of `a` and `b` (what the emulator sends) are compatible.
    /// Comparing any pair instead let a general command with mixed answers (`GET <path>`:
    /// 200 and 404) absorb a specific one (`GET /`: 200), whose answer was then lost.
    /// A command with no observed reply (the conversation ended before an answer) is compatible
    /// with anything: nothing was said.
    func defaultsCompatible(_ a: [ObservedReply], _ b: [ObservedReply]) -> Bool {
        guard let x = a.first, let y = b.first else { return true }
        return compatible(x.reply, y.reply)
    }

    /// Whether incompatible replies are evidence enough to keep two contexts apart: each side
    /// observed at least `minConflictObservations` replies. With arguments the reply depends on
    /// (`RETR` of a file that exists or not), one observation per context differs by chance.
    func conflictIsEvident(_ a: [ObservedReply], _ b: [ObservedReply]) -> Bool {
        let enough = minConflictObservations
        let observations = { (replies: [ObservedReply]) in replies.reduce(0) { min($0 + min($1.count, enough), enough) } }
        return observations(a) >= enough && observations(b) >= enough
    }

    func compatible(_ a: Reply, _ b: Reply) -> Bool {
        guard a.messages.count == b.messages.count else { return false }
        for (x, y) in zip(a.messages, b.messages) where !compatible(x, y) {
            return false
        }
        return true
    }

    func compatible(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        if a == b { return true }
        if let tokenA = Self.statusToken(a), let tokenB = Self.statusToken(b) {
            return tokenA == tokenB
        }
        let x = Array(a.prefix(Self.binaryPrefixBytes)), y = Array(b.prefix(Self.binaryPrefixBytes))
        return 1 - aligner.distance(x, y) >= binarySimilarity
    }

    /// The status token of a text message (see the type's comment); nil for binary messages.
    static func statusToken(_ message: [UInt8]) -> [UInt8]? {
        guard !message.isEmpty, message.allSatisfy(DataClass.isText) else { return nil }
        let first = word(message, from: 0)
        if first.starts(with: Array("HTTP/".utf8)) {
            return first + [0x20] + word(message, from: first.count + 1)
        }
        if first.count >= 2, [UInt8(ascii: "$"), UInt8(ascii: ":"), UInt8(ascii: "*")].contains(first[0]),
           first.dropFirst().allSatisfy({ $0 == UInt8(ascii: "-") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) {
            return [first[0]]
        }
        return first
    }

    private static func word(_ message: [UInt8], from start: Int) -> [UInt8] {
        guard start < message.count else { return [] }
        var end = start
        while end < message.count && !isSeparator(message[end]) { end += 1 }
        return Array(message[start..<end])
    }

    private static func isSeparator(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0A
    }
}
