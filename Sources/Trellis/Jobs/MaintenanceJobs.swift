import Logging
import PostgresNIO

/// The recurring jobs every Trellis server runs on the `maintenance` queue.
public enum MaintenanceJobs {
    /// The maintenance schedules: rate-limit windows swept every minute, retention (idempotency
    /// keys, audit rows, change events) hourly, finished jobs pruned hourly.
    public static func registry(auditRetention: Duration, jobRetention: Duration) -> JobRegistry {
        var registry = JobRegistry()
        registry.schedule(SweepRateLimits(), cron: try! CronExpression("* * * * *"))
        registry.schedule(SweepRetention(auditRetentionSeconds: auditRetention.components.seconds), cron: try! CronExpression("7 * * * *"))
        registry.schedule(PruneJobs(retentionSeconds: jobRetention.components.seconds), cron: try! CronExpression("37 * * * *"))
        return registry
    }

    /// Deletes ended rate-limit windows (``RateLimitSweeper``).
    public struct SweepRateLimits: Job {
        public static let kind = "trellis.sweep_rate_limits"
        public static let queue = JobQueueName.maintenance
        public static let maxAttempts = 1  // the next minute's run does the same work

        public init() {}

        public func run(context: JobContext) async throws {
            try await RateLimitSweeper(client: context.database.client, logger: context.logger).sweep()
        }
    }

    /// Deletes what has outlived its retention (``RetentionSweeper``).
    public struct SweepRetention: Job {
        public static let kind = "trellis.sweep_retention"
        public static let queue = JobQueueName.maintenance
        public static let maxAttempts = 3

        public var auditRetentionSeconds: Int64

        public func run(context: JobContext) async throws {
            let swept = try await RetentionSweeper(
                client: context.database.client, auditRetention: .seconds(auditRetentionSeconds), logger: context.logger
            ).sweep()
            context.logger.info(
                "retention sweep",
                metadata: ["idempotency_keys": "\(swept.idempotencyKeys)", "audit_logs": "\(swept.auditLogs)", "change_events": "\(swept.changeEvents)"]
            )
        }
    }

    /// Deletes completed and discarded jobs that finished longer than the retention ago, and
    /// emails queued as long ago that are no longer pending, in batches of 10,000.
    public struct PruneJobs: Job {
        public static let kind = "trellis.prune_jobs"
        public static let queue = JobQueueName.maintenance
        public static let maxAttempts = 3

        public var retentionSeconds: Int64

        public func run(context: JobContext) async throws {
            let pruned = try await Self.prune(olderThan: .seconds(retentionSeconds), client: context.database.client, logger: context.logger)
            context.logger.info("finished jobs pruned", metadata: ["jobs": "\(pruned)"])
        }

        /// Deletes the finished jobs older than `age`, and the emails sent (or failed) as long ago,
        /// whose bodies hold links with tokens; returns how many jobs.
        public static func prune(olderThan age: Duration, client: PostgresClient, logger: Logger) async throws -> Int {
            _ = try await client.deleteInBatches(
                """
                WITH gone AS (DELETE FROM email_outbox WHERE id IN (
                    SELECT id FROM email_outbox WHERE status <> 'pending' AND created_at < now() - make_interval(secs => \(age.components.seconds))
                    LIMIT 10000 FOR UPDATE SKIP LOCKED) RETURNING 1)
                SELECT count(*) FROM gone
                """,
                batchSize: 10_000, logger: logger
            )
            return try await client.deleteInBatches(
                """
                WITH gone AS (DELETE FROM jobs WHERE id IN (
                    SELECT id FROM jobs WHERE state IN ('completed', 'discarded') AND finished_at < now() - make_interval(secs => \(age.components.seconds))
                    LIMIT 10000 FOR UPDATE SKIP LOCKED) RETURNING 1)
                SELECT count(*) FROM gone
                """,
                batchSize: 10_000, logger: logger
            )
        }
    }
}
