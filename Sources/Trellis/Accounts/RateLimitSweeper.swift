import Logging
import PostgresNIO

/// Deletes the rate-limit windows that have ended, so keys seen once (a client IP, an email tried
/// once) do not pile up: the `trellis.sweep_rate_limits` job, every minute (``MaintenanceJobs``).
public struct RateLimitSweeper: Sendable {
    public let client: PostgresClient
    public let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// Deletes every window that ended a minute ago or more (by the database's clock: a minute's
    /// grace for instances whose clocks run behind it, as they name windows by their own); returns
    /// how many.
    @discardableResult
    public func sweep() async throws -> Int {
        let rows = try await client.query(
            """
            WITH ended AS (DELETE FROM rate_limit_windows WHERE window_start < date_trunc('minute', now()) - interval '1 minute' RETURNING 1)
            SELECT count(*) FROM ended
            """,
            logger: logger
        )
        var deleted = 0
        for try await count in rows.decode(Int64.self) { deleted = Int(count) }
        return deleted
    }
}
