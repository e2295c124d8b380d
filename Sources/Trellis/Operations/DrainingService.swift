import Logging
import ServiceLifecycle
import Synchronization

/// Whether the server has begun to stop: from SIGTERM on, `/ready` answers 503 so that a load
/// balancer sends no new requests.
public final class ServerState: Sendable {
    private let draining = Atomic<Bool>(false)
    /// Whether the database answers (``DatabaseAvailabilityMonitor`` keeps it current).
    public let database = DatabaseAvailability()

    public init() {}

    /// True from the start of graceful shutdown.
    public var isDraining: Bool { draining.load(ordering: .relaxed) }

    func startDraining() { draining.store(true, ordering: .relaxed) }
}

/// The first service to stop on SIGTERM: it marks the server draining (`/ready` answers 503 at
/// once), then waits ``ShutdownOptions/delay`` while the listener still accepts requests, so a
/// load balancer polling `/ready` takes the instance out before it stops accepting. Then the HTTP
/// server stops (no new connections; requests in flight finish) and the pool closes.
struct DrainingService: Service {
    let state: ServerState
    let delay: Duration
    let logger: Logger

    func run() async throws {
        do {
            try await gracefulShutdown()
        } catch {
            return  // cancelled: the group is stopping without a graceful shutdown
        }
        state.startDraining()
        logger.notice("draining: /ready answers 503; the listener closes in \(delay)")
        if delay > .zero { try? await Task.sleep(for: delay) }
    }
}
