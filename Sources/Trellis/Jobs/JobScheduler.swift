import Foundation
import Logging
import PostgresNIO
import ServiceLifecycle

/// Enqueues the recurring jobs of a registry (``JobRegistry/schedule(_:cron:name:)``) at each
/// minute their cron expression names. Every instance runs one; for each schedule and minute,
/// only the first to move `job_schedules.last_run_at` to that minute enqueues, in the same
/// transaction. A minute missed while no instance ran is not caught up (as cron, and Oban).
public struct JobScheduler: Sendable {
    public let schedules: [JobSchedule]
    public let client: PostgresClient
    public let logger: Logger

    public init(schedules: [JobSchedule], client: PostgresClient, logger: Logger) {
        self.schedules = schedules
        self.client = client
        self.logger = logger
    }

    /// Wakes at the start of each minute and enqueues what is due, until graceful shutdown.
    func run() async {
        guard !schedules.isEmpty else { return }
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            let now = Date()
            let next = (now.timeIntervalSince1970 / 60).rounded(.down) * 60 + 60
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .milliseconds(Int((next - now.timeIntervalSince1970) * 1000) + 5)) }
            if Task.isShuttingDownGracefully || Task.isCancelled { return }
            do {
                try await enqueueDue(at: Date(timeIntervalSince1970: next))
            } catch {
                logger.warning("enqueuing recurring jobs failed", metadata: ["error": "\(String(reflecting: error))"])
            }
        }
    }

    /// Enqueues each schedule that names the minute of `tick`, unless an instance already did;
    /// returns the names of those this call enqueued.
    @discardableResult
    public func enqueueDue(at tick: Date) async throws -> [String] {
        let minute = Date(timeIntervalSince1970: (tick.timeIntervalSince1970 / 60).rounded(.down) * 60)
        var enqueued: [String] = []
        for schedule in schedules where schedule.cron.matches(minute) {
            let claimed = try await client.withTransaction(logger: logger) { connection in
                let rows = try await connection.query(
                    """
                    INSERT INTO job_schedules (name, last_run_at) VALUES (\(schedule.name), \(minute))
                    ON CONFLICT (name) DO UPDATE SET last_run_at = excluded.last_run_at WHERE job_schedules.last_run_at < excluded.last_run_at
                    RETURNING name
                    """,
                    logger: logger
                )
                var claimed = false
                for try await _ in rows.decode(String.self) { claimed = true }
                if claimed { try await schedule.enqueue(connection, logger) }
                return claimed
            }
            if claimed { enqueued.append(schedule.name) }
        }
        return enqueued
    }
}
