import Foundation

/// How a process runs jobs (``JobRunner``): which queues, how many at a time, and the lifeline's
/// and pruning's timings.
public struct JobOptions: Sendable, Equatable {
    /// The queues this process serves and how many jobs of each it runs at once (`JOB_CONCURRENCY`,
    /// `default=10,mailers=5,webhooks=10,maintenance=1`); a queue left out is not served here.
    public var concurrency: [JobQueueName: Int]
    /// A running job whose worker has sent no heartbeat for this long is rescued: run again, or
    /// discarded after its last attempt (`JOB_RESCUE_AFTER_SECONDS`, 60). Workers beat every
    /// quarter of it; the lifeline looks every half.
    public var rescueAfter: Duration
    /// Completed and discarded jobs are deleted this long after they finished (`JOB_RETENTION_DAYS`, 7).
    public var retention: Duration
    /// How often an idle worker looks for due jobs when no notification has woken it: the fallback
    /// for a lost LISTEN connection and the clock for scheduled jobs coming due.
    public var pollInterval: Duration
    /// Whether `Server serve` runs the workers too (`SERVE_RUNS_JOBS`, true); false leaves them to
    /// `Server worker` processes.
    public var runsInServe: Bool

    public static let defaultConcurrency: [JobQueueName: Int] = [.default: 10, .mailers: 5, .webhooks: 10, .maintenance: 1]

    public init(
        concurrency: [JobQueueName: Int] = JobOptions.defaultConcurrency, rescueAfter: Duration = .seconds(60),
        retention: Duration = .seconds(7 * 86400), pollInterval: Duration = .seconds(1), runsInServe: Bool = true
    ) {
        self.concurrency = concurrency
        self.rescueAfter = rescueAfter
        self.retention = retention
        self.pollInterval = pollInterval
        self.runsInServe = runsInServe
    }

    /// How often workers record that their running jobs are alive.
    public var heartbeatInterval: Duration { rescueAfter / 4 }
}

extension EnvironmentConfiguration {
    /// ``JobOptions`` from `JOB_CONCURRENCY`, `JOB_RESCUE_AFTER_SECONDS`, `JOB_RETENTION_DAYS` and
    /// `SERVE_RUNS_JOBS`; a bad value fails with the variable's name.
    public func jobOptions() throws(ConfigurationError) -> JobOptions {
        var options = JobOptions()
        if let text = value("JOB_CONCURRENCY") {
            var concurrency: [JobQueueName: Int] = [:]
            for entry in text.split(separator: ",") {
                let parts = entry.split(separator: "=", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
                guard parts.count == 2, !parts[0].isEmpty, let count = Int(parts[1]), (0...1000).contains(count) else {
                    throw ConfigurationError(
                        variable: "JOB_CONCURRENCY",
                        problem: "must list queue=count pairs such as default=10,mailers=5 (count 0 to 1000), got '\(entry)'"
                    )
                }
                if count > 0 { concurrency[JobQueueName(rawValue: parts[0])] = count }
            }
            options.concurrency = concurrency
        }
        if let seconds = try integer("JOB_RESCUE_AFTER_SECONDS", in: 2...86_400, "a number of seconds") { options.rescueAfter = .seconds(seconds) }
        if let days = try integer("JOB_RETENTION_DAYS", in: 1...3650, "a number of days") { options.retention = .seconds(days * 86400) }
        if let text = value("SERVE_RUNS_JOBS") {
            switch text.lowercased() {
            case "true", "1", "yes": options.runsInServe = true
            case "false", "0", "no": options.runsInServe = false
            default: throw ConfigurationError(variable: "SERVE_RUNS_JOBS", problem: "must be true or false, got '\(text)'")
            }
        }
        return options
    }
}
