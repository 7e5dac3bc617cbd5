import Foundation
import Testing
@testable import Catalog

/// The instant at a UTC wall-clock time, computed by Foundation's calendar, not by the parser under test.
func utc(_ year: Int, _ month: Int, _ day: Int, _ hour: Int = 0, _ minute: Int = 0, _ second: Int = 0) -> Date {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = TimeZone(identifier: "UTC")!
    let components = DateComponents(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
    return calendar.date(from: components)!
}

@Suite struct SaleWindowParsingTests {
    @Test func googleExampleWithOffsetsIsRead() throws {
        let window = try SaleWindow.parse("2024-11-29T00:00+01:00/2024-11-29T23:59+01:00")
        #expect(window == SaleWindow(start: utc(2024, 11, 28, 23, 0), end: utc(2024, 11, 29, 22, 59)))
    }

    @Test func prisjaktMicrosecondsAndNegativeOffsetAreRead() throws {
        let window = try SaleWindow.parse("2016-02-24T13:00:00.000000-08:00/2016-02-29T15:30:00.000000+02:00")
        #expect(window == SaleWindow(start: utc(2016, 2, 24, 21, 0), end: utc(2016, 2, 29, 13, 30)))
    }

    @Test func fractionalSecondsAreKept() throws {
        let window = try SaleWindow.parse("2024-11-29T00:00:00.5Z/2024-11-29T00:00:01.250Z")
        #expect(window.start == utc(2024, 11, 29).addingTimeInterval(0.5))
        #expect(window.end == utc(2024, 11, 29, 0, 0, 1).addingTimeInterval(0.25))
    }

    static let equivalentSpellings = [
        "2024-11-29T00:00Z/2024-11-30T00:00Z",
        "2024-11-29T00:00:00Z/2024-11-30T00:00:00z",
        "2024-11-29t00:00+00:00/2024-11-30T00:00-00:00",
        "2024-11-29T01:00+0100/2024-11-29T19:00-0500",
        "2024-11-29T05:30+05:30/2024-11-30T00:00:00.000000Z",
        "2024-11-29/2024-11-30",
        "  2024-11-29 / 2024-11-30\n",
    ]

    @Test(arguments: equivalentSpellings) func offsetsSecondsAndDateOnlyFormsAgree(_ text: String) throws {
        let window = try SaleWindow.parse(text)
        #expect(window == SaleWindow(start: utc(2024, 11, 29), end: utc(2024, 11, 30)))
    }

    @Test func eitherSideMayBeOpen() throws {
        #expect(try SaleWindow.parse("2024-11-29T00:00Z/") == SaleWindow(start: utc(2024, 11, 29), end: nil))
        #expect(try SaleWindow.parse("/2024-11-30T00:00Z") == SaleWindow(start: nil, end: utc(2024, 11, 30)))
        #expect(try SaleWindow.parse("/") == SaleWindow(start: nil, end: nil))
    }

    @Test func leapDayAndYearEndAreRead() throws {
        #expect(try SaleWindow.parse("2000-02-29/2001-01-01T00:00Z").start == utc(2000, 2, 29))
        #expect(try SaleWindow.parse("1999-12-31T23:59:59Z/").start == utc(1999, 12, 31, 23, 59, 59))
        #expect(try SaleWindow.parse("1969-12-31T23:00Z/").start == utc(1969, 12, 31, 23))
    }

    @Test func windowOfZeroLengthIsAccepted() throws {
        let window = try SaleWindow.parse("2024-11-29T00:00Z/2024-11-29T01:00+01:00")
        #expect(window.start == window.end)
    }

    static let rejections: [(String, String)] = [
        ("", "is empty"),
        ("2024-11-29T00:00+01:00", "two date-times joined by \"/\""),
        ("2024-11-29/2024-11-30/2024-12-01", "two date-times joined by \"/\""),
        ("2024-11-30T00:00Z/2024-11-29T00:00Z", "ends before it starts"),
        ("a/b", "is not an ISO 8601 date"),
        ("2024-1-29/", "is not an ISO 8601 date"),
        ("24-11-29/", "is not an ISO 8601 date"),
        ("2024-13-01/", "month 13"),
        ("2024-00-10/", "month 0"),
        ("2024-02-30/", "day 30"),
        ("2023-02-29/", "day 29"),
        ("2024-11-00/", "day 0"),
        ("2024-11-29T24:00Z/", "hour 24"),
        ("2024-11-29T00:60Z/", "minute 60"),
        ("2024-11-29T00:00:60Z/", "second 60"),
        ("2024-11-29T00:00/", "no time zone offset"),
        ("2024-11-29T00:00:00./", "fraction"),
        ("2024-11-29T00:00+1:00/", "offset"),
        ("2024-11-29T00:00+01:0/", "offset"),
        ("2024-11-29T00:00+01:60/", "offset"),
        ("2024-11-29T00:00+0100x/", "offset"),
        ("2024-11-29T0:00Z/", "time"),
        ("2024-11-29T/", "time"),
        ("2024-11-29X00:00Z/", "is not an ISO 8601 date"),
    ]

    @Test(arguments: rejections) func malformedWindowIsRejectedWithAReason(_ text: String, _ why: String) {
        let error = #expect(throws: MoneyParseError.self) { try SaleWindow.parse(text) }
        #expect(error?.why.contains(why) == true, "\(error?.why ?? "no error")")
    }
}

extension SaleWindowParsingTests {
    @Test func windowEndingACRLFLineIsRead() throws {
        let window = try SaleWindow.parse("2024-11-29T00:00Z/2024-11-30T00:00Z\r\n")
        #expect(window == SaleWindow(start: utc(2024, 11, 29), end: utc(2024, 11, 30)))
    }
}
