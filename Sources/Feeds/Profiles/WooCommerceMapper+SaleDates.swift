import Catalog
import Foundation

extension WooCommerceMapper {
    /// Sets the offer's sale window from `Date sale price starts` / `Date sale price ends`.
    ///
    /// WooCommerce writes the store's local date (`2024-11-29`), sometimes with a time (`2024-11-29 00:00:00`);
    /// a sale runs from the start day's 00:00 through the whole end day, so a date-only end becomes the next
    /// day's 00:00 (`SaleWindow` ends are exclusive). The text passed on to channels is the same window in
    /// ISO 8601 (`2024-11-29T00:00:00+01:00/2024-11-30T00:00:00+01:00`).
    func saleWindow(_ row: RowFields, into offer: inout Offer) throws(FeedIssue) {
        let startField = "Date sale price starts", endField = "Date sale price ends"
        let start = try row.text(startField).map { text throws(FeedIssue) in
            try instant(text, field: startField, row: row, endOfDay: false)
        }
        let end = try row.text(endField).map { text throws(FeedIssue) in
            try instant(text, field: endField, row: row, endOfDay: true)
        }
        guard start != nil || end != nil else { return }
        if let start, let end, end <= start {
            throw row.invalid(endField, row.text(endField) ?? "", "is not after the start of the sale")
        }
        offer.saleWindow = SaleWindow(start: start, end: end)
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = context.timeZone ?? TimeZone(identifier: "UTC")
        offer.saleWindowText = (start.map(formatter.string) ?? "") + "/" + (end.map(formatter.string) ?? "")
    }

    /// The instant a local date (and optional time) names in the context's time zone.
    private func instant(_ text: String, field: String, row: RowFields, endOfDay: Bool) throws(FeedIssue) -> Date {
        let parts = text.split(whereSeparator: { $0 == " " || $0 == "T" })
        guard (1...2).contains(parts.count), parts[0].utf8.count == 10 else {
            throw row.invalid(field, text, "is not a date (YYYY-MM-DD) with an optional time (hh:mm:ss)")
        }
        let iso = parts[0] + "T" + (parts.count == 2 ? parts[1] : "00:00:00") + "Z"
        let utc: Date
        do throws(MoneyParseError) {
            guard let parsed = try SaleWindow.parse(iso + "/").start else { throw MoneyParseError("is empty") }
            utc = parsed
        } catch {
            throw row.invalid(field, text, error.why)
        }
        // The wall-clock time is local: shift by the zone's offset at that moment.
        let zone = context.timeZone ?? TimeZone(secondsFromGMT: 0)!
        let guess = utc.addingTimeInterval(-Double(zone.secondsFromGMT(for: utc)))
        var local = utc.addingTimeInterval(-Double(zone.secondsFromGMT(for: guess)))
        if endOfDay && parts.count == 1 {
            // The next local midnight: 24 hours later, corrected for a daylight-saving change that night.
            let next = local.addingTimeInterval(86_400)
            local = next.addingTimeInterval(Double(zone.secondsFromGMT(for: local) - zone.secondsFromGMT(for: next)))
        }
        return local
    }
}
