import ScriptGenAlignment
import ScriptGenModel

/// Fields the server varies by itself (docs/simplifier.md, *Reply fields*): bytes that no copy
/// explains are a date, a counter or random when the observations show it. Tried in that order
/// from each varying byte; the first that fits takes the bytes.
extension ReplyFieldInference {
    /// Dates between these years are taken for the current time (binary ones especially: most
    /// 8-byte values are not a FILETIME of this century).
    static let plausibleYears: ClosedRange<Int64> = 2000...2099
    /// Binary bytes this long that differ in every observation are random even when no request
    /// path was seen twice: 8 bytes repeat by chance once in 2^64.
    static let minBinaryRandomLength = 8

    static func selfVaryingFields(in group: [Sample], besides copies: [ReplyField], options: SimplifierOptions) -> [ReplyField] {
        guard let first = group.first, group.count >= 2 else { return [] }
        var fields: [ReplyField] = []
        for message in first.reply.messages.indices {
            let length = min(group.map { $0.reply.messages[message].count }.min() ?? 0, maxScannedBytes)
            var covered = [Bool](repeating: false, count: length)
            for copy in copies where copy.message == message {
                for offset in copy.offset..<min(length, copy.offset + copy.length) { covered[offset] = true }
            }
            let isText = group.allSatisfy { sample in sample.reply.messages[message].allSatisfy(DataClass.isText) }
            var scope = Scope(group: group, message: message, length: length, covered: covered, isText: isText, options: options)
            var position = 0
            while position < length {
                guard !covered[position], varies(at: position, message: message, in: group),
                      let field = scope.timeField(at: position) ?? scope.counterField(at: position) ?? scope.randomField(at: position)
                else {
                    position += 1
                    continue
                }
                fields.append(field)
                for offset in field.offset..<(field.offset + field.length) { covered[offset] = true }
                scope.covered = covered
                position = field.offset + field.length
            }
        }
        return fields
    }

    /// One message of a group of observations, and the bytes already explained.
    struct Scope {
        let group: [Sample]
        let message: Int
        /// Bytes every observation's message has (at most `maxScannedBytes`).
        let length: Int
        var covered: [Bool]
        /// Every observation of the message is text: no binary number or binary nonce in it.
        let isText: Bool
        let options: SimplifierOptions

        func values(_ range: Range<Int>) -> [ArraySlice<UInt8>] {
            group.map { $0.reply.messages[message][range] }
        }

        /// The range is inside the scanned bytes and explains nothing already explained.
        func isFree(_ range: Range<Int>) -> Bool {
            range.lowerBound >= 0 && range.upperBound <= length && !range.contains { covered[$0] }
        }

        /// Some request path was answered with different bytes here: the server's choice,
        /// not the request's.
        func variesForOneRequestPath(_ range: Range<Int>) -> Bool {
            var seen: [StateID: ArraySlice<UInt8>] = [:]
            for sample in group {
                let value = sample.reply.messages[message][range]
                if let earlier = seen[sample.rawState] {
                    if earlier != value { return true }
                } else {
                    seen[sample.rawState] = value
                }
            }
            return false
        }

        /// A date in the same layout (text) or format (binary) at the same place in every
        /// observation, holding `position`; not the same date everywhere; the current time
        /// (one request path got several, or they all lie within `maxTimeSpreadDays`).
        func timeField(at position: Int) -> ReplyField? {
            for layout in DateLayout.candidates {
                let size = layout.length
                for start in max(0, position - size + 1)...position where isFree(start..<(start + size)) {
                    var times: [Int64] = []
                    var zone: Int?
                    for sample in group {
                        guard let parsed = layout.parse(sample.reply.messages[message], at: start), zone == nil || zone == parsed.utcOffsetMinutes else { break }
                        zone = parsed.utcOffsetMinutes
                        times.append(parsed.seconds)
                    }
                    guard times.count == group.count, let zone, isCurrentTime(times, range: start..<(start + size)) else { continue }
                    return ReplyField(message: message, offset: start, length: size, source: .time(.text(layout, utcOffsetMinutes: zone)))
                }
            }
            guard !isText else { return nil }
            // Eight bytes, little-endian, a FILETIME of this century: most 8-byte values are not.
            // (Four-byte Unix seconds are not tried: a quarter of all values is a plausible
            // time, and a length followed by a random byte passed every test of spread.)
            for start in max(0, position - 7)...position where isFree(start..<(start + 8)) {
                let range = start..<(start + 8)
                let times = values(range).compactMap { bytes in
                    NumberEncoding.binary(width: 8, bigEndian: false).value(of: bytes).flatMap { raw in
                        raw >= TimeFormat.filetimeOfUnixEpoch ? (raw - TimeFormat.filetimeOfUnixEpoch) / 10_000_000 : nil
                    }
                }
                guard times.count == group.count, isCurrentTime(times, range: range) else { continue }
                return ReplyField(message: message, offset: start, length: 8, source: .time(.filetime))
            }
            return nil
        }

        private func isCurrentTime(_ times: [Int64], range: Range<Int>) -> Bool {
            guard times.allSatisfy({ Self.isPlausible($0) }), Set(times).count >= options.minFieldValues else { return false }
            return variesForOneRequestPath(range) || isWithinSpread(times)
        }

        private func isWithinSpread(_ times: [Int64]) -> Bool {
            guard let earliest = times.min(), let latest = times.max() else { return false }
            return latest - earliest <= Int64(max(0, options.maxTimeSpreadDays)) * 86_400
        }

        static func isPlausible(_ seconds: Int64) -> Bool {
            ReplyFieldInference.plausibleYears.contains(ModelTime.civil(fromDays: ModelTime.dayAndSecond(ofUnixSeconds: seconds).days).year)
        }

        /// A number at the same place in every observation (2 or 4 bytes, either way round)
        /// that one request path was answered with several of, all distinct, whose sorted
        /// values step by at most `maxCounterStep` on average. It continues from the largest
        /// value seen. (Decimal text is not tried: the last digits of a client's address grow
        /// the same way when the clients are numbered hosts.)
        func counterField(at position: Int) -> ReplyField? {
            guard !isText, group.count >= max(3, options.minFieldObservations) else { return nil }
            for width in [4, 2] {
                for bigEndian in [false, true] {
                    let encoding = NumberEncoding.binary(width: width, bigEndian: bigEndian)
                    for start in max(0, position - width + 1)...position where isFree(start..<(start + width)) {
                        let range = start..<(start + width)
                        let numbers = values(range).compactMap { encoding.value(of: $0) }
                        guard numbers.count == group.count, Set(numbers).count == numbers.count,
                              let smallest = numbers.min(), let largest = numbers.max(),
                              largest - smallest <= Int64(max(1, options.maxCounterStep)) * Int64(numbers.count - 1),
                              variesForOneRequestPath(range) else { continue }
                        return ReplyField(message: message, offset: start, length: width, source: .counter(encoding, next: largest + 1))
                    }
                }
            }
            return nil
        }

        /// The run of varying bytes from `position`, at least `minRandomLength` long and
        /// distinct in every observation: random, of the narrowest alphabet holding every
        /// observed byte, when one request path was answered with different bytes there — or,
        /// binary and at least `minBinaryRandomLength` long, even without (a nonce answering a
        /// request that carries its own is never asked twice).
        func randomField(at position: Int) -> ReplyField? {
            var stop = position
            while stop < length, !covered[stop], varies(at: stop, message: message, in: group) { stop += 1 }
            let range = position..<stop
            guard range.count >= max(1, options.minRandomLength) else { return nil }
            let observed = values(range)
            guard Set(observed).count == observed.count else { return nil }
            let alphabet = RandomAlphabet.allCases.first { alphabet in observed.allSatisfy { $0.allSatisfy(alphabet.contains) } } ?? .binary
            guard variesForOneRequestPath(range)
                || (!isText && alphabet == .binary && range.count >= ReplyFieldInference.minBinaryRandomLength && group.count >= options.minFieldObservations)
            else { return nil }
            return ReplyField(message: message, offset: position, length: range.count, source: .random(alphabet))
        }
    }
}
