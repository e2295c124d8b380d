/// The database schema the specs describe: what `generated/schema.json` records and the
/// migration differ compares against.
public struct Schema: Codable, Sendable, Hashable {
    public var tables: [Table]
    /// The PostgreSQL extensions the schema needs (`pg_trgm` for trigram indexes); absent in
    /// snapshots written before any was needed.
    public var extensions: [String]?

    public init(tables: [Table], extensions: [String] = []) {
        self.tables = tables
        self.extensions = extensions.isEmpty ? nil : extensions
    }

    public func table(named name: String) -> Table? {
        tables.first { $0.name == name }
    }

    public struct Table: Codable, Sendable, Hashable {
        public var name: String
        public var columns: [Column]
        /// Unique constraints (`UNIQUE (org_id, id)`, which composite foreign keys point at).
        public var uniqueConstraints: [UniqueConstraint]
        public var indexes: [Index]
        public var foreignKeys: [ForeignKey]
        /// Whether a trigger moves `version` on by one with every UPDATE of a row, whatever makes
        /// it (the API, a hook's own SQL, an `ON DELETE SET NULL`); absent in snapshots written
        /// before it existed.
        public var versionTrigger: Bool?

        public func column(named name: String) -> Column? {
            columns.first { $0.name == name }
        }

        /// `<table>_pkey`, PostgreSQL's name for the primary key.
        public var primaryKeyName: String { "\(name)_pkey" }
    }

    public struct Column: Codable, Sendable, Hashable {
        public var name: String
        public var type: String
        public var nullable: Bool
        public var defaultSQL: String?
        /// The values an enum column accepts, enforced by the CHECK ``checkName(table:)``.
        public var values: [String]?
        public var primaryKey: Bool

        /// `<table>_<column>_check`, the name of the enum's CHECK constraint.
        public func checkName(table: String) -> String { "\(table)_\(name)_check" }

        /// The enum's CHECK expression.
        public var checkSQL: String? {
            values.map { values in "\(name) IN (\(values.map { "'\($0)'" }.joined(separator: ", ")))" }
        }
    }

    public struct UniqueConstraint: Codable, Sendable, Hashable {
        public var name: String
        public var columns: [String]
    }

    public struct Index: Codable, Sendable, Hashable {
        public var name: String
        /// Column names, or with a ``method``, one expression each.
        public var columns: [String]
        public var unique: Bool
        public var predicate: String?
        /// The index method when it is not a B-tree (`gin` for full-text search).
        public var method: String?
        /// The operator class of its columns (`gin_trgm_ops`); with one, the columns are names.
        public var operatorClass: String?

        public init(
            name: String, columns: [String], unique: Bool, predicate: String? = nil, method: String? = nil, operatorClass: String? = nil
        ) {
            self.name = name
            self.columns = columns
            self.unique = unique
            self.predicate = predicate
            self.method = method
            self.operatorClass = operatorClass
        }

        /// What the index covers, as `CREATE INDEX` writes it: `(a, b)`, `USING gin ((expr))` or
        /// `USING gin (title gin_trgm_ops)`.
        public var definition: String {
            guard let method else { return "(\(columns.joined(separator: ", ")))" }
            if let operatorClass { return "USING \(method) (\(columns.map { "\($0) \(operatorClass)" }.joined(separator: ", ")))" }
            return "USING \(method) (\(columns.map { "(\($0))" }.joined(separator: ", ")))"
        }

        /// Whether the columns are expressions, not names.
        var hasExpressions: Bool { method != nil && operatorClass == nil }
    }

    public struct ForeignKey: Codable, Sendable, Hashable {
        public var name: String
        public var columns: [String]
        public var referencedTable: String
        public var referencedColumns: [String]
        /// `CASCADE`, `RESTRICT`, or `SET NULL (column)`.
        public var onDelete: String
    }
}
