import Hummingbird
import Logging
import NIOCore

/// `/health` (the process answers) and `/ready` (the database answers and is migrated, and the
/// server is not shutting down).
struct HealthRoutes: Sendable {
    let database: Database
    let migrationIDs: Set<String>
    let state: ServerState
    /// How long `/ready` waits for the database.
    let timeout: Duration

    func add(to router: Router<TrellisRequestContext>) {
        router.get("/health") { _, _ in
            Response.json(ByteBuffer(string: #"{"status":"ok"}"#))
        }
        router.get("/ready") { _, context in
            try await ready(logger: context.logger)
        }
    }

    private func ready(logger: Logger) async throws -> Response {
        guard !state.isDraining else { throw APIError(.unavailable, "The server is shutting down.") }
        guard state.database.isAvailable else { throw APIError(.unavailable, "The database is not reachable.") }
        let migrator = Migrator(client: database.client, logger: logger)
        guard let applied = await DatabaseAvailability.result(within: timeout, { try await migrator.appliedIDs() }) else {
            logger.warning("readiness check failed: the database did not answer within \(timeout)")
            throw APIError(.unavailable, "The database is not reachable.")
        }
        let missing = migrationIDs.subtracting(applied)
        guard missing.isEmpty else {
            throw APIError(.unavailable, "The database is behind the application: \(missing.count) migration(s) pending.")
        }
        return Response.json(ByteBuffer(string: #"{"status":"ready"}"#))
    }
}
