import Foundation
import PostgresNIO
import Testing
import Trellis

/// The job queue across real worker processes (Tests/JobProbe, the runtime's ``JobRunner``):
/// two processes with two workers each run 1,000 jobs exactly once, and a job whose process is
/// killed mid-run (SIGKILL) is rescued by the lifeline and run again by another process.
@Suite(.serialized) struct JobProcessesTests {
    static let probe: URL = ServerProcess.executable.deletingLastPathComponent().appendingPathComponent("JobProbe")

    static func prepare() async throws -> Database {
        let (client, _) = try await TestEnvironment.shared.client()
        let logger = TestEnvironment.shared.logger
        try await client.query(
            "CREATE TABLE IF NOT EXISTS job_probe_runs (job_id bigint NOT NULL, number int NOT NULL, attempt int NOT NULL, pid int NOT NULL)",
            logger: logger
        )
        try await client.query("DELETE FROM jobs WHERE queue = 'probe_jobs'", logger: logger)
        try await client.query("DELETE FROM job_probe_runs", logger: logger)
        return Database(client: client)
    }

    static func launchProbe(concurrency: Int, rescueAfterSeconds: Int = 60) throws -> ChildProcess {
        guard let url = ProcessInfo.processInfo.environment["DATABASE_URL"] else { throw TestSetupError("DATABASE_URL is not set") }
        return try ChildProcess.launch(
            probe, [],
            environment: [
                "DATABASE_URL": url, "JOB_CONCURRENCY": "probe_jobs=\(concurrency)", "JOB_RESCUE_AFTER_SECONDS": String(rescueAfterSeconds),
            ],
            timeout: .seconds(120)
        )
    }

    static func count(_ query: PostgresQuery, in database: Database) async throws -> Int {
        try await JobQueueTests.count(query, in: database)
    }

    /// Waits until `condition` holds, at most `limit`.
    static func waitUntil(_ what: String, limit: Duration = .seconds(60), _ condition: () async throws -> Bool) async throws {
        let start = ContinuousClock.now
        while try await !condition() {
            guard ContinuousClock.now - start < limit else { throw TestSetupError("\(what) did not happen within \(limit)") }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    @Test func twoProcessesWithTwoWorkersEachRunAThousandJobsOnceEach() async throws {
        let database = try await Self.prepare()
        let processes = try [Self.launchProbe(concurrency: 2), Self.launchProbe(concurrency: 2)]
        defer { processes.forEach { $0.kill() } }
        // Due in two seconds, so both processes are up and competing when they come due.
        try await database.client.query(
            """
            INSERT INTO jobs (queue, kind, args, max_attempts, run_at)
            SELECT 'probe_jobs', 'probe.record', jsonb_build_object('number', n), 3, now() + interval '2 seconds' FROM generate_series(1, 1000) n
            """,
            logger: TestEnvironment.shared.logger
        )
        try await Self.waitUntil("1,000 jobs completed") {
            try await Self.count("SELECT count(*) FROM jobs WHERE queue = 'probe_jobs' AND state = 'completed'", in: database) == 1000
        }
        #expect(try await Self.count("SELECT count(*) FROM job_probe_runs", in: database) == 1000)
        #expect(try await Self.count("SELECT count(DISTINCT job_id) FROM job_probe_runs", in: database) == 1000)
        #expect(try await Self.count("SELECT count(DISTINCT number) FROM job_probe_runs", in: database) == 1000)
        #expect(try await Self.count("SELECT count(*) FROM jobs WHERE queue = 'probe_jobs' AND attempts <> 1", in: database) == 0)
        let pids = Set(processes.map(\.processIdentifier))
        #expect(
            try await Self.count("SELECT count(DISTINCT pid) FROM job_probe_runs", in: database) == 2,
            "both processes (\(pids)) ran jobs"
        )
        // SIGTERM: both stop gracefully.
        for process in processes { process.terminate() }
        for process in processes {
            let run = await process.finish()
            #expect(run.status == 0, "\(run.stderr.suffix(2000))")
        }
    }

    @Test func aJobWhoseWorkerIsKilledIsRescuedAndRunAgain() async throws {
        let database = try await Self.prepare()
        let first = try Self.launchProbe(concurrency: 1, rescueAfterSeconds: 2)
        defer { first.kill() }
        let id = try #require(
            try await Self.insertJob(kind: "probe.hang", number: 7, in: database)
        )
        try await Self.waitUntil("the first attempt started") {
            try await Self.count("SELECT count(*) FROM job_probe_runs WHERE job_id = \(id) AND attempt = 1", in: database) == 1
        }
        first.kill()
        _ = await first.finish()
        #expect(try await Self.count("SELECT count(*) FROM jobs WHERE id = \(id) AND state = 'running'", in: database) == 1)

        let second = try Self.launchProbe(concurrency: 1, rescueAfterSeconds: 2)
        defer { second.kill() }
        // Rescued after 2 s without a heartbeat, then run after its backoff (1^4 + 15 s).
        try await Self.waitUntil("the rescued job completed", limit: .seconds(60)) {
            try await Self.count("SELECT count(*) FROM jobs WHERE id = \(id) AND state = 'completed'", in: database) == 1
        }
        #expect(try await Self.count("SELECT attempts::int8 FROM jobs WHERE id = \(id)", in: database) == 2)
        #expect(
            try await Self.count("SELECT count(*) FROM job_probe_runs WHERE job_id = \(id) AND attempt = 1 AND pid = \(first.processIdentifier)", in: database)
                == 1
        )
        #expect(
            try await Self.count("SELECT count(*) FROM job_probe_runs WHERE job_id = \(id) AND attempt = 2 AND pid = \(second.processIdentifier)", in: database)
                == 1
        )
        #expect(try await Self.count("SELECT count(*) FROM jobs WHERE id = \(id) AND last_error LIKE 'rescued: %'", in: database) == 1)
        second.terminate()
        #expect(await second.finish().status == 0)
    }

    static func insertJob(kind: String, number: Int, in database: Database) async throws -> Int64? {
        let rows = try await database.client.query(
            "INSERT INTO jobs (queue, kind, args, max_attempts) VALUES ('probe_jobs', \(kind), jsonb_build_object('number', \(number)), 3) RETURNING id",
            logger: TestEnvironment.shared.logger
        )
        for try await id in rows.decode(Int64.self) { return id }
        return nil
    }
}
