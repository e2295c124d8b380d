import Logging
import PostgresNIO
import ServiceLifecycle

/// Everything that runs jobs in a process, as one ServiceLifecycle service: a ``JobWorker`` per
/// queue of ``JobOptions/concurrency``, the LISTEN connection that wakes them
/// (``JobNotifications``), the ``JobScheduler`` of the registry's recurring jobs, and the
/// ``JobLifeline``, every half ``JobOptions/rescueAfter``. `Server serve` runs one beside the
/// HTTP server; `Server worker` runs one alone.
///
/// At graceful shutdown it stops claiming and scheduling and waits for running jobs; jobs still
/// running when the service group's time is up are cancelled and released.
public struct JobRunner: Service {
    public let registry: JobRegistry
    public let database: Database
    public let options: JobOptions
    /// The server's view of the database (``DatabaseAvailabilityMonitor``), when it runs beside
    /// one: while the database is down, workers claim nothing and leave the pool to the probes
    /// that notice its return.
    public let availability: DatabaseAvailability?
    public let logger: Logger

    public init(registry: JobRegistry, database: Database, options: JobOptions, availability: DatabaseAvailability? = nil, logger: Logger) {
        self.registry = registry
        self.database = database
        self.options = options
        self.availability = availability
        self.logger = logger
    }

    public func run() async throws {
        let queues = options.concurrency.filter { $0.value > 0 }
        let signals = Dictionary(uniqueKeysWithValues: queues.keys.map { ($0, WakeSignal()) })
        logger.info(
            "job workers starting",
            metadata: ["queues": "\(queues.map { "\($0.key.rawValue)=\($0.value)" }.sorted().joined(separator: ","))"]
        )
        await withDiscardingTaskGroup { group in
            for (queue, concurrency) in queues {
                let worker = JobWorker(
                    queue: queue, concurrency: concurrency, registry: registry, database: database, workerID: nil,
                    pollInterval: options.pollInterval, heartbeatInterval: options.heartbeatInterval, backoff: JobWorker.defaultBackoff,
                    clock: .database, wake: signals[queue]!, availability: availability, logger: logger
                )
                group.addTask { try? await worker.run() }
            }
            group.addTask { await JobNotifications(client: database.client, signals: signals, logger: logger).run() }
            group.addTask { await JobScheduler(schedules: registry.schedules, client: database.client, logger: logger).run() }
            group.addTask { await runLifeline() }
        }
    }

    private func runLifeline() async {
        let lifeline = JobLifeline(client: database.client, rescueAfter: options.rescueAfter, logger: logger)
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            if availability?.isAvailable != false {
                do {
                    _ = try await cancelWhenGracefulShutdown { try await lifeline.rescue() }
                } catch {
                    if !Task.isCancelled && !Task.isShuttingDownGracefully {
                        logger.warning("job lifeline failed", metadata: ["error": "\(String(reflecting: error))"])
                    }
                }
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: options.rescueAfter / 2) }
        }
    }
}
