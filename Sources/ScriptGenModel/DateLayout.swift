/// A text date layout, strftime-style (`%a, %d %b %Y %H:%M:%S %z`): how a time field's date is
/// written. The simplifier recognises a reply's date by parsing it with each of `candidates`;
/// the emulator writes the current time in the layout it was seen in. No locale: English day
/// and month names, as every text protocol writes them.
///
/// Directives: `%a` weekday (`Mon`), `%b` month (`Jan`), `%d` day (`07`), `%e` day (` 7`), `%m`
/// month (`01`), `%Y` year (`2026`), `%H` `%M` `%S` (`09`), `%z` zone offset (`+0000`), `%%`.
/// Anything else is literal text. Every directive has a fixed width, so a layout's dates all
/// have one length.
public struct DateLayout: Hashable, Sendable, CustomStringConvertible {
    public let text: String
    private let tokens: [Token]

    private enum Token: Hashable {
        case literal(UInt8)
        case weekday, month, day, spacedDay, monthNumber, year, hour, minute, second, zone
    }

    /// Nil when `text` has an unknown directive.
    public init?(_ text: String) {
        var tokens: [Token] = []
        var bytes = Array(text.utf8)[...]
        while let byte = bytes.popFirst() {
            guard byte == UInt8(ascii: "%") else {
                tokens.append(.literal(byte))
                continue
            }
            guard let directive = bytes.popFirst() else { return nil }
            switch directive {
            case UInt8(ascii: "a"): tokens.append(.weekday)
            case UInt8(ascii: "b"): tokens.append(.month)
            case UInt8(ascii: "d"): tokens.append(.day)
            case UInt8(ascii: "e"): tokens.append(.spacedDay)
            case UInt8(ascii: "m"): tokens.append(.monthNumber)
            case UInt8(ascii: "Y"): tokens.append(.year)
            case UInt8(ascii: "H"): tokens.append(.hour)
            case UInt8(ascii: "M"): tokens.append(.minute)
            case UInt8(ascii: "S"): tokens.append(.second)
            case UInt8(ascii: "z"): tokens.append(.zone)
            case UInt8(ascii: "%"): tokens.append(.literal(UInt8(ascii: "%")))
            default: return nil
            }
        }
        guard !tokens.isEmpty else { return nil }
        self.text = text
        self.tokens = tokens
    }

    public var description: String { text }

    /// The layouts the simplifier tries, longest first: the Internet message and HTTP dates,
    /// asctime, the common log format, ISO 8601 and the packed digits of file times.
    public static let candidates: [DateLayout] = [
        "%a, %d %b %Y %H:%M:%S %z", "%a, %e %b %Y %H:%M:%S %z", "%a, %d %b %Y %H:%M:%S GMT", "%a, %d %b %Y %H:%M:%S UTC",
        "%a %b %e %H:%M:%S %Y", "%a %b %d %H:%M:%S %Y", "%d/%b/%Y:%H:%M:%S %z",
        "%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%d %H:%M:%S", "%Y%m%d%H%M%S",
    ].compactMap(DateLayout.init)

    /// Bytes of every date in this layout.
    public var length: Int {
        tokens.reduce(0) { total, token in
            switch token {
            case .literal: total + 1
            case .weekday, .month: total + 3
            case .year, .zone: total + (token == .year ? 4 : 5)
            default: total + 2
            }
        }
    }

    /// A date parsed from `bytes` at `start`: seconds since 1970 (UTC) and the zone offset in
    /// minutes (0 without `%z`). Nil unless every directive reads a valid value and a weekday,
    /// if written, is the date's.
    public func parse(_ bytes: some RandomAccessCollection<UInt8>, at start: Int) -> (seconds: Int64, utcOffsetMinutes: Int)? {
        let bytes = Array(bytes)
        guard start >= 0, start + length <= bytes.count else { return nil }
        var position = start
        var weekday: Int64?
        var year: Int64 = 0, month: Int64 = 0, day: Int64 = 0, hour: Int64 = 0, minute: Int64 = 0, second: Int64 = 0
        var offset = 0
        func digits(_ count: Int, spaced: Bool = false) -> Int64? {
            var value: Int64 = 0
            for index in 0..<count {
                let byte = bytes[position + index]
                if spaced && index == 0 && byte == UInt8(ascii: " ") { continue }
                guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
                value = value * 10 + Int64(byte - UInt8(ascii: "0"))
            }
            position += count
            return value
        }
        func name(in names: [[UInt8]]) -> Int64? {
            let word = Array(bytes[position..<(position + 3)])
            guard let index = names.firstIndex(of: word) else { return nil }
            position += 3
            return Int64(index)
        }
        for token in tokens {
            switch token {
            case .literal(let byte):
                guard bytes[position] == byte else { return nil }
                position += 1
            case .weekday: guard let value = name(in: Self.weekdayNames) else { return nil }; weekday = value
            case .month: guard let value = name(in: Self.monthNames) else { return nil }; month = value + 1
            case .day: guard let value = digits(2) else { return nil }; day = value
            case .spacedDay: guard let value = digits(2, spaced: true) else { return nil }; day = value
            case .monthNumber: guard let value = digits(2) else { return nil }; month = value
            case .year: guard let value = digits(4) else { return nil }; year = value
            case .hour: guard let value = digits(2), value < 24 else { return nil }; hour = value
            case .minute: guard let value = digits(2), value < 60 else { return nil }; minute = value
            case .second: guard let value = digits(2), value < 61 else { return nil }; second = value
            case .zone:
                let sign = bytes[position]
                guard sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") else { return nil }
                position += 1
                guard let hours = digits(2), let minutes = digits(2), hours < 24, minutes < 60 else { return nil }
                offset = Int(hours * 60 + minutes) * (sign == UInt8(ascii: "-") ? -1 : 1)
            }
        }
        guard (1...12).contains(month), (1...ModelTime.daysInMonth(year: year, month: month)).contains(day) else { return nil }
        let days = ModelTime.daysFromCivil(year: year, month: month, day: day)
        if let weekday, weekday != Self.weekday(ofDays: days) { return nil }
        let local = days * 86_400 + hour * 3600 + minute * 60 + second
        return (local - Int64(offset) * 60, offset)
    }

    /// `seconds` since 1970 (UTC) written in this layout, in the zone `utcOffsetMinutes` east.
    public func format(seconds: Int64, utcOffsetMinutes: Int) -> [UInt8] {
        let (days, secondOfDay) = ModelTime.dayAndSecond(ofUnixSeconds: seconds + Int64(utcOffsetMinutes) * 60)
        let (year, month, day) = ModelTime.civil(fromDays: days)
        var out: [UInt8] = []
        out.reserveCapacity(length)
        // The last `width` digits of `value`, padded on the left; no strings (a reply may
        // carry a date on every answer).
        func append(_ value: Int64, width: Int, pad: UInt8 = UInt8(ascii: "0")) {
            let start = out.count
            var rest = Swift.max(0, value)
            for _ in 0..<width { out.append(pad) }
            var index = out.count - 1
            repeat {
                out[index] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
                index -= 1
            } while rest > 0 && index >= start
        }
        for token in tokens {
            switch token {
            case .literal(let byte): out.append(byte)
            case .weekday: out += Self.weekdayNames[Int(Self.weekday(ofDays: days))]
            case .month: out += Self.monthNames[Int(month - 1)]
            case .day: append(day, width: 2)
            case .spacedDay: append(day, width: 2, pad: UInt8(ascii: " "))
            case .monthNumber: append(month, width: 2)
            case .year: append(year, width: 4)
            case .hour: append(secondOfDay / 3600, width: 2)
            case .minute: append(secondOfDay / 60 % 60, width: 2)
            case .second: append(secondOfDay % 60, width: 2)
            case .zone:
                out.append(utcOffsetMinutes < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+"))
                append(Int64(abs(utcOffsetMinutes) / 60), width: 2)
                append(Int64(abs(utcOffsetMinutes) % 60), width: 2)
            }
        }
        return out
    }

    /// 0 for Sunday: 1970-01-01 was a Thursday.
    private static func weekday(ofDays days: Int64) -> Int64 {
        (days + 4) - (days + 4).floorDivided(by: 7) * 7
    }

    private static let weekdayNames = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"].map { Array($0.utf8) }
    private static let monthNames = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"].map { Array($0.utf8) }
}
