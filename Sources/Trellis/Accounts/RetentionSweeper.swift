import Logging
import PostgresNIO

/// Deletes what has outlived its retention (the `trellis.sweep_retention` job, hourly; ``MaintenanceJobs``): idempotency keys past `expires_at`,
/// and audit rows (resource mutations and account events alike) and change events older than the
/// audit retention. Deletes in batches of 10,000 rows, so a large backlog never holds one long
/// transaction, skipping rows another instance's sweep holds.
///
/// Change events go whether or not a consumer has read them: a consumer further behind than the
/// retention loses the oldest.
public struct RetentionSweeper: Sendable {
    /// The pool the sweeps run on.
    public let client: PostgresClient
    /// How long audit rows and change events are kept (``ServerOptions/auditRetention``).
    public let auditRetention: Duration
    public let logger: Logger

    static let batchSize = 10_000

    public init(client: PostgresClient, auditRetention: Duration, logger: Logger) {
        self.client = client
        self.auditRetention = auditRetention
        self.logger = logger
    }

    /// What one sweep deleted.
    public struct Swept: Sendable, Hashable {
        public var idempotencyKeys = 0
        public var auditLogs = 0
        public var changeEvents = 0
    }

    /// Deletes everything past its retention; returns how many rows of each table.
    @discardableResult
    public func sweep() async throws -> Swept {
        let seconds = Int64(auditRetention.components.seconds)
        var swept = Swept()
        swept.idempotencyKeys = try await deleteAll(
            """
            WITH gone AS (DELETE FROM idempotency_keys WHERE (scope, key) IN (
                SELECT scope, key FROM idempotency_keys WHERE expires_at <= now() LIMIT \(Self.batchSize) FOR UPDATE SKIP LOCKED) RETURNING 1)
            SELECT count(*) FROM gone
            """
        )
        swept.auditLogs = try await deleteAll(
            """
            WITH gone AS (DELETE FROM audit_logs WHERE id IN (
                SELECT id FROM audit_logs WHERE created_at < now() - make_interval(secs => \(seconds)) LIMIT \(Self.batchSize) FOR UPDATE SKIP LOCKED) RETURNING 1)
            SELECT count(*) FROM gone
            """
        )
        swept.changeEvents = try await deleteAll(
            """
            WITH gone AS (DELETE FROM change_events WHERE id IN (
                SELECT id FROM change_events WHERE created_at < now() - make_interval(secs => \(seconds)) LIMIT \(Self.batchSize) FOR UPDATE SKIP LOCKED) RETURNING 1)
            SELECT count(*) FROM gone
            """
        )
        return swept
    }

    private func deleteAll(_ statement: PostgresQuery) async throws -> Int {
        try await client.deleteInBatches(statement, batchSize: Self.batchSize, logger: logger)
    }
}

extension PostgresClient {
    /// Runs a batched DELETE (answering the count it deleted) until a batch comes back short of
    /// `batchSize`; returns the rows deleted.
    func deleteInBatches(_ statement: PostgresQuery, batchSize: Int, logger: Logger) async throws -> Int {
        var total = 0
        while true {
            var count = 0
            for try await deleted in try await query(statement, logger: logger).decode(Int64.self) { count = Int(deleted) }
            total += count
            if count < batchSize { return total }
        }
    }
}
