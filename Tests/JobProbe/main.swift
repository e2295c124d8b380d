// A worker process for the job-queue tests (Tests/AppTests/JobProcessesTests.swift): the runtime's
// JobRunner serving the queue `probe_jobs` with the test's job kinds, configured by the same
// environment variables as `Server worker` (DATABASE_URL, JOB_CONCURRENCY, JOB_RESCUE_AFTER_SECONDS).
import Foundation
import Logging
import PostgresNIO
import ServiceLifecycle
import Trellis

/// Records its run in `job_probe_runs`.
struct ProbeRecord: Job {
    static let kind = "probe.record"
    static let queue: JobQueueName = "probe_jobs"
    var number: Int

    func run(context: JobContext) async throws {
        try await context.database.client.query(
            "INSERT INTO job_probe_runs (job_id, number, attempt, pid) VALUES (\(context.id), \(number), \(context.attempt), \(Int(getpid())))",
            logger: context.logger
        )
    }
}

/// Its first attempt records that it started, then works until the process is killed; later
/// attempts record their run and finish.
struct ProbeHang: Job {
    static let kind = "probe.hang"
    static let queue: JobQueueName = "probe_jobs"
    var number: Int

    func run(context: JobContext) async throws {
        try await ProbeRecord(number: number).run(context: context)
        if context.attempt == 1 { try await Task.sleep(for: .seconds(3600)) }
    }
}

let environment = EnvironmentConfiguration()
LoggingSystem.bootstrap { StreamLogHandler.standardError(label: $0) }
var logger = Logger(label: "job-probe")
logger.logLevel = .notice
var registry = JobRegistry()
registry.register(ProbeRecord.self)
registry.register(ProbeHang.self)
let client = PostgresClient(configuration: try environment.database(), backgroundLogger: logger)
let runner = JobRunner(registry: registry, database: Database(client: client), options: try environment.jobOptions(), logger: logger)
try await ServiceGroup(services: [client, runner], gracefulShutdownSignals: [.sigterm], logger: logger).run()
