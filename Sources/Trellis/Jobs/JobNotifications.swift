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
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
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
                logger.warning("job notifications lost; polling until they are back", metadata: ["error": "\(String(reflecting: error))"])
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(1)) }
        }
    }
}
