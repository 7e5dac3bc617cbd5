import Testing
@testable import Daemon

@Suite struct LoggerTests {
    final class Lines: @unchecked Sendable { var lines: [String] = [] }

    @Test func logfmtQuotesValuesWithSpacesAndKeepsEventNamesFirst() {
        let lines = Lines()
        var logger = Logger(sink: { lines.lines.append($0) })
        logger.timestamps = false
        logger.warning("mismatch", ["channel": "meta", "sku": "A1", "expected": "101.00 SEK", "actual": "say \"hi\""])
        #expect(lines.lines == [#"level=warning event=mismatch channel=meta sku=A1 expected="101.00 SEK" actual="say \"hi\"""#])
    }

    @Test func jsonLinesAreObjects() {
        let lines = Lines()
        var logger = Logger(format: .json, sink: { lines.lines.append($0) })
        logger.timestamps = false
        logger.info("feed.ingested", ["feed": "products", "rows": 3])
        #expect(lines.lines == [#"{"level":"info","event":"feed.ingested","feed":"products","rows":"3"}"#])
    }

    @Test func belowTheLevelNothingIsWritten() {
        let lines = Lines()
        let logger = Logger(minimumLevel: .warning, sink: { lines.lines.append($0) })
        logger.info("feed.ingested")
        #expect(lines.lines.isEmpty)
    }
}
