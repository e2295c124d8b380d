import Logging
import PostgresNIO
import Synchronization

/// The transaction one request runs in, on one leased connection: what ``IdempotencyMiddleware``
/// opens so that the answer it stores commits with the change the route made.
///
/// While a request holds one, ``Database/transaction(logger:_:)`` and
/// ``Database/withConnection(logger:_:)`` run their bodies in savepoints of it, one at a time, so
/// that a body that fails undoes only its own statements and the request can still answer. A
/// statement run on ``Database/client`` directly (the rate limiter's counters, a failed
/// password change's audit row) stays outside: it commits even when the request fails.
///
/// It is bound to the request's task (``Database/requestTransaction``) and so inherited by the
/// tasks that request starts; it ends with the request, after which a task that outlived it uses
/// the pool as if there had been none.
final class RequestTransaction: Sendable {
    let connection: PostgresConnection
    private let state = Mutex<(active: Bool, savepoints: Int)>((true, 0))
    /// One savepoint body at a time: bodies of tasks the request started at once would
    /// otherwise interleave their statements on the one connection.
    private let turn = AsyncSlots(1)

    init(connection: PostgresConnection) {
        self.connection = connection
    }

    /// Set inside a savepoint body, so that a body that opens another (a nested transaction) does
    /// not wait for its own turn.
    @TaskLocal static var holdsTurn = false

    /// Whether the request is still being served.
    var isActive: Bool { state.withLock { $0.active } }

    /// Called when the request is answered: later bodies use the pool.
    func end() {
        state.withLock { $0.active = false }
    }

    /// Runs `body` in a savepoint: released when it returns, rolled back to when it throws. A
    /// savepoint whose statements failed cannot be released; it is rolled back, and `body`'s
    /// result stands, as a COMMIT of an aborted transaction rolls back without an error.
    func inSavepoint<Result: Sendable>(
        isolation: isolated (any Actor)? = #isolation, logger: Logger, _ body: (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        guard !Self.holdsTurn else { return try await savepoint(logger: logger, body) }
        try await turn.acquire()
        defer { turn.release() }
        return try await Self.$holdsTurn.withValue(true) { try await savepoint(logger: logger, body) }
    }

    private func savepoint<Result: Sendable>(
        isolation: isolated (any Actor)? = #isolation, logger: Logger, _ body: (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        let name = "trellis_" + String(state.withLock { state in
            state.savepoints += 1
            return state.savepoints
        })
        try await connection.query(PostgresQuery(unsafeSQL: "SAVEPOINT \(name)"), logger: logger)
        let result: Result
        do {
            result = try await body(connection)
        } catch {
            try await rollBack(to: name, logger: logger)
            throw error
        }
        do {
            try await connection.query(PostgresQuery(unsafeSQL: "RELEASE SAVEPOINT \(name)"), logger: logger)
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == "25P02" {
            try await rollBack(to: name, logger: logger)
        }
        return result
    }

    private func rollBack(to name: String, logger: Logger) async throws {
        try await connection.query(PostgresQuery(unsafeSQL: "ROLLBACK TO SAVEPOINT \(name)"), logger: logger)
        try await connection.query(PostgresQuery(unsafeSQL: "RELEASE SAVEPOINT \(name)"), logger: logger)
    }
}

