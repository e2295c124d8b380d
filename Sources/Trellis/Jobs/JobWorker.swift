import Foundation
import Logging
import PostgresNIO
import ServiceLifecycle
import Synchronization

/// Runs the jobs of one queue, up to `concurrency` at a time, as a ServiceLifecycle service
/// (``JobRunner`` runs one per queue).
///
/// A worker claims due jobs with `FOR UPDATE SKIP LOCKED`, so any number of workers, in any number
/// of processes, run each job once. It looks again when one of its jobs ends, when ``wake`` is
/// signalled (a NOTIFY), or after ``pollInterval``. While jobs run it records a
/// heartbeat for them every ``heartbeatInterval``, so the lifeline (``JobLifeline``) rescues only
/// the jobs of workers that died. A job that throws is retried after its kind's
/// ``Job/retryDelay(afterAttempt:)``, else ``backoff`` (exponential, with jitter), until its ``Job/maxAttempts``, then discarded with its last error kept. At
/// graceful shutdown the worker claims nothing more and lets its jobs finish; a job cancelled
/// meanwhile (the grace period ran out) is released, pending again without the attempt counted.
public struct JobWorker: Service {
    public let queue: JobQueueName
    public let concurrency: Int
    public let registry: JobRegistry
    public let database: Database
    /// Names this worker in `jobs.locked_by`.
    public let workerID: String
    /// How often an idle worker looks for due jobs when nothing wakes it.
    public let pollInterval: Duration
    /// How often the worker records that its running jobs are alive.
    public let heartbeatInterval: Duration
    /// The wait before attempt `n + 1` after attempt `n` failed, for kinds without a
    /// ``Job/retryDelay(afterAttempt:)`` of their own.
    public let backoff: @Sendable (Int) -> Duration
    /// Whose time decides which jobs are due: the database's, or a simulated one in tests.
    public let clock: JobClock
    public let logger: Logger
    /// Signalled when a job of the queue may be due (``JobNotifications``).
    let wake: WakeSignal
    /// While it says the database is down, the worker claims nothing.
    let availability: DatabaseAvailability?

    public init(
        queue: JobQueueName, concurrency: Int, registry: JobRegistry, database: Database, workerID: String? = nil,
        pollInterval: Duration = .seconds(1), heartbeatInterval: Duration = .seconds(15),
        backoff: @escaping @Sendable (Int) -> Duration = JobWorker.defaultBackoff, clock: JobClock = .database, logger: Logger
    ) {
        self.init(
            queue: queue, concurrency: concurrency, registry: registry, database: database, workerID: workerID, pollInterval: pollInterval,
            heartbeatInterval: heartbeatInterval, backoff: backoff, clock: clock, wake: WakeSignal(), availability: nil, logger: logger
        )
    }

    init(
        queue: JobQueueName, concurrency: Int, registry: JobRegistry, database: Database, workerID: String?, pollInterval: Duration,
        heartbeatInterval: Duration, backoff: @escaping @Sendable (Int) -> Duration, clock: JobClock, wake: WakeSignal,
        availability: DatabaseAvailability?, logger: Logger
    ) {
        self.queue = queue
        self.concurrency = max(1, concurrency)
        self.registry = registry
        self.database = database
        self.workerID = workerID ?? Self.processWorkerID + ":" + queue.rawValue
        self.pollInterval = pollInterval
        self.heartbeatInterval = heartbeatInterval
        self.backoff = backoff
        self.clock = clock
        self.wake = wake
        self.availability = availability
        self.logger = logger
    }

    /// `host:pid:random`: what names this process's workers in `jobs.locked_by`.
    static let processWorkerID =
        "\(ProcessInfo.processInfo.hostName):\(ProcessInfo.processInfo.processIdentifier):\(UUID().uuidString.prefix(8).lowercased())"

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
            group.addTask { await beatWhileRunning(running) }
            var failures = 0
            while !Task.isShuttingDownGracefully && !Task.isCancelled {
                let free = concurrency - running.count.load(ordering: .relaxed)
                var claimed: [Claimed] = []
                if free > 0 && availability?.isAvailable != false {
                    do {
                        claimed = try await cancelWhenGracefulShutdown { try await claim(free) }
                        failures = 0
                    } catch {
                        if Task.isCancelled || Task.isShuttingDownGracefully { break }
                        failures += 1
                        // Once per failure run, then quietly, waiting longer each time (up to 30 s).
                        if failures == 1 {
                            logger.warning("job claim failed", metadata: ["queue": "\(queue.rawValue)", "error": "\(String(reflecting: error))"])
                        }
                        let pause = Duration.seconds(min(30, 1 << min(failures, 5)))
                        try? await cancelWhenGracefulShutdown { try await Task.sleep(for: pause) }
                        continue
                    }
                }
                for job in claimed {
                    running.count.add(1, ordering: .relaxed)
                    running.ids.withLock { _ = $0.insert(job.id) }
                    group.addTask {
                        await perform(job)
                        running.ids.withLock { _ = $0.remove(job.id) }
                        running.count.subtract(1, ordering: .relaxed)
                        wake.signal()  // room for another
                    }
                }
                // Until a job ends (room again), a NOTIFY, or the poll interval.
                await cancelWhenGracefulShutdown { await wake.wait(upTo: pollInterval) }
            }
            running.claiming.store(false, ordering: .relaxed)
        }
    }

    /// Records a heartbeat for this worker's running jobs every ``heartbeatInterval`` until it has
    /// stopped claiming and its last job has ended.
    private func beatWhileRunning(_ running: RunningJobs) async {
        let step = min(heartbeatInterval, .milliseconds(250))
        var sinceBeat = Duration.zero
        while running.claiming.load(ordering: .relaxed) || running.count.load(ordering: .relaxed) > 0 {
            try? await Task.sleep(for: step)
            if Task.isCancelled { return }
            sinceBeat += step
            guard sinceBeat >= heartbeatInterval, running.count.load(ordering: .relaxed) > 0 else { continue }
            sinceBeat = .zero
            // The jobs this worker is running now, not every row it once locked: a job whose end
            // could not be recorded must go stale, so the lifeline finds it.
            let ids = Array(running.ids.withLock { $0 })
            do {
                _ = try await Self.detached {
                    try await database.client.query(
                        "UPDATE jobs SET heartbeat_at = now() WHERE id = ANY(\(ids)) AND state = 'running' AND locked_by = \(workerID)",
                        logger: logger
                    )
                }
            } catch {
                logger.warning("job heartbeat failed", metadata: ["queue": "\(queue.rawValue)", "error": "\(String(reflecting: error))"])
            }
        }
    }

    /// Runs `body` in a task of its own, so the database work that records a job's end still
    /// happens when the worker's task is being cancelled.
    static func detached<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws -> T {
        try await Task { try await body() }.value
    }

    /// Marks up to `count` due jobs of the queue as running by this worker: only kinds it can run,
    /// so workers of different versions (a rolling deploy) or of different registries share a
    /// queue without failing each other's jobs.
    func claim(_ count: Int) async throws -> [Claimed] {
        let kinds = registry.kinds.sorted()
        let rows = try await database.client.query(
            """
            UPDATE jobs SET state = 'running', attempts = attempts + 1, locked_by = \(workerID), heartbeat_at = now()
            WHERE id IN (
                SELECT id FROM jobs WHERE state = 'pending' AND queue = \(queue.rawValue) AND kind = ANY(\(kinds))
                    AND run_at <= coalesce(\(clock.now?())::timestamptz, now())
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
        let context = JobContext(
            id: job.id, attempt: job.attempt, maxAttempts: job.maxAttempts, now: clock.now?() ?? Date(), database: database, logger: logger
        )
        let failure: String?
        var discard = false
        if let runner = registry.runners[job.kind] {
            do {
                try await runner(job.arguments, context)
                failure = nil
            } catch {
                failure = String(describing: error)
                discard = error is JobDiscarded
            }
        } else {
            failure = "no job of kind \(job.kind) is registered with this worker"
        }
        let cancelled = Task.isCancelled
        do {
            try await Self.detached { [logger, discard] in
                if failure != nil, cancelled {
                    try await release(job, logger: logger)
                } else if let failure {
                    try await recordFailure(job, failure, discard: discard, logger: logger)
                } else {
                    try await database.client.query(
                        """
                        UPDATE jobs SET state = 'completed', finished_at = now(), locked_by = NULL, heartbeat_at = NULL
                        WHERE id = \(job.id) AND locked_by = \(workerID) AND attempts = \(job.attempt) AND attempts = \(job.attempt) AND attempts = \(job.attempt)
                        """,
                        logger: logger
                    )
                }
            }
        } catch {
            logger.error("recording a job's end failed; the lifeline will rescue it", metadata: ["error": "\(String(reflecting: error))"])
        }
    }

    /// Puts a job cancelled by shutdown back in its queue, its attempt not counted.
    private func release(_ job: Claimed, logger: Logger) async throws {
        logger.notice("job released at shutdown")
        try await database.client.query(
            """
            UPDATE jobs SET state = 'pending', attempts = attempts - 1, run_at = now(), locked_by = NULL, heartbeat_at = NULL
            WHERE id = \(job.id) AND locked_by = \(workerID) AND attempts = \(job.attempt)
            """,
            logger: logger
        )
    }

    private func recordFailure(_ job: Claimed, _ failure: String, discard: Bool, logger: Logger) async throws {
        let error = String(failure.prefix(2000))
        if job.attempt >= job.maxAttempts || discard {
            logger.error(discard ? "job discarded: it cannot succeed" : "job discarded after its last attempt", metadata: ["attempt": "\(job.attempt)", "error": .string(error)])
            try await database.client.query(
                """
                UPDATE jobs SET state = 'discarded', finished_at = now(), last_error = \(error), locked_by = NULL, heartbeat_at = NULL
                WHERE id = \(job.id) AND locked_by = \(workerID) AND attempts = \(job.attempt) AND attempts = \(job.attempt)
                """,
                logger: logger
            )
        } else {
            let wait = registry.retryDelays[job.kind]?(job.attempt) ?? backoff(job.attempt)
            let (seconds, attoseconds) = wait.components
            let interval = Double(seconds) + Double(attoseconds) / 1e18
            logger.warning("job failed; retrying", metadata: ["attempt": "\(job.attempt)", "retry_in_s": "\(interval)", "error": .string(error)])
            try await database.client.query(
                """
                UPDATE jobs SET state = 'pending', run_at = coalesce(\(clock.now?())::timestamptz, now()) + make_interval(secs => \(interval)),
                    last_error = \(error),
                    locked_by = NULL, heartbeat_at = NULL
                WHERE id = \(job.id) AND locked_by = \(workerID) AND attempts = \(job.attempt) AND attempts = \(job.attempt)
                """,
                logger: logger
            )
        }
    }
}

/// How many jobs a worker is running, and whether it still claims more.
private final class RunningJobs: Sendable {
    let count = Atomic<Int>(0)
    /// The ids of the jobs running, for their heartbeat.
    let ids = Mutex<Set<Int64>>([])
    let claiming = Atomic<Bool>(true)
}
