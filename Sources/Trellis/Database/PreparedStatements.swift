import Logging
import PostgresNIO

extension PostgresClient {
    /// The first row of a prepared statement, or nil when it returns none.
    public func first<Statement: PostgresPreparedStatement>(
        _ statement: Statement, logger: Logger
    ) async throws -> Statement.Row? {
        try await TrellisTracing.databaseSpan("db \(Statement.self)", query: Statement.sql) {
            // Read to the end so the connection is free for the next statement.
            var first: Statement.Row?
            for try await row in try await execute(statement, logger: logger) where first == nil {
                first = row
            }
            return first
        }
    }
}

extension PostgresConnection {
    /// The first row of a prepared statement, or nil when it returns none.
    public func first<Statement: PostgresPreparedStatement>(
        _ statement: Statement, logger: Logger
    ) async throws -> Statement.Row? {
        try await TrellisTracing.databaseSpan("db \(Statement.self)", query: Statement.sql) {
            // Read to the end so the connection is free for the next statement.
            var first: Statement.Row?
            for try await row in try await execute(statement, logger: logger) where first == nil {
                first = row
            }
            return first
        }
    }
}

extension PostgresBindings {
    /// Appends any encodable value (generated statements bind every column through this one call,
    /// whether or not the type's encoding can throw).
    public mutating func bind<Value: PostgresThrowingDynamicTypeEncodable>(_ value: Value) throws {
        try append(value)
    }

    /// Appends an optional value; nil binds SQL NULL.
    public mutating func bind<Value: PostgresThrowingDynamicTypeEncodable>(_ value: Value?) throws {
        try append(value)
    }
}
