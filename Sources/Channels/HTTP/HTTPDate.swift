public import Foundation

/// Reads the three date forms RFC 9110 §5.6.7 says a recipient must accept.
///
/// `Sun, 06 Nov 1994 08:49:37 GMT` (IMF-fixdate), `Sunday, 06-Nov-94 08:49:37 GMT` (RFC 850) and
/// `Sun Nov  6 08:49:37 1994` (asctime). All are UTC. Written by hand: no locale can change the result.
public enum HTTPDate {
    private static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

    /// - Returns: the instant, or `nil` when `text` is not an HTTP-date.
    public static func parse(_ text: String) -> Date? {
        let words = text.split(whereSeparator: { $0 == " " || $0 == "," }).map(String.init)
        var day: Int?, month: Int?, year: Int?, time: (Int, Int, Int)?
        for word in words {
            let lower = word.lowercased()
            if let index = months.firstIndex(of: lower) {
                month = index + 1
            } else if word.contains(":") {
                let parts = word.split(separator: ":").compactMap { Int($0) }
                guard parts.count == 3 else { return nil }
                time = (parts[0], parts[1], parts[2])
            } else if word.contains("-") {  // RFC 850: 06-Nov-94
                let parts = word.split(separator: "-").map(String.init)
                guard parts.count == 3, let d = Int(parts[0]), let m = months.firstIndex(of: parts[1].lowercased()),
                      let y = Int(parts[2]) else { return nil }
                day = d
                month = m + 1
                year = parts[2].count == 2 ? (y < 70 ? 2000 + y : 1900 + y) : y
            } else if let number = Int(word) {
                if word.count == 4 { year = number } else if day == nil { day = number } else { return nil }
            }
        }
        guard let day, let month, let year, let (hour, minute, second) = time,
              (1...31).contains(day), hour < 24, minute < 60, second <= 60 else { return nil }
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        let days = era * 146_097 + dayOfEra - 719_468
        return Date(timeIntervalSince1970: TimeInterval(days * 86_400 + hour * 3600 + minute * 60 + second))
    }

    /// The seconds a `Retry-After` value asks to wait: delay-seconds, or an HTTP-date relative to `now`.
    /// - Returns: `nil` when the value is neither; never negative.
    public static func retryAfterSeconds(_ value: String, now: Date) -> Double? {
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        if !trimmed.isEmpty, trimmed.allSatisfy(\.isASCII), trimmed.allSatisfy(\.isNumber) {
            return Double(trimmed)
        }
        guard let date = parse(trimmed) else { return nil }
        return max(0, date.timeIntervalSince(now))
    }
}
