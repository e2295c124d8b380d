import Hummingbird
import Logging
import NIOCore

/// `/health` (the process answers) and `/ready` (the database answers and is migrated, and the
/// server is not shutting down).
struct HealthRoutes: Sendable {
    let database: Database
    let migrationIDs: Set<String>
    let state: ServerState

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
        do {
            let applied = try await Migrator(client: database.client, logger: logger).appliedIDs()
            let missing = migrationIDs.subtracting(applied)
            guard missing.isEmpty else {
                throw APIError(.unavailable, "The database is behind the application: \(missing.count) migration(s) pending.")
            }
        } catch let error as APIError {
            throw error
        } catch {
            logger.warning("readiness check failed", metadata: ["error": "\(String(reflecting: error))"])
            throw APIError(.unavailable, "The database is not reachable.")
        }
        return Response.json(ByteBuffer(string: #"{"status":"ready"}"#))
    }
}
