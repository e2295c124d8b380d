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
