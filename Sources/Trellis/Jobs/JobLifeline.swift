import Logging
import PostgresNIO

/// Rescues the jobs of workers that died: a running job whose heartbeat is older than
/// ``JobOptions/rescueAfter`` goes back to pending (run again after the default backoff of its
/// attempt, at most an hour), or is discarded when it has used its last attempt. Any number of instances may look at once (`SKIP LOCKED`).
public struct JobLifeline: Sendable {
    public let client: PostgresClient
    public let rescueAfter: Duration
    public let logger: Logger

    public init(client: PostgresClient, rescueAfter: Duration, logger: Logger) {
        self.client = client
        self.rescueAfter = rescueAfter
        self.logger = logger
    }

    /// Rescues every stale running job; returns their ids.
    @discardableResult
    public func rescue() async throws -> [Int64] {
        let seconds = Double(rescueAfter.components.seconds) + Double(rescueAfter.components.attoseconds) / 1e18
        let rows = try await client.query(
            """
            WITH stale AS (
                SELECT id FROM jobs WHERE state = 'running' AND heartbeat_at < now() - make_interval(secs => \(seconds))
                FOR UPDATE SKIP LOCKED
            )
            UPDATE jobs SET
                state = CASE WHEN attempts >= max_attempts THEN 'discarded' ELSE 'pending' END,
                finished_at = CASE WHEN attempts >= max_attempts THEN now() END,
                -- Not at once: a job that kills its process (out of memory) would take the fleet down one by one.
                run_at = now() + make_interval(secs => least(power(attempts, 4) + 15, 3600)),
                last_error = 'rescued: its worker ' || locked_by || ' sent no heartbeat for ' || \(Int(seconds)) || ' s',
                locked_by = NULL, heartbeat_at = NULL
            FROM stale WHERE jobs.id = stale.id
            RETURNING jobs.id
            """,
            logger: logger
        )
        var rescued: [Int64] = []
        for try await id in rows.decode(Int64.self) { rescued.append(id) }
        if !rescued.isEmpty { logger.warning("rescued jobs whose worker died", metadata: ["job_ids": "\(rescued)"]) }
        return rescued
    }
}
