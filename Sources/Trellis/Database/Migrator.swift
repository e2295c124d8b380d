import Logging
import PostgresNIO

/// Applies migrations to a PostgreSQL database, in order, each exactly once, even when several
/// processes migrate at the same time.
///
/// Applied migrations are recorded with the checksum of their SQL in `schema_migrations`. A run
/// holds a session-level advisory lock on one connection from start to end, so concurrent runs
/// wait for each other and then find nothing left to do. Each migration runs in its own
/// transaction together with the insert of its `schema_migrations` row, unless its SQL contains
/// the line `-- trellis:no-transaction`.
///
/// postgres-nio speaks only the extended query protocol, which accepts one statement per query, so
/// a migration's SQL is split into statements first (respecting quotes, dollar quoting, comments
/// and `BEGIN ATOMIC ... END` bodies) and the statements run one after another on the same
/// connection. `COPY ... FROM STDIN` is not supported.
public struct Migrator: Sendable {
    /// The advisory lock key of migration runs: the first 8 bytes of SHA-256("trellis.migrations"),
    /// big-endian, as a signed 64-bit integer. Look for it in `pg_locks` (`classid`/`objid` halves).
    public static let lockKey: Int64 = -7_839_070_079_465_753_947

    private let client: PostgresClient
    private let logger: Logger

    /// Creates a migrator that works through `client` and logs to `logger`.
    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// Applies the pending migrations of `migrations`, in the order given.
    ///
    /// Before applying anything it verifies that every applied migration is in the list with
    /// unchanged SQL. Creates `schema_migrations` when it is missing.
    ///
    /// - Returns: the identifiers of the migrations this call applied (empty when up to date).
    /// - Throws: ``MigrationError`` when the list and the database disagree or a migration fails.
    public func migrate(_ migrations: [Migration]) async throws -> [String] {
        try Self.validate(migrations)
        return try await client.withConnection { connection in
            try await lock(connection)
            do {
                let applied = try await applyPending(migrations, on: connection)
                await cleanUp(connection, rollback: false)
                return applied
            } catch {
                await cleanUp(connection, rollback: true)
                throw error
            }
        }
    }

    /// Reports which of `migrations` are applied and which are pending, without changing anything.
    ///
    /// - Throws: ``MigrationError`` when an applied migration was edited or is unknown.
    public func status(_ migrations: [Migration]) async throws -> MigrationStatus {
        try Self.validate(migrations)
        let applied = try await client.withConnection { connection in
            try await readApplied(on: connection, createIfMissing: false)
        }
        let pending = try Self.pending(migrations, applied: applied)
        let pendingIDs = Set(pending.map(\.id))
        return MigrationStatus(applied: migrations.map(\.id).filter { !pendingIDs.contains($0) }, pending: pending.map(\.id))
    }

    /// The migrations of `migrations` that ``migrate(_:)`` would apply, in order.
    ///
    /// - Throws: ``MigrationError`` when an applied migration was edited or is unknown.
    public func pending(_ migrations: [Migration]) async throws -> [Migration] {
        try Self.validate(migrations)
        let applied = try await client.withConnection { connection in
            try await readApplied(on: connection, createIfMissing: false)
        }
        return try Self.pending(migrations, applied: applied)
    }

    /// The identifiers recorded in `schema_migrations`, oldest first; empty when the table does not exist.
    public func appliedIDs() async throws -> [String] {
        try await client.withConnection { connection in
            try await readApplied(on: connection, createIfMissing: false).map(\.id)
        }
    }

    // MARK: - Planning (no database)

    /// A row of `schema_migrations`.
    struct AppliedMigration: Sendable, Hashable {
        var id: String
        var checksum: String
    }

    /// Rejects lists that cannot be applied safely, before touching the database.
    static func validate(_ migrations: [Migration]) throws(MigrationError) {
        var seen = Set<String>()
        for migration in migrations {
            guard seen.insert(migration.id).inserted else { throw .duplicateID(id: migration.id) }
            guard migration.isTransactional else { continue }
            if let statement = SQLScript.statements(in: migration.sql).first(where: \.controlsTransaction) {
                throw .transactionControl(id: migration.id, line: statement.line)
            }
        }
    }

    /// The migrations still to apply, after checking every applied one against the list.
    static func pending(_ migrations: [Migration], applied: [AppliedMigration]) throws(MigrationError) -> [Migration] {
        let byID = Dictionary(migrations.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        for row in applied {
            guard let migration = byID[row.id] else { throw .unknownApplied(id: row.id) }
            guard migration.checksum == row.checksum else { throw .checksumMismatch(id: row.id) }
        }
        let appliedIDs = Set(applied.map(\.id))
        return migrations.filter { !appliedIDs.contains($0.id) }
    }

    // MARK: - Running

    /// Takes the lock, waiting for another run by asking again every 100 ms rather than blocking in
    /// `pg_advisory_lock`: a statement blocked there keeps its snapshot, which the other run's
    /// `CREATE INDEX CONCURRENTLY` waits for, and PostgreSQL would end one of them as a deadlock.
    private func lock(_ connection: PostgresConnection) async throws {
        do {
            var waiting = false
            while try await !connection.query("SELECT pg_try_advisory_lock(\(Self.lockKey))", logger: logger)
                .decode(Bool.self).reduce(false, { $0 || $1 })
            {
                if !waiting { logger.info("another process is migrating this database; waiting for it to finish") }
                waiting = true
                try await Task.sleep(for: .milliseconds(100))
            }
        } catch {
            throw MigrationError.bookkeepingFailed(step: "take the migration lock", message: Self.message(of: error))
        }
    }

    /// Ends any open transaction, resets session settings a migration may have changed (the
    /// connection returns to the pool) and releases the lock. Failures are logged: closing the
    /// connection releases the lock anyway.
    private func cleanUp(_ connection: PostgresConnection, rollback: Bool) async {
        let statements: [PostgresQuery] =
            (rollback ? ["ROLLBACK"] : []) + ["RESET ALL", "SELECT pg_advisory_unlock(\(Self.lockKey))"]
        for statement in statements {
            do {
                try await drain(connection.query(statement, logger: logger))
            } catch {
                logger.warning(
                    "migration clean-up failed", metadata: ["sql": "\(statement.sql)", "error": "\(Self.message(of: error))"]
                )
            }
        }
    }

    private func applyPending(_ migrations: [Migration], on connection: PostgresConnection) async throws -> [String] {
        let applied = try await readApplied(on: connection, createIfMissing: true)
        let pending = try Self.pending(migrations, applied: applied)
        if pending.isEmpty {
            logger.info("the database is up to date", metadata: ["applied": "\(applied.count)"])
        }
        let appliedIDs = Set(applied.map(\.id))
        if let lastApplied = migrations.lastIndex(where: { appliedIDs.contains($0.id) }),
            let firstPending = migrations.firstIndex(where: { !appliedIDs.contains($0.id) }), firstPending < lastApplied
        {
            logger.warning(
                "applying a migration older than one already applied (merged branches?); check that they do not conflict",
                metadata: ["migration": "\(migrations[firstPending].id)", "already applied": "\(migrations[lastApplied].id)"]
            )
        }
        var appliedNow: [String] = []
        for migration in pending {
            let start = ContinuousClock.now
            try await apply(migration, on: connection)
            appliedNow.append(migration.id)
            logger.info(
                "applied migration",
                metadata: [
                    "migration": "\(migration.id)", "transactional": "\(migration.isTransactional)",
                    "duration": "\(ContinuousClock.now - start)",
                ]
            )
        }
        return appliedNow
    }

    private func apply(_ migration: Migration, on connection: PostgresConnection) async throws {
        let transactional = migration.isTransactional
        if transactional {
            try await bookkeeping("begin the transaction of \(migration.id)") {
                try await drain(connection.query("BEGIN", logger: logger))
            }
        }
        for statement in SQLScript.statements(in: migration.sql) {
            do {
                try await drain(connection.query(PostgresQuery(unsafeSQL: statement.text), logger: logger))
            } catch {
                if transactional { try await rollback(connection) }
                throw MigrationError.migrationFailed(
                    id: migration.id, line: Self.line(of: error, in: statement), message: Self.message(of: error),
                    transactional: transactional
                )
            }
        }
        do {
            try await drain(
                connection.query(
                    "INSERT INTO schema_migrations (id, checksum) VALUES (\(migration.id), \(migration.checksum))", logger: logger
                )
            )
        } catch {
            if transactional { try await rollback(connection) }
            throw MigrationError.bookkeepingFailed(step: "record migration \(migration.id)", message: Self.message(of: error))
        }
        if transactional {
            do {
                try await drain(connection.query("COMMIT", logger: logger))
            } catch {
                throw MigrationError.migrationFailed(
                    id: migration.id, line: nil, message: "COMMIT failed: \(Self.message(of: error))", transactional: true
                )
            }
        }
    }

    private func rollback(_ connection: PostgresConnection) async throws {
        try await bookkeeping("roll back a failed migration") {
            try await drain(connection.query("ROLLBACK", logger: logger))
        }
    }

    private func readApplied(on connection: PostgresConnection, createIfMissing: Bool) async throws -> [AppliedMigration] {
        try await bookkeeping("read schema_migrations") {
            if createIfMissing {
                try await drain(
                    connection.query(
                        """
                        CREATE TABLE IF NOT EXISTS schema_migrations (
                            id text PRIMARY KEY,
                            checksum text NOT NULL,
                            applied_at timestamptz NOT NULL DEFAULT now()
                        )
                        """,
                        logger: logger
                    )
                )
            } else {
                let exists = try await connection.query("SELECT to_regclass('schema_migrations') IS NOT NULL", logger: logger)
                    .decode(Bool.self).reduce(false) { $0 || $1 }
                guard exists else { return [] }
            }
            var rows: [AppliedMigration] = []
            let sequence = try await connection.query(
                "SELECT id, checksum FROM schema_migrations ORDER BY applied_at, id", logger: logger
            )
            for try await (id, checksum) in sequence.decode((String, String).self) {
                rows.append(AppliedMigration(id: id, checksum: checksum))
            }
            return rows
        }
    }

    /// Runs a bookkeeping step, turning database errors into ``MigrationError/bookkeepingFailed(step:message:)``.
    private func bookkeeping<Result>(_ step: String, _ body: () async throws -> Result) async throws -> Result {
        do {
            return try await body()
        } catch let error as MigrationError {
            throw error
        } catch {
            throw MigrationError.bookkeepingFailed(step: step, message: Self.message(of: error))
        }
    }

    /// Consumes every row: an error raised while the statement executes arrives with the rows,
    /// after the query call itself has returned.
    private func drain(_ rows: PostgresRowSequence) async throws {
        for try await _ in rows {}
    }

    /// The server's message (with detail and hint) or, for other errors, their debug description.
    static func message(of error: any Error) -> String {
        guard let error = error as? PSQLError, let info = error.serverInfo, let message = info[.message] else {
            return String(reflecting: error)
        }
        var text = message
        if let state = info[.sqlState] { text += " (SQLSTATE \(state))" }
        if let detail = info[.detail] { text += "; \(detail)" }
        if let hint = info[.hint] { text += "; hint: \(hint)" }
        return text
    }

    /// The line of the migration's SQL the server's error position points at, else the statement's first line.
    static func line(of error: any Error, in statement: SQLScript.Statement) -> Int {
        guard let error = error as? PSQLError, let position = error.serverInfo?[.position].flatMap({ Int($0) }), position > 0
        else {
            return statement.line
        }
        let newlines = statement.text.unicodeScalars.prefix(position - 1).filter { $0 == "\n" }.count
        return statement.line + newlines
    }
}

// MARK: - Splitting SQL into statements
