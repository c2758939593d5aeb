/// Capture times in the model file as ISO 8601 UTC text (`2005-03-01T12:00:00.25Z`): exact to
/// the nanosecond, readable, and safe from JSON readers that turn big integers into doubles.
/// Written without Foundation with the days-from-civil conversion (proleptic Gregorian).
///
/// Every `Int64` formats (1677-09-21T00:12:43.145224192Z to 2262-04-11T23:47:16.854775807Z), and
/// `parse` is its exact inverse: a capture with an absurd timestamp is recorded as it is, and a
/// text time outside that range is rejected (nil) rather than overflowing.
package enum ModelTime {
    private static let nanosecondsPerSecond: Int64 = 1_000_000_000

    /// `YYYY-MM-DDTHH:MM:SS[.fraction]Z`; the fraction has no trailing zeros and is omitted when zero.
    static func format(nanoseconds: Int64) -> String {
        let seconds = nanoseconds.floorDivided(by: nanosecondsPerSecond)
        // From the remainder, not `nanoseconds - seconds * 1e9`: near Int64.min that product overflows.
        let remainder = nanoseconds % nanosecondsPerSecond
        let fraction = remainder < 0 ? remainder + nanosecondsPerSecond : remainder
        let (days, secondOfDay) = dayAndSecond(ofUnixSeconds: seconds)
        let (year, month, day) = civil(fromDays: days)
        func pad(_ value: Int64, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        var text = "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T"
        text += "\(pad(secondOfDay / 3600, 2)):\(pad(secondOfDay / 60 % 60, 2)):\(pad(secondOfDay % 60, 2))"
        if fraction > 0 {
            var digits = pad(fraction, 9)
            while digits.hasSuffix("0") { digits.removeLast() }
            text += "." + digits
        }
        return text + "Z"
    }

    /// Parses exactly the form `format` writes (years 0000-9999, 1-9 fraction digits); nil for
    /// a malformed time or one whose nanoseconds since 1970 do not fit an `Int64` (before
    /// 1677-09-21T00:12:43.145224192Z or after 2262-04-11T23:47:16.854775807Z).
    static func parse(_ text: String) -> Int64? {
        let bytes = Array(text.utf8)
        guard bytes.count >= 20, bytes.last == UInt8(ascii: "Z") else { return nil }
        func number(_ range: Range<Int>) -> Int64? {
            var value: Int64 = 0
            for index in range {
                let byte = bytes[index]
                guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
                value = value * 10 + Int64(byte - UInt8(ascii: "0"))
            }
            return value
        }
        let separators: [(Int, Character)] = [(4, "-"), (7, "-"), (10, "T"), (13, ":"), (16, ":")]
        for (index, separator) in separators where bytes[index] != separator.asciiValue! { return nil }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
              let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19),
              (1...12).contains(month), (1...daysInMonth(year: year, month: month)).contains(day),
              hour < 24, minute < 60, second < 60
        else { return nil }
        var fraction: Int64 = 0
        if bytes.count > 20 {
            let digitCount = bytes.count - 21
            guard bytes[19] == UInt8(ascii: "."), (1...9).contains(digitCount), let digits = number(20..<(bytes.count - 1)) else { return nil }
            fraction = digits
            for _ in digitCount..<9 { fraction *= 10 }
        } else if bytes.count != 20 {
            return nil
        }
        // Days and seconds stay far inside Int64 for years 0000-9999; the nanoseconds may not.
        let days = daysFromCivil(year: year, month: month, day: day)
        var seconds = days * 86_400 + hour * 3600 + minute * 60 + second
        var fractionPart = fraction
        if seconds < 0 && fractionPart > 0 {
            // Borrow a second so the product stays in range down to Int64.min exactly.
            seconds += 1
            fractionPart -= nanosecondsPerSecond
        }
        let (whole, productOverflow) = seconds.multipliedReportingOverflow(by: nanosecondsPerSecond)
        let (total, sumOverflow) = whole.addingReportingOverflow(fractionPart)
        guard !productOverflow, !sumOverflow else { return nil }
        return total
    }

    static func daysInMonth(year: Int64, month: Int64) -> Int64 {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
        let shiftedYear = month <= 2 ? year - 1 : year
        let era = shiftedYear.floorDivided(by: 400)
        let yearOfEra = shiftedYear - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The day since 1970 and the second of that day of `seconds` since 1970 (rounded down,
    /// so a time before 1970 lands on its own day).
    package static func dayAndSecond(ofUnixSeconds seconds: Int64) -> (days: Int64, secondOfDay: Int64) {
        let days = seconds.floorDivided(by: 86_400)
        return (days, seconds - days * 86_400)
    }

    /// Civil-from-days (Howard Hinnant's algorithm, proleptic Gregorian): no locale or libc
    /// time zone involved. The one date computation: the server's log times use it too.
    package static func civil(fromDays days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let shifted = days + 719_468
        let era = shifted.floorDivided(by: 146_097)
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}

extension Int64 {
    /// Division rounding toward negative infinity (times before 1970 stay correct).
    package func floorDivided(by divisor: Int64) -> Int64 {
        let quotient = self / divisor
        return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? quotient - 1 : quotient
    }
}
