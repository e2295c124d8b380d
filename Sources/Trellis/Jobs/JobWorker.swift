import Foundation
import Logging
import PostgresNIO
import ServiceLifecycle
import Synchronization

/// Runs the jobs of one queue, up to `concurrency` at a time, as a ServiceLifecycle service.
///
/// A worker claims due jobs with `FOR UPDATE SKIP LOCKED`, so any number of workers, in any number
/// of processes, run each job once. A job that throws is retried after ``backoff`` (exponential,
/// with jitter) until its ``Job/maxAttempts``, then discarded with its last error kept. At graceful
/// shutdown the worker claims nothing more and lets the jobs it runs finish.
public struct JobWorker: Service {
    public let queue: JobQueueName
    public let concurrency: Int
    public let registry: JobRegistry
    public let database: Database
    /// Names this worker in `jobs.locked_by`.
    public let workerID: String
    /// How often an idle worker looks for due jobs.
    public let pollInterval: Duration
    /// The wait before attempt `n + 1` after attempt `n` failed.
    public let backoff: @Sendable (Int) -> Duration
    public let logger: Logger

    public init(
        queue: JobQueueName, concurrency: Int, registry: JobRegistry, database: Database, workerID: String? = nil,
        pollInterval: Duration = .seconds(1), backoff: @escaping @Sendable (Int) -> Duration = JobWorker.defaultBackoff, logger: Logger
    ) {
        self.queue = queue
        self.concurrency = max(1, concurrency)
        self.registry = registry
        self.database = database
        self.workerID = workerID ?? "\(ProcessInfo.processInfo.hostName):\(ProcessInfo.processInfo.processIdentifier):\(UUID().uuidString.prefix(8))"
        self.pollInterval = pollInterval
        self.backoff = backoff
        self.logger = logger
    }

    /// Oban's: attempt^4 + 15 seconds, plus up to 30 x attempt seconds of jitter.
    public static let defaultBackoff: @Sendable (Int) -> Duration = { attempt in
        let base = min(Double(attempt * attempt * attempt * attempt) + 15, 86_400)
        return .milliseconds(Int((base + Double.random(in: 0...Double(30 * attempt))) * 1000))
    }

    /// A claimed job.
    struct Claimed: Sendable {
        var id: Int64
        var kind: String
        var arguments: Data
        var attempt: Int
        var maxAttempts: Int
    }

    public func run() async throws {
        let running = RunningJobs()
        await withDiscardingTaskGroup { group in
            while !Task.isShuttingDownGracefully && !Task.isCancelled {
                let free = concurrency - running.count.load(ordering: .relaxed)
                var claimed: [Claimed] = []
                if free > 0 {
                    do {
                        claimed = try await claim(free)
                    } catch {
                        logger.warning("job claim failed", metadata: ["queue": "\(queue.rawValue)", "error": "\(String(reflecting: error))"])
                    }
                }
                for job in claimed {
                    running.count.add(1, ordering: .relaxed)
                    group.addTask {
                        await perform(job)
                        running.count.subtract(1, ordering: .relaxed)
                    }
                }
                // Claim again at once while there is work and room; else wait a little.
                if claimed.isEmpty || claimed.count == free {
                    let pause = claimed.isEmpty ? pollInterval : min(pollInterval, .milliseconds(20))
                    try? await cancelWhenGracefulShutdown { try await Task.sleep(for: pause) }
                }
            }
        }
    }

    /// Marks up to `count` due jobs of the queue as running by this worker.
    func claim(_ count: Int) async throws -> [Claimed] {
        let rows = try await database.client.query(
            """
            UPDATE jobs SET state = 'running', attempts = attempts + 1, locked_by = \(workerID), heartbeat_at = now()
            WHERE id IN (
                SELECT id FROM jobs WHERE state = 'pending' AND queue = \(queue.rawValue) AND run_at <= now()
                ORDER BY run_at, id LIMIT \(count) FOR UPDATE SKIP LOCKED
            )
            RETURNING id, kind, args::text, attempts, max_attempts
            """,
            logger: logger
        )
        var claimed: [Claimed] = []
        for try await (id, kind, arguments, attempt, maxAttempts) in rows.decode((Int64, String, String, Int32, Int32).self) {
            claimed.append(Claimed(id: id, kind: kind, arguments: Data(arguments.utf8), attempt: Int(attempt), maxAttempts: Int(maxAttempts)))
        }
        return claimed
    }

    /// Runs a claimed job and records how it ended.
    func perform(_ job: Claimed) async {
        var logger = logger
        logger[metadataKey: "job_id"] = "\(job.id)"
        logger[metadataKey: "job_kind"] = .string(job.kind)
        let context = JobContext(id: job.id, attempt: job.attempt, database: database, logger: logger)
        let failure: String?
        if let runner = registry.runners[job.kind] {
            do {
                try await runner(job.arguments, context)
                failure = nil
            } catch {
                failure = String(describing: error)
            }
        } else {
            failure = "no job of kind \(job.kind) is registered with this worker"
        }
        do {
            if let failure {
                try await recordFailure(job, failure, logger: logger)
            } else {
                try await database.client.query(
                    """
                    UPDATE jobs SET state = 'completed', finished_at = now(), locked_by = NULL, heartbeat_at = NULL
                    WHERE id = \(job.id) AND locked_by = \(workerID)
                    """,
                    logger: logger
                )
            }
        } catch {
            logger.error("recording a job's end failed", metadata: ["error": "\(String(reflecting: error))"])
        }
    }

    private func recordFailure(_ job: Claimed, _ failure: String, logger: Logger) async throws {
        let error = String(failure.prefix(2000))
        if job.attempt >= job.maxAttempts {
            logger.error("job discarded after its last attempt", metadata: ["attempt": "\(job.attempt)", "error": .string(error)])
            try await database.client.query(
                """
                UPDATE jobs SET state = 'discarded', finished_at = now(), last_error = \(error), locked_by = NULL, heartbeat_at = NULL
                WHERE id = \(job.id) AND locked_by = \(workerID)
                """,
                logger: logger
            )
        } else {
            let wait = backoff(job.attempt)
            let (seconds, attoseconds) = wait.components
            let interval = Double(seconds) + Double(attoseconds) / 1e18
            logger.warning("job failed; retrying", metadata: ["attempt": "\(job.attempt)", "retry_in_s": "\(interval)", "error": .string(error)])
            try await database.client.query(
                """
                UPDATE jobs SET state = 'pending', run_at = now() + make_interval(secs => \(interval)), last_error = \(error),
                    locked_by = NULL, heartbeat_at = NULL
                WHERE id = \(job.id) AND locked_by = \(workerID)
                """,
                logger: logger
            )
        }
    }
}

/// How many jobs a worker is running.
private final class RunningJobs: Sendable {
    let count = Atomic<Int>(0)
}
