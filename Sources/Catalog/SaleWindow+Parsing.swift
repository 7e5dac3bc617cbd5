import Foundation

extension SaleWindow {
    /// Parses Google's `sale_price_effective_date`: two ISO 8601 date-times joined by `/`.
    ///
    /// `2024-11-29T00:00+01:00/2024-11-29T23:59+01:00`. Seconds and fractional seconds (up to
    /// nanoseconds) are optional; offsets are `Z`, `±hh:mm` or `±hhmm`, and a time needs one. A
    /// date alone (`2024-11-29`) is midnight UTC. Either side may be empty, leaving that end open.
    /// See https://support.google.com/merchants/answer/6324460 and RFC 3339.
    ///
    /// - Throws: `MoneyParseError` for a malformed date-time or an end before the start.
    public static func parse(_ text: some StringProtocol) throws(MoneyParseError) -> SaleWindow {
        let trimmed = trimmingBlanks(Substring(text))
        guard !trimmed.isEmpty else { throw MoneyParseError("is empty") }
        let sides = trimmed.split(separator: "/", omittingEmptySubsequences: false)
        guard sides.count == 2 else { throw MoneyParseError("is not two date-times joined by \"/\"") }
        let start = try instant(trimmingBlanks(sides[0])), end = try instant(trimmingBlanks(sides[1]))
        if let start, let end, end < start { throw MoneyParseError("ends before it starts") }
        return SaleWindow(start: start, end: end)
    }

    /// The instant one side names, or `nil` for an empty (open) side.
    private static func instant(_ text: Substring) throws(MoneyParseError) -> Date? {
        guard !text.isEmpty else { return nil }
        var reader = DateTimeReader(bytes: Array(text.utf8))
        func fail(_ what: String, _ note: String = "") -> MoneyParseError {
            MoneyParseError("has \(what) in \"\(text)\"\(note)")
        }
        guard let year = reader.number(4), reader.skip("-"), let month = reader.number(2), reader.skip("-"),
              let day = reader.number(2) else {
            throw MoneyParseError("has \"\(text)\", which is not an ISO 8601 date (YYYY-MM-DD) or date-time")
        }
        guard (1...12).contains(month) else { throw fail("month \(month)") }
        let monthLength = [31, isLeap(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
        guard (1...monthLength).contains(day) else { throw fail("day \(day)", "; that month has \(monthLength) days") }
        var seconds = daysSinceEpoch(year: year, month: month, day: day) * 86_400
        if reader.isAtEnd { return Date(timeIntervalSince1970: TimeInterval(seconds)) }

        guard reader.skip("T") || reader.skip("t") else {
            throw MoneyParseError("has \"\(text)\", which is not an ISO 8601 date-time (YYYY-MM-DDThh:mm±hh:mm)")
        }
        guard let hour = reader.number(2), reader.skip(":"), let minute = reader.number(2) else {
            throw fail("a malformed time (expected hh:mm)")
        }
        var second = 0, nanoseconds = 0
        if reader.skip(":") {
            guard let value = reader.number(2) else { throw fail("malformed seconds (expected hh:mm:ss)") }
            second = value
            if reader.skip(".") {
                let digits = reader.digits()
                guard (1...9).contains(digits.count) else { throw fail("a fraction of a second of 1 to 9 digits") }
                nanoseconds = digits.reduce(0) { $0 * 10 + $1 }
                for _ in digits.count..<9 { nanoseconds *= 10 }
            }
        }
        guard hour < 24 else { throw fail("hour \(hour)") }
        guard minute < 60 else { throw fail("minute \(minute)") }
        guard second < 60 else { throw fail("second \(second)") }
        seconds += hour * 3600 + minute * 60 + second

        guard !reader.isAtEnd else { throw fail("no time zone offset", "; add Z or ±hh:mm") }
        if !(reader.skip("Z") || reader.skip("z")) {
            let sign = reader.skip("+") ? 1 : reader.skip("-") ? -1 : 0
            guard sign != 0, let hours = reader.number(2), hours < 24 else {
                throw fail("a malformed time zone offset")
            }
            _ = reader.skip(":")
            guard let minutes = reader.number(2), minutes < 60 else { throw fail("a malformed time zone offset") }
            seconds -= sign * (hours * 3600 + minutes * 60)
        }
        guard reader.isAtEnd else { throw fail("a malformed time zone offset") }
        // TimeInterval is Date's own unit; whole seconds and nanoseconds stay exact up to the last step.
        return Date(timeIntervalSince1970: TimeInterval(seconds) + TimeInterval(nanoseconds) / 1_000_000_000)
    }

    private static func isLeap(_ year: Int) -> Bool { year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) }

    /// Days from 1970-01-01 in the proleptic Gregorian calendar (Howard Hinnant's `days_from_civil`).
    private static func daysSinceEpoch(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}

/// Reads ASCII digits and punctuation from the front of a date-time.
private struct DateTimeReader {
    let bytes: [UInt8]
    var position = 0

    var isAtEnd: Bool { position == bytes.count }

    /// Consumes `character` if it comes next.
    mutating func skip(_ character: Unicode.Scalar) -> Bool {
        guard position < bytes.count, bytes[position] == UInt8(character.value) else { return false }
        position += 1
        return true
    }

    /// Consumes exactly `count` digits, or nothing.
    mutating func number(_ count: Int) -> Int? {
        guard position + count <= bytes.count,
              bytes[position..<position + count].allSatisfy({ (48...57).contains($0) }) else { return nil }
        defer { position += count }
        return bytes[position..<position + count].reduce(0) { $0 * 10 + Int($1 - 48) }
    }

    /// Consumes every digit that comes next.
    mutating func digits() -> [Int] {
        let end = bytes[position...].firstIndex { !(48...57).contains($0) } ?? bytes.count
        defer { position = end }
        return bytes[position..<end].map { Int($0 - 48) }
    }
}
