import Logging
import PostgresNIO

/// The application's PostgreSQL pool plus the transaction helper the resource engine and the
/// account routes use.
///
/// A request with an `Idempotency-Key` runs in one transaction of its own
/// (``IdempotencyMiddleware``), so that its answer is stored with the change it made: inside it,
/// ``transaction(logger:_:)`` opens a savepoint on that transaction's connection and
/// ``withConnection(logger:_:)`` lends that connection, so everything the route writes commits,
/// or not, with the stored answer.
public struct Database: Sendable {
    public let client: PostgresClient
    /// How concurrent reads by id of a resource share statements (``ReadBatching/default``).
    public let readBatching: ReadBatching

    public init(client: PostgresClient, readBatching: ReadBatching = .default) {
        self.client = client
        self.readBatching = readBatching
    }

    /// The transaction of the request being served, when it has one (see ``IdempotencyMiddleware``).
    @TaskLocal static var requestTransaction: PostgresConnection?

    /// Runs `body` in one transaction on one pooled connection: COMMIT when it returns,
    /// ROLLBACK when it throws, rethrowing the original error (not a wrapper) so it maps cleanly.
    /// Inside the request's own transaction it runs in a savepoint of it instead, released when
    /// `body` returns and rolled back to when it throws.
    public func transaction<Result: Sendable>(
        logger: Logger, _ body: (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        if let connection = Self.requestTransaction {
            return try await Self.run(body, on: connection, begin: "SAVEPOINT trellis_nested", commit: "RELEASE SAVEPOINT trellis_nested",
                rollback: ["ROLLBACK TO SAVEPOINT trellis_nested", "RELEASE SAVEPOINT trellis_nested"], logger: logger)
        }
        return try await client.withConnection { connection in
            try await Self.run(body, on: connection, begin: "BEGIN", commit: "COMMIT", rollback: ["ROLLBACK"], logger: logger)
        }
    }

    /// Runs `body` with a pooled connection, or with the request's own transaction's connection
    /// when it has one: how routes run statements that need no transaction of their own.
    public func withConnection<Result: Sendable>(
        logger: Logger, _ body: (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        if let connection = Self.requestTransaction { return try await body(connection) }
        return try await client.withConnection { try await body($0) }
    }

    private static func run<Result: Sendable>(
        isolation: isolated (any Actor)? = #isolation, _ body: (PostgresConnection) async throws -> Result, on connection: PostgresConnection, begin: String, commit: String,
        rollback: [String], logger: Logger
    ) async throws -> Result {
        try await connection.query(PostgresQuery(unsafeSQL: begin), logger: logger)
        let result: Result
        do {
            result = try await body(connection)
        } catch {
            do {
                for statement in rollback { try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger) }
            } catch let rollbackError {
                logger.error("rollback failed", metadata: ["error": "\(String(reflecting: rollbackError))"])
            }
            throw error
        }
        try await connection.query(PostgresQuery(unsafeSQL: commit), logger: logger)
        return result
    }
}
