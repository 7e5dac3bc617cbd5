/// A command asked of the running daemon (`sync --once`, `resync --full`, `approve`) through the state database.
public struct ControlRequest: Sendable, Equatable {
    public var id: Int64
    public var kind: String
    public var arguments: String
    public var state: String
    /// The outcome as the requesting command prints it, and its exit status.
    public var result: String?
}

extension CatalogStore {
    /// Queues a request for the daemon. - Returns: its id, to wait on.
    public func enqueueRequest(kind: String, arguments: String, at time: String) throws -> Int64 {
        try connection.statement("INSERT INTO requests (kind, args, requested_at) VALUES (?, ?, ?)")
            .bind(.text(kind), .text(arguments), .text(time)).run()
        return connection.lastInsertRowID
    }

    /// The oldest request nobody has taken yet.
    public func nextPendingRequest() throws -> ControlRequest? {
        let s = try connection.statement("SELECT id, kind, args, state, result FROM requests WHERE state = 'pending' ORDER BY id LIMIT 1")
        return try s.firstRow(Self.controlRequest)
    }

    public func request(id: Int64) throws -> ControlRequest? {
        let s = try connection.statement("SELECT id, kind, args, state, result FROM requests WHERE id = ?")
        try s.bind(.integer(id))
        return try s.firstRow(Self.controlRequest)
    }

    private static func controlRequest(_ s: Statement) -> ControlRequest {
        ControlRequest(id: s.int(0), kind: s.text(1) ?? "", arguments: s.text(2) ?? "", state: s.text(3) ?? "",
                       result: s.text(4))
    }

    /// Marks a request taken (`running`) or finished (`done`, with its printed result).
    public func updateRequest(id: Int64, state: String, result: String?, at time: String) throws {
        try connection.statement("UPDATE requests SET state = ?, result = ?, finished_at = ? WHERE id = ?")
            .bind(.text(state), result.map { .text($0) }, .text(time), .integer(id)).run()
    }

    /// Whether an operator approved the feed's next generation past its guards.
    public func isApproved(feed: String) throws -> Bool {
        let s = try connection.statement("SELECT approved FROM feeds WHERE name = ?")
        try s.bind(.text(feed))
        return try s.firstRow { $0.int(0) != 0 } ?? false
    }

    public func setApproved(feed: String, _ approved: Bool) throws {
        try connection.statement("UPDATE feeds SET approved = ? WHERE name = ?")
            .bind(.integer(approved ? 1 : 0), .text(feed)).run()
    }
}
