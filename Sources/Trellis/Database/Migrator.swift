import Logging
import PostgresNIO

/// Which of a list of migrations a database has applied and which it still needs.
public struct MigrationStatus: Sendable, Hashable {
    /// Identifiers of the applied migrations, in the order of the list given to ``Migrator/status(_:)``.
    public var applied: [String]
    /// Identifiers of the migrations not applied yet, in the order they will be applied.
    public var pending: [String]

    /// Creates a status from applied and pending identifiers.
    public init(applied: [String], pending: [String]) {
        self.applied = applied
        self.pending = pending
    }

    /// `true` when nothing is pending.
    public var isUpToDate: Bool { pending.isEmpty }
}

/// Why ``Migrator`` refused to migrate, or what went wrong while it did; every description says
/// what to do about it.
public enum MigrationError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The SQL of an applied migration no longer matches the checksum recorded when it ran.
    case checksumMismatch(id: String)
    /// The database has applied a migration that the application does not know.
    case unknownApplied(id: String)
    /// Two migrations in the list share an identifier.
    case duplicateID(id: String)
    /// A transactional migration controls transactions itself (`BEGIN`, `COMMIT`, ...) at `line`.
    case transactionControl(id: String, line: Int)
    /// A statement of the migration failed at `line` of its SQL (`nil`: while committing).
    /// `transactional` tells whether everything the migration did was rolled back.
    case migrationFailed(id: String, line: Int?, message: String, transactional: Bool)
    /// The migrator's own bookkeeping (lock, `schema_migrations`) failed during `step`.
    case bookkeepingFailed(step: String, message: String)

    /// What went wrong and what to do about it, naming the migration's file.
    public var description: String {
        switch self {
        case .checksumMismatch(let id):
            return "\(Self.source(id)) was edited after it was applied; the database ran a different version of it. "
                + "Applied migrations are immutable: restore it (for example `git checkout -- \(Migration.sourcePath(id: id))`) "
                + "and put the change in a new migration (change the spec and run `make generate`)."
        case .unknownApplied(let id):
            return "the database has applied migration \(id), which this application does not know "
                + "(\(Migration.sourcePath(id: id)) is missing). Deploy a build that contains it, "
                + "or point DATABASE_URL at the database this build belongs to."
        case .duplicateID(let id):
            return "two migrations share the id \(id); give each migration a unique id (rename one of the files in generated/migrations/)."
        case .transactionControl(let id, let line):
            return "\(Self.source(id)):\(line): a migration must not contain BEGIN, COMMIT or ROLLBACK; "
                + "Trellis runs each migration in its own transaction. Remove the statement, or add the line "
                + "`\(Migration.noTransactionMarker)` to run the migration without a transaction."
        case .migrationFailed(let id, let line, let message, let transactional):
            let location = line.map { "\(Self.source(id)):\($0)" } ?? Self.source(id)
            let fix = "Fix the SQL (for a generated migration: the spec, then `make generate`) and migrate again."
            if transactional {
                return "\(location): migration \(id) failed: \(message). Nothing of it was applied (its transaction was rolled back). \(fix)"
            }
            return "\(location): migration \(id) failed: \(message). It runs without a transaction, so the statements "
                + "before this one stayed applied: make them safe to repeat (IF NOT EXISTS; drop an INVALID index left by "
                + "CREATE INDEX CONCURRENTLY) or undo them by hand. \(fix)"
        case .bookkeepingFailed(let step, let message):
            return "could not \(step): \(message). Check that DATABASE_URL points at the right database and that its user "
                + "may create tables and take advisory locks."
        }
    }

    private static func source(_ id: String) -> String {
        Migration(id: id, sql: "").sourceDescription
    }
}

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

    private func lock(_ connection: PostgresConnection) async throws {
        do {
            let acquired = try await connection.query("SELECT pg_try_advisory_lock(\(Self.lockKey))", logger: logger)
                .decode(Bool.self).reduce(false) { $0 || $1 }
            if !acquired {
                logger.info("another process is migrating this database; waiting for it to finish")
                try await drain(connection.query("SELECT pg_advisory_lock(\(Self.lockKey))", logger: logger))
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

/// Splits SQL text into statements the way `psql` does: at semicolons outside string literals,
/// quoted identifiers, dollar-quoted bodies, comments, parentheses and the `BEGIN ... END` body of
/// a `CREATE FUNCTION`/`CREATE PROCEDURE ... BEGIN ATOMIC`.
enum SQLScript {
    /// One statement, without its terminating semicolon.
    struct Statement: Sendable, Hashable {
        /// The statement's text, from its first token to its last character before the semicolon.
        var text: String
        /// The 1-based line of the script on which the statement's first token stands.
        var line: Int
        /// The statement's first keyword, uppercased.
        var firstKeyword: String

        /// `true` for statements that start, end or abort a transaction.
        var controlsTransaction: Bool {
            ["BEGIN", "START", "COMMIT", "END", "ROLLBACK", "ABORT"].contains(firstKeyword)
                && !(firstKeyword == "ROLLBACK" && text.uppercased().contains(" TO "))
        }
    }

    /// The statements of `sql`; statements consisting only of whitespace and comments are dropped.
    static func statements(in sql: String) -> [Statement] {
        var scanner = Scanner(bytes: Array(sql.utf8))
        return scanner.run()
    }

    private struct Scanner {
        let bytes: [UInt8]
        var index = 0
        var line = 1
        var statements: [Statement] = []

        // State of the current statement.
        var start: Int?
        var startLine = 1
        var end = 0
        var words: [String] = []
        var parenDepth = 0
        var beginDepth = 0

        init(bytes: [UInt8]) {
            self.bytes = bytes
        }

        mutating func run() -> [Statement] {
            while index < bytes.count {
                let byte = bytes[index]
                switch byte {
                case UInt8(ascii: "-") where peek(1) == UInt8(ascii: "-"):
                    skipLineComment()
                case UInt8(ascii: "/") where peek(1) == UInt8(ascii: "*"):
                    skipBlockComment()
                case UInt8(ascii: ";") where parenDepth == 0 && beginDepth == 0:
                    finishStatement()
                    index += 1
                case UInt8(ascii: "\n"), UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"), 0x0C:
                    if byte == UInt8(ascii: "\n") { line += 1 }
                    index += 1
                default:
                    markContent()
                    scanToken()
                }
            }
            finishStatement()
            return statements
        }

        private func peek(_ offset: Int) -> UInt8? {
            index + offset < bytes.count ? bytes[index + offset] : nil
        }

        private mutating func markContent() {
            if start == nil {
                start = index
                startLine = line
            }
        }

        private mutating func finishStatement() {
            if let start {
                let text = String(decoding: bytes[start..<end], as: UTF8.self)
                statements.append(Statement(text: text, line: startLine, firstKeyword: words.first ?? ""))
            }
            start = nil
            words = []
            parenDepth = 0
            beginDepth = 0
        }

        /// Advances over one byte, counting lines.
        private mutating func advance() {
            if bytes[index] == UInt8(ascii: "\n") { line += 1 }
            index += 1
        }

        private mutating func skipLineComment() {
            while index < bytes.count, bytes[index] != UInt8(ascii: "\n") { index += 1 }
        }

        private mutating func skipBlockComment() {
            var depth = 0
            while index < bytes.count {
                if bytes[index] == UInt8(ascii: "/"), peek(1) == UInt8(ascii: "*") {
                    depth += 1
                    index += 2
                } else if bytes[index] == UInt8(ascii: "*"), peek(1) == UInt8(ascii: "/") {
                    depth -= 1
                    index += 2
                    if depth == 0 { return }
                } else {
                    advance()
                }
            }
        }

        private static func isIdentifierStart(_ byte: UInt8) -> Bool {
            (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
                || byte == UInt8(ascii: "_") || byte >= 0x80
        }

        private static func isIdentifierPart(_ byte: UInt8) -> Bool {
            isIdentifierStart(byte) || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "$")
        }

        /// Scans one token that is not whitespace or a comment and records where the statement ends.
        private mutating func scanToken() {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "'"):
                skipQuoted(UInt8(ascii: "'"), backslashEscapes: false)
            case UInt8(ascii: "\""):
                skipQuoted(UInt8(ascii: "\""), backslashEscapes: false)
            case UInt8(ascii: "$"):
                if let tag = dollarTag() {
                    skipDollarQuoted(tag)
                } else {
                    index += 1
                }
            case UInt8(ascii: "("):
                parenDepth += 1
                index += 1
            case UInt8(ascii: ")"):
                parenDepth = max(0, parenDepth - 1)
                index += 1
            case _ where Self.isIdentifierStart(byte):
                scanWord()
            case _ where byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"):
                // A number, possibly followed by letters (1e5): consume it whole so it is not a word.
                while index < bytes.count, Self.isIdentifierPart(bytes[index]) || bytes[index] == UInt8(ascii: ".") { index += 1 }
            default:
                index += 1
            }
            end = index
        }

        private mutating func scanWord() {
            let wordStart = index
            while index < bytes.count, Self.isIdentifierPart(bytes[index]) { index += 1 }
            let word = String(decoding: bytes[wordStart..<index], as: UTF8.self).uppercased()
            // E'...' is a string with backslash escapes.
            if word == "E", index < bytes.count, bytes[index] == UInt8(ascii: "'") {
                skipQuoted(UInt8(ascii: "'"), backslashEscapes: true)
                return
            }
            words.append(word)
            trackBeginAtomic(word)
        }

        /// `CREATE [OR REPLACE] {FUNCTION|PROCEDURE} ... BEGIN ATOMIC ...; ... END`: semicolons inside
        /// the body do not end the statement (psql's heuristic, also counting CASE ... END inside it).
        private mutating func trackBeginAtomic(_ word: String) {
            guard parenDepth == 0, words.first == "CREATE" else { return }
            let second = words.count > 1 ? words[1] : ""
            let isRoutine = ["FUNCTION", "PROCEDURE"].contains(second)
                || (second == "OR" && words.count > 3 && words[2] == "REPLACE" && ["FUNCTION", "PROCEDURE"].contains(words[3]))
            guard isRoutine else { return }
            switch word {
            case "BEGIN": beginDepth += 1
            case "CASE" where beginDepth > 0: beginDepth += 1
            case "END" where beginDepth > 0: beginDepth -= 1
            default: break
            }
        }

        /// Skips a quoted string or identifier starting at `index`; a doubled quote is an escaped quote.
        private mutating func skipQuoted(_ quote: UInt8, backslashEscapes: Bool) {
            index += 1
            while index < bytes.count {
                let byte = bytes[index]
                if backslashEscapes, byte == UInt8(ascii: "\\") {
                    advance()
                    if index < bytes.count { advance() }
                } else if byte == quote {
                    index += 1
                    guard index < bytes.count, bytes[index] == quote else { return }
                    index += 1
                } else {
                    advance()
                }
            }
        }

        /// The dollar-quote tag (`$$` or `$name$`) starting at `index`, unless the `$` continues an
        /// identifier (`a$b`) or starts a parameter (`$1`).
        private func dollarTag() -> ArraySlice<UInt8>? {
            if index > 0, Self.isIdentifierPart(bytes[index - 1]) { return nil }
            var cursor = index + 1
            if cursor < bytes.count, bytes[cursor] != UInt8(ascii: "$") {
                guard Self.isIdentifierStart(bytes[cursor]) else { return nil }
                while cursor < bytes.count, Self.isIdentifierPart(bytes[cursor]), bytes[cursor] != UInt8(ascii: "$") { cursor += 1 }
            }
            guard cursor < bytes.count, bytes[cursor] == UInt8(ascii: "$") else { return nil }
            return bytes[index...cursor]
        }

        private mutating func skipDollarQuoted(_ tag: ArraySlice<UInt8>) {
            index += tag.count
            while index < bytes.count {
                if bytes[index] == UInt8(ascii: "$"), bytes[index...].starts(with: tag) {
                    index += tag.count
                    return
                }
                advance()
            }
        }
    }
}
