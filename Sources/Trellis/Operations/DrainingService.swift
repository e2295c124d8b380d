import Logging
import ServiceLifecycle
import Synchronization

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
