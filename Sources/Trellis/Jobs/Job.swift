import Foundation
import Logging
import PostgresNIO

/// A kind of work done after a request, by a ``JobWorker``: a Codable value (its arguments, stored
/// as JSON in `jobs.args`) with its kind's name, queue and retry policy. A ``Job`` also carries
/// the code that does it; a definition alone is run by code registered with
/// ``JobRegistry/register(_:run:)`` (code that needs what only the server has, such as an HTTP client).
///
/// Enqueue with ``JobQueue/enqueue(_:on:runAt:uniqueKey:logger:)`` inside the transaction whose
/// outcome it depends on. A job runs at least once and, unless its worker dies mid-run, exactly
/// once: make its code idempotent.
public protocol JobDefinition: Codable, Sendable {
    /// The job's stable name in `jobs.kind` (`"send_email"`): renaming it orphans queued jobs.
    static var kind: String { get }
    /// The queue that runs it (``JobQueueName/default`` unless it says otherwise).
    static var queue: JobQueueName { get }
    /// How many attempts before it is discarded (20 unless it says otherwise).
    static var maxAttempts: Int { get }
    /// The wait before the next attempt after attempt `attempt` failed; nil (the default) leaves
    /// it to the worker's backoff (exponential, with jitter).
    static func retryDelay(afterAttempt attempt: Int) -> Duration?
}

extension JobDefinition {
    public static var queue: JobQueueName { .default }
    public static var maxAttempts: Int { 20 }
    public static func retryDelay(afterAttempt attempt: Int) -> Duration? { nil }
}

/// Thrown by a job's code when retrying cannot help (a permanent failure): the job is discarded
/// at once, with `reason` as its last error.
public struct JobDiscarded: Error, CustomStringConvertible {
    public var reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { reason }
}

/// A ``JobDefinition`` with the code that does it; register its type with ``JobRegistry/register(_:)``.
public protocol Job: JobDefinition {
    /// Does the work; throwing schedules a retry with backoff, or discards the job after its last attempt.
    func run(context: JobContext) async throws
}

/// A named queue; each worker serves one, with its own concurrency.
public struct JobQueueName: RawRepresentable, Hashable, Sendable, ExpressibleByStringLiteral {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }

    public static let `default`: Self = "default"
    public static let mailers: Self = "mailers"
    public static let webhooks: Self = "webhooks"
    public static let maintenance: Self = "maintenance"
}

/// What a running job knows about itself and where it runs.
public struct JobContext: Sendable {
    /// The job's row id.
    public var id: Int64
    /// This attempt's number, from 1.
    public var attempt: Int
    /// The job's ``Job/maxAttempts``: `attempt == maxAttempts` is the last one.
    public var maxAttempts: Int
    /// When the attempt started, by the worker's ``JobClock``.
    public var now: Date
    public var database: Database
    public var logger: Logger
}

/// The job kinds a worker can run, by ``Job/kind``, and the recurring jobs (``schedule(_:cron:)``).
public struct JobRegistry: Sendable {
    typealias Runner = @Sendable (Data, JobContext) async throws -> Void
    private(set) var runners: [String: Runner] = [:]
    private(set) var retryDelays: [String: @Sendable (Int) -> Duration?] = [:]
    /// The recurring jobs, by ``JobSchedule/name``.
    public private(set) var schedules: [JobSchedule] = []

    public init() {}

    /// Lets workers run `job`'s kind.
    public mutating func register<J: Job>(_ job: J.Type) {
        register(J.self) { job, context in try await job.run(context: context) }
    }

    /// Lets workers run `definition`'s kind with `run`.
    public mutating func register<J: JobDefinition>(_ definition: J.Type, run: @escaping @Sendable (J, JobContext) async throws -> Void) {
        runners[J.kind] = { arguments, context in
            try await run(try JSONDecoder().decode(J.self, from: arguments), context)
        }
        retryDelays[J.kind] = { J.retryDelay(afterAttempt: $0) }
    }

    /// Lets workers run jobs of `kind` with `runner`, which decodes their arguments itself: for
    /// jobs whose code comes from the app at run time (a handler it registered).
    mutating func register(kind: String, _ runner: @escaping Runner) {
        runners[kind] = runner
    }

    /// Registers `job`'s kind and enqueues `job` at each minute `cron` names (UTC), once per minute
    /// however many instances run a ``JobScheduler``. `name` (the kind unless given) keys the
    /// schedule: one job per name and minute.
    public mutating func schedule<J: Job>(_ job: J, cron: CronExpression, name: String? = nil) {
        register(J.self)
        let name = name ?? J.kind
        schedules.removeAll { $0.name == name }
        schedules.append(JobSchedule(name: name, cron: cron) { connection, logger in
            try await JobQueue.enqueue(job, on: connection, logger: logger)
        })
    }

    /// Everything `other` registers, added to this registry (its schedules replace ours of the same name).
    public mutating func merge(_ other: JobRegistry) {
        runners.merge(other.runners) { _, theirs in theirs }
        retryDelays.merge(other.retryDelays) { _, theirs in theirs }
        for schedule in other.schedules {
            schedules.removeAll { $0.name == schedule.name }
            schedules.append(schedule)
        }
    }

    /// The registered kinds.
    public var kinds: Set<String> { Set(runners.keys) }
}

/// A recurring job: a name, when it runs, and how it is enqueued.
public struct JobSchedule: Sendable {
    public let name: String
    public let cron: CronExpression
    let enqueue: @Sendable (PostgresConnection, Logger) async throws -> Void
}

/// Whose time decides when a job is due and when a retry runs: the database's `now()` (every
/// instance agrees), or a simulated clock in tests.
public struct JobClock: Sendable {
    /// The current time, or nil for the database's.
    public let now: (@Sendable () -> Date)?

    public static let database = JobClock(now: nil)

    /// A clock the caller moves (tests of schedules).
    public static func simulated(_ now: @escaping @Sendable () -> Date) -> JobClock { JobClock(now: now) }
}
