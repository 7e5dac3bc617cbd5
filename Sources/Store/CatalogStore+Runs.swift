/// One recorded run of a command that changes state.
public struct RunRecord: Sendable, Equatable {
    public var kind: String
    public var startedAt: String
    public var endedAt: String?
    public var outcome: String?
    public var stats: String?
}

extension CatalogStore {
    /// Records a finished run (`stats` is a short human-readable line).
    public func recordRun(kind: String, startedAt: String, endedAt: String, outcome: String, stats: String) throws {
        try connection.statement("INSERT INTO runs (kind, started_at, ended_at, outcome, stats) VALUES (?, ?, ?, ?, ?)")
            .bind(.text(kind), .text(startedAt), .text(endedAt), .text(outcome), .text(stats)).run()
    }

    /// The most recent runs, newest first.
    public func recentRuns(limit: Int) throws -> [RunRecord] {
        let s = try connection.statement("""
            SELECT kind, started_at, ended_at, outcome, stats FROM runs ORDER BY id DESC LIMIT ?
            """)
        try s.bind(.integer(Int64(limit)))
        var runs: [RunRecord] = []
        while try s.step() {
            runs.append(RunRecord(kind: s.text(0) ?? "", startedAt: s.text(1) ?? "", endedAt: s.text(2),
                                  outcome: s.text(3), stats: s.text(4)))
        }
        return runs
    }

    /// Records an alert an operator should see in `status`.
    public func recordAlert(at time: String, event: String, feed: String? = nil, channel: String? = nil,
                            sku: String? = nil, message: String) throws {
        try connection.statement("INSERT INTO alerts (at, event, feed, channel, sku, message) VALUES (?, ?, ?, ?, ?, ?)")
            .bind(.text(time), .text(event), feed.map { .text($0) }, channel.map { .text($0) }, sku.map { .text($0) },
                  .text(message)).run()
    }
}
