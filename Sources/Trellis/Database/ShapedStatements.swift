import Logging
import PostgresNIO
import Synchronization

/// Statements whose SQL is chosen per request (a list's filters and sort), prepared once per
/// connection like the generated ones.
///
/// postgres-nio prepares a statement per connection under its type's static `name` and `sql`.
/// A list builds its SQL from the request, so this registry gives each distinct SQL text a name
/// of its own, and ``ShapedStatement`` hands that name and text to postgres-nio through a task
/// local, read while `execute` starts. The number of names is bounded (``capacity``): past it, a
/// statement runs unprepared, so no sequence of requests can make a connection hold an unbounded
/// number of prepared statements.
public final class ShapedStatements: Sendable {
    /// The most distinct statements one registry prepares.
    public let capacity: Int
    private let names = Mutex<[String: String]>([:])

    public init(capacity: Int = 128) {
        self.capacity = capacity
    }

    /// The rows `sql` answers, prepared under its own name while there is room.
    public func rows(
        _ sql: String, bindings: PostgresBindings, on client: PostgresClient, logger: Logger
    ) async throws -> [PostgresRow] {
        try await TrellisTracing.databaseSpan("db list", query: sql) { try await run(sql, bindings: bindings, on: client, logger: logger) }
    }

    private func run(_ sql: String, bindings: PostgresBindings, on client: PostgresClient, logger: Logger) async throws -> [PostgresRow] {
        guard let name = name(for: sql) else {
            var rows: [PostgresRow] = []
            for try await row in try await client.query(PostgresQuery(unsafeSQL: sql, binds: bindings), logger: logger) {
                rows.append(row)
            }
            return rows
        }
        return try await ShapedStatement.$current.withValue(ShapedStatement.Text(name: name, sql: sql)) {
            var rows: [PostgresRow] = []
            for try await row in try await client.execute(ShapedStatement(bindings: bindings), logger: logger) {
                rows.append(row)
            }
            return rows
        }
    }

    private func name(for sql: String) -> String? {
        names.withLock { names in
            if let name = names[sql] { return name }
            guard names.count < capacity else { return nil }
            // Short and unique in the process: PostgreSQL cuts names at 63 bytes, so a name
            // built from a long table name could collide with another.
            let name = "trellis.shape.\(Self.serial.add())"
            names[sql] = name
            return name
        }
    }

    /// Makes every name unique in the process, whichever registry gives it.
    private static let serial = Serial()

    private final class Serial: Sendable {
        private let value = Mutex(0)
        func add() -> Int { value.withLock { $0 += 1; return $0 } }
    }
}

/// The statement ``ShapedStatements`` runs: its name and SQL are the task's ``current``.
struct ShapedStatement: PostgresPreparedStatement {
    struct Text: Sendable {
        var name: String
        var sql: String
    }

    @TaskLocal static var current: Text?

    // postgres-nio reads these while `execute` starts, in the task that set ``current``.
    static var name: String { required.name }
    static var sql: String { required.sql }

    private static var required: Text {
        guard let current else { preconditionFailure("a ShapedStatement runs only inside ShapedStatements.rows") }
        return current
    }

    var bindings: PostgresBindings

    func makeBindings() throws -> PostgresBindings { bindings }

    func decodeRow(_ row: PostgresRow) throws -> PostgresRow { row }
}
