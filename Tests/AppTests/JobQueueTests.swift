import Foundation
import Logging
import PostgresNIO
import Testing
import Trellis

/// The PostgreSQL job queue against a real database: every job runs exactly once however many
/// workers claim at once, a failing job is retried with backoff and ends completed or discarded,
/// and a job enqueued in a transaction that rolls back never exists.
@Suite(.serialized) struct JobQueueTests {
    /// Records each run in `job_test_runs`; fails its first `failures` attempts.
    struct RecordRun: Job {
        static let kind = "test.record_run"
        static let queue: JobQueueName = "test_jobs"
        static let maxAttempts = 3
        var batch: UUID
        var number: Int
        var failures = 0

        func run(context: JobContext) async throws {
            try await context.database.client.query(
                "INSERT INTO job_test_runs (batch, number, attempt) VALUES (\(batch), \(number), \(context.attempt))", logger: context.logger
            )
            if context.attempt <= failures { throw TestJobError(attempt: context.attempt) }
        }
    }

    struct TestJobError: Error, CustomStringConvertible {
        var attempt: Int
        var description: String { "failed on purpose at attempt \(attempt)" }
    }

    static var registry: JobRegistry {
        var registry = JobRegistry()
        registry.register(RecordRun.self)
        return registry
    }

    static func prepare() async throws -> Database {
        let (client, _) = try await TestEnvironment.shared.client()
        let logger = TestEnvironment.shared.logger
        try await client.query("CREATE TABLE IF NOT EXISTS job_test_runs (batch uuid NOT NULL, number int NOT NULL, attempt int NOT NULL)", logger: logger)
        try await client.query("DELETE FROM jobs WHERE queue = 'test_jobs'", logger: logger)
        return Database(client: client)
    }

    /// Runs `workers` workers of the test queue until `done` holds (at most 60 s), then stops them.
    static func work(_ database: Database, workers: Int, concurrency: Int, until done: @escaping @Sendable () async throws -> Bool) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<workers {
                let worker = JobWorker(
                    queue: RecordRun.queue, concurrency: concurrency, registry: registry, database: database, workerID: "test-worker-\(index)",
                    pollInterval: .milliseconds(20), backoff: { _ in .milliseconds(100) }, logger: TestEnvironment.shared.logger
                )
                group.addTask { try await worker.run() }
            }
            let start = ContinuousClock.now
            while try await !done() {
                guard ContinuousClock.now - start < .seconds(60) else { throw TestSetupError("the jobs did not finish within 60 s") }
                try await Task.sleep(for: .milliseconds(50))
            }
            group.cancelAll()
        }
    }

    static func count(_ query: PostgresQuery, in database: Database) async throws -> Int {
        var total = 0
        for try await value in try await database.client.query(query, logger: TestEnvironment.shared.logger).decode(Int64.self) { total = Int(value) }
        return total
    }

    @Test func aThousandJobsOverFourWorkersRunOnceEach() async throws {
        let database = try await Self.prepare()
        let batch = UUID()
        try await database.transaction(logger: TestEnvironment.shared.logger) { connection in
            for number in 0..<1000 {
                try await JobQueue.enqueue(RecordRun(batch: batch, number: number), on: connection, logger: TestEnvironment.shared.logger)
            }
        }
        try await Self.work(database, workers: 4, concurrency: 4) {
            try await Self.count("SELECT count(*) FROM jobs WHERE queue = 'test_jobs' AND state = 'completed'", in: database) == 1000
        }
        #expect(try await Self.count("SELECT count(*) FROM job_test_runs WHERE batch = \(batch)", in: database) == 1000)
        #expect(try await Self.count("SELECT count(DISTINCT number) FROM job_test_runs WHERE batch = \(batch)", in: database) == 1000)
        #expect(try await Self.count("SELECT count(*) FROM jobs WHERE queue = 'test_jobs' AND attempts <> 1", in: database) == 0)
        #expect(try await Self.count("SELECT count(DISTINCT locked_by) FROM jobs WHERE queue = 'test_jobs'", in: database) == 0, "no lock left")
    }

    @Test func aJobFailingTwiceEndsCompletedAfterThreeAttemptsWithBackoff() async throws {
        let database = try await Self.prepare()
        let batch = UUID()
        let id = try #require(try await JobQueue.enqueue(RecordRun(batch: batch, number: 1, failures: 2), in: database, logger: TestEnvironment.shared.logger))
        try await Self.work(database, workers: 1, concurrency: 1) {
            try await Self.count("SELECT count(*) FROM jobs WHERE id = \(id) AND state = 'completed'", in: database) == 1
        }
        #expect(try await Self.count("SELECT attempts::int8 FROM jobs WHERE id = \(id)", in: database) == 3)
        #expect(try await Self.count("SELECT count(*) FROM job_test_runs WHERE batch = \(batch)", in: database) == 3)
        // Each retry waited for the backoff (100 ms here) after the attempt before it.
        #expect(
            try await Self.count(
                "SELECT count(*) FROM jobs WHERE id = \(id) AND last_error = 'failed on purpose at attempt 2' AND finished_at - created_at >= interval '200 milliseconds'",
                in: database
            ) == 1
        )
    }

    @Test func aJobFailingEveryAttemptIsDiscardedWithItsLastError() async throws {
        let database = try await Self.prepare()
        let id = try #require(
            try await JobQueue.enqueue(RecordRun(batch: UUID(), number: 1, failures: 99), in: database, logger: TestEnvironment.shared.logger)
        )
        try await Self.work(database, workers: 1, concurrency: 1) {
            try await Self.count("SELECT count(*) FROM jobs WHERE id = \(id) AND state = 'discarded'", in: database) == 1
        }
        #expect(try await Self.count("SELECT count(*) FROM jobs WHERE id = \(id) AND attempts = 3 AND last_error = 'failed on purpose at attempt 3'", in: database) == 1)
    }

    @Test func aJobEnqueuedInARolledBackTransactionNeverExists() async throws {
        let database = try await Self.prepare()
        let batch = UUID()
        struct Rollback: Error {}
        await #expect(throws: Rollback.self) {
            try await database.transaction(logger: TestEnvironment.shared.logger) { connection in
                try await JobQueue.enqueue(RecordRun(batch: batch, number: 7), on: connection, logger: TestEnvironment.shared.logger)
                throw Rollback()
            }
        }
        #expect(try await Self.count("SELECT count(*) FROM jobs WHERE args->>'batch' = \(batch.uuidString)", in: database) == 0)
    }

    @Test func aUniqueJobIsEnqueuedOnceWhilePending() async throws {
        let database = try await Self.prepare()
        let logger = TestEnvironment.shared.logger
        let first = try await JobQueue.enqueue(RecordRun(batch: UUID(), number: 1), in: database, uniqueKey: "only-one", logger: logger)
        let second = try await JobQueue.enqueue(RecordRun(batch: UUID(), number: 2), in: database, uniqueKey: "only-one", logger: logger)
        #expect(first != nil)
        #expect(second == nil)
        let other = try await JobQueue.enqueue(RecordRun(batch: UUID(), number: 3), in: database, uniqueKey: "another", logger: logger)
        #expect(other != nil)
    }

    @Test func aRecurringJobIsEnqueuedOncePerTickWithTwoInstances() async throws {
        let database = try await Self.prepare()
        let batch = UUID()
        var registry = JobRegistry()
        let name = "test.every_other_minute.\(batch.uuidString.lowercased())"
        registry.schedule(RecordRun(batch: batch, number: 0), cron: try CronExpression("*/2 * * * *"), name: name)
        let instances = (0..<2).map { _ in
            JobScheduler(schedules: registry.schedules, client: database.client, logger: TestEnvironment.shared.logger)
        }
        // Six simulated minutes from 2030-01-01 00:00 UTC, each seen by both instances at once:
        // minutes 0, 2 and 4 match.
        let start = Date(timeIntervalSince1970: 1_893_456_000)
        var enqueued = 0
        for minute in 0..<6 {
            let tick = start.addingTimeInterval(Double(minute * 60) + 0.25)
            let names = try await withThrowingTaskGroup(of: [String].self) { group in
                for instance in instances { group.addTask { try await instance.enqueueDue(at: tick) } }
                return try await group.reduce(into: []) { $0 += $1 }
            }
            #expect(names == (minute.isMultiple(of: 2) ? [name] : []), "minute \(minute)")
            enqueued += names.count
        }
        // A tick seen again (a late instance, a clock behind) enqueues nothing.
        #expect(try await instances[0].enqueueDue(at: start.addingTimeInterval(4 * 60)).isEmpty)
        try await Self.work(database, workers: 2, concurrency: 2) {
            try await Self.count("SELECT count(*) FROM jobs WHERE queue = 'test_jobs' AND state = 'completed'", in: database) == 3
        }
        #expect(enqueued == 3)
        #expect(try await Self.count("SELECT count(*) FROM job_test_runs WHERE batch = \(batch)", in: database) == 3)
    }

    @Test func aNotificationStartsAJobWithoutWaitingForThePoll() async throws {
        let database = try await Self.prepare()
        let batch = UUID()
        let options = JobOptions(concurrency: [RecordRun.queue: 1], pollInterval: .seconds(60))
        let runner = JobRunner(registry: Self.registry, database: database, options: options, logger: TestEnvironment.shared.logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await runner.run() }
            // Until the runner listens (its first look finds nothing), then one job.
            try await Task.sleep(for: .seconds(1))
            let enqueued = ContinuousClock.now
            try await JobQueue.enqueue(RecordRun(batch: batch, number: 1), in: database, logger: TestEnvironment.shared.logger)
            while try await Self.count("SELECT count(*) FROM job_test_runs WHERE batch = \(batch)", in: database) == 0 {
                guard ContinuousClock.now - enqueued < .seconds(20) else { throw TestSetupError("the job did not start within 20 s") }
                try await Task.sleep(for: .milliseconds(20))
            }
            // Well before the 60 s poll.
            #expect(ContinuousClock.now - enqueued < .seconds(10))
            group.cancelAll()
        }
    }

    @Test func finishedJobsArePrunedAfterTheRetention() async throws {
        let database = try await Self.prepare()
        let logger = TestEnvironment.shared.logger
        try await database.client.query(
            """
            INSERT INTO jobs (queue, kind, args, max_attempts, state, finished_at) VALUES
                ('test_jobs', 'test.record_run', '{}', 1, 'completed', now() - interval '8 days'),
                ('test_jobs', 'test.record_run', '{}', 1, 'discarded', now() - interval '8 days'),
                ('test_jobs', 'test.record_run', '{}', 1, 'completed', now() - interval '6 days'),
                ('test_jobs', 'test.record_run', '{}', 1, 'pending', NULL)
            """,
            logger: logger
        )
        let pruned = try await MaintenanceJobs.PruneJobs.prune(olderThan: .seconds(7 * 86400), client: database.client, logger: logger)
        #expect(pruned >= 2)
        #expect(try await Self.count("SELECT count(*) FROM jobs WHERE queue = 'test_jobs'", in: database) == 2)
    }
}
