import Logging
import PostgresNIO

/// Fixed one-minute windows counted in PostgreSQL, so every instance shares the count.
/// ``RateLimitSweeper`` deletes the windows that have ended.
public struct RateLimiter: Sendable {
    public let client: PostgresClient
    /// Hits allowed per key and minute.
    public let limit: Int

    public init(client: PostgresClient, limit: Int) {
        self.client = client
        self.limit = limit
    }

    /// Counts one hit on each of `keys`; returns the seconds until the window ends when any key is
    /// over the limit (for `Retry-After`), nil when the hit is allowed.
    public func hit(_ keys: [String], logger: Logger) async throws -> Int? {
        var retryAfter: Int?
        for key in keys {
            let rows = try await client.query(
                """
                INSERT INTO rate_limit_windows (key, window_start, hits) VALUES (\(key), date_trunc('minute', now()), 1)
                ON CONFLICT (key, window_start) DO UPDATE SET hits = rate_limit_windows.hits + 1
                RETURNING hits, ceil(extract(epoch FROM window_start + interval '1 minute' - now()))::int8
                """,
                logger: logger
            )
            for try await (hits, seconds) in rows.decode((Int32, Int64).self) {
                if Int(hits) > limit { retryAfter = max(retryAfter ?? 1, Int(max(seconds, 1))) }
            }
        }
        return retryAfter
    }
}
