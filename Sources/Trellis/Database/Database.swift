import Logging
import PostgresNIO

/// The application's PostgreSQL pool plus the transaction helper the resource engine and the
/// account routes use.
public struct Database: Sendable {
    public let client: PostgresClient
    /// How concurrent reads by id of a resource share statements (``ReadBatching/default``).
    public let readBatching: ReadBatching

    public init(client: PostgresClient, readBatching: ReadBatching = .default) {
        self.client = client
        self.readBatching = readBatching
    }

    /// Runs `body` in one transaction on one pooled connection: COMMIT when it returns,
    /// ROLLBACK when it throws, rethrowing the original error (not a wrapper) so it maps cleanly.
    public func transaction<Result: Sendable>(
        logger: Logger, _ body: (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        try await client.withConnection { connection in
            try await connection.query("BEGIN", logger: logger)
            let result: Result
            do {
                result = try await body(connection)
            } catch {
                do {
                    try await connection.query("ROLLBACK", logger: logger)
                } catch let rollbackError {
                    logger.error("rollback failed", metadata: ["error": "\(String(reflecting: rollbackError))"])
                }
                throw error
            }
            try await connection.query("COMMIT", logger: logger)
            return result
        }
    }
}
