import Logging
import PostgresNIO
import ServiceLifecycle

/// Listens on the `trellis_jobs` channel (``JobQueue`` notifies it with the queue's name when an
/// enqueue commits) and wakes the worker of that queue, so a job starts without waiting for the
/// next poll. Holds one pooled connection while it listens; reconnects after a second when the
/// connection drops, while workers keep polling.
struct JobNotifications: Sendable {
    static let channel = "trellis_jobs"

    let client: PostgresClient
    let signals: [JobQueueName: WakeSignal]
    let logger: Logger

    func run() async {
        var failures = 0
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            let started = ContinuousClock.now
            do {
                try await cancelWhenGracefulShutdown {
                    try await client.withConnection { connection in
                        try await connection.listen(on: Self.channel) { notifications in
                            // Jobs enqueued while nobody listened are found by this first look.
                            for signal in signals.values { signal.signal() }
                            for try await notification in notifications {
                                signals[JobQueueName(rawValue: notification.payload)]?.signal()
                            }
                        }
                    }
                }
            } catch {
                if Task.isShuttingDownGracefully || Task.isCancelled { return }
                // A connection that listened a while before it broke starts a new run of failures.
                failures = ContinuousClock.now - started > .seconds(10) ? 1 : failures + 1
                if failures == 1 {
                    logger.warning("job notifications lost; polling until they are back", metadata: ["error": "\(String(reflecting: error))"])
                }
            }
            let pause = Duration.seconds(min(30, 1 << min(failures, 5)))
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: pause) }
        }
    }
}
