import Crypto

/// One immutable, ordered SQL migration: the body of `generated/migrations/<id>.sql`, or one of the
/// runtime's own ``CoreMigrations``.
///
/// Once applied, a migration must never change: ``Migrator`` records the ``checksum`` of the SQL it
/// ran and refuses to continue when the SQL it is given later hashes differently.
public struct Migration: Sendable, Hashable {
    /// The marker line that makes a migration run outside a transaction, statement by statement
    /// (needed for `CREATE INDEX CONCURRENTLY`, which PostgreSQL refuses inside a transaction).
    public static let noTransactionMarker = "-- trellis:no-transaction"

    /// The migration's identifier, unique and ordered, e.g. `20261126000000_initial` or
    /// `trellis_0001_core`. Generated migrations live in `generated/migrations/<id>.sql`.
    public let id: String

    /// The SQL to run: one or more statements separated by semicolons.
    public let sql: String

    /// Creates a migration from its identifier and SQL body.
    public init(id: String, sql: String) {
        self.id = id
        self.sql = sql
    }

    /// The lowercase hexadecimal SHA-256 of ``sql`` (its UTF-8 bytes, exactly as given).
    public var checksum: String {
        let hexDigits = Array("0123456789abcdef")
        var hex = ""
        hex.reserveCapacity(64)
        for byte in SHA256.hash(data: Array(sql.utf8)) {
            hex.append(hexDigits[Int(byte >> 4)])
            hex.append(hexDigits[Int(byte & 0x0F)])
        }
        return hex
    }

    /// `false` when the SQL contains the line ``noTransactionMarker``: the migration then runs
    /// outside a transaction, and a failure can leave it half applied.
    public var isTransactional: Bool {
        !sql.split(whereSeparator: \.isNewline).contains { line in
            Self.trimmed(line) == Self.noTransactionMarker
        }
    }

    private static func trimmed(_ line: Substring) -> Substring {
        let isBlank: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let start = line.firstIndex(where: { !isBlank($0) }), let last = line.lastIndex(where: { !isBlank($0) }) else {
            return line[line.endIndex...]
        }
        return line[start...last]
    }

    /// Where a developer finds this migration's SQL, for error messages.
    var sourceDescription: String {
        if id.hasPrefix("trellis_") {
            return "Trellis's built-in migration \(id) (Sources/Trellis/Database/CoreMigrations.swift)"
        }
        return Self.sourcePath(id: id)
    }

    /// The committed file of a generated migration.
    static func sourcePath(id: String) -> String {
        "generated/migrations/\(id).sql"
    }
}
