import Logging
import ServiceLifecycle

/// Runs `sweep` every `interval` until graceful shutdown (or cancellation); a failed sweep is
/// logged as a warning naming `what`, and the next one runs on time. How the sweepers run.
func sweepPeriodically(every interval: Duration, what: String, logger: Logger, _ sweep: () async throws -> Void) async {
    while true {
        try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        if Task.isShuttingDownGracefully || Task.isCancelled { return }
        do {
            try await sweep()
        } catch {
            logger.warning("\(what) sweep failed", metadata: ["error": "\(String(reflecting: error))"])
        }
    }
}
