import Logging
import PostgresNIO

/// The application's PostgreSQL pool plus the transaction helper the resource engine and the
/// account routes use.
///
/// A request with an `Idempotency-Key` runs in one transaction of its own
/// (``IdempotencyMiddleware``, ``RequestTransaction``): inside it, ``transaction(logger:_:)`` and
/// ``withConnection(logger:_:)`` run their bodies in savepoints on that transaction's connection,
/// so everything the route writes through them commits, or not, with the stored answer. What runs
/// on ``client`` directly stays outside, on a connection of its own.
public struct Database: Sendable {
    public let client: PostgresClient
    /// How concurrent reads by id of a resource share statements (``ReadBatching/default``).
    public let readBatching: ReadBatching

    public init(client: PostgresClient, readBatching: ReadBatching = .default) {
        self.client = client
        self.readBatching = readBatching
    }

    /// The transaction of the request being served, when it has one.
    @TaskLocal static var requestTransaction: RequestTransaction?

    /// The request's transaction, while it is being served.
    private static var activeRequestTransaction: RequestTransaction? {
        guard let transaction = requestTransaction, transaction.isActive else { return nil }
        return transaction
    }

    /// Runs `body` in one transaction on one pooled connection: COMMIT when it returns,
    /// ROLLBACK when it throws, rethrowing the original error (not a wrapper) so it maps cleanly.
    /// Inside the request's own transaction it runs in a savepoint of it instead.
    public func transaction<Result: Sendable>(
        logger: Logger, _ body: (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        if let request = Self.activeRequestTransaction { return try await request.inSavepoint(logger: logger, body) }
        return try await TrellisTracing.databaseSpan("db transaction") { try await run(logger: logger, body) }
    }

    private func run<Result: Sendable>(logger: Logger, _ body: (PostgresConnection) async throws -> Result) async throws -> Result {
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

    /// Runs `body` with a pooled connection, or in a savepoint of the request's own transaction
    /// when it has one: how routes run statements that need no transaction of their own but
    /// belong to the request's change.
    public func withConnection<Result: Sendable>(
        logger: Logger, _ body: (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        if let request = Self.activeRequestTransaction { return try await request.inSavepoint(logger: logger, body) }
        return try await client.withConnection { try await body($0) }
    }
}
