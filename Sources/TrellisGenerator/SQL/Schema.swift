/// The database schema the specs describe: the snapshot `generated/schema.json` records and the
/// migration differ compares against.
public struct Schema: Codable, Sendable, Hashable {
    public var tables: [Table]

    public struct Table: Codable, Sendable, Hashable {
        public var name: String
        public var columns: [Column]
        /// Table constraints other than foreign keys (`UNIQUE (org_id, id)`), as SQL.
        public var constraints: [NamedSQL]
        public var indexes: [Index]
        public var foreignKeys: [ForeignKey]
    }

    public struct Column: Codable, Sendable, Hashable {
        public var name: String
        public var type: String
        public var nullable: Bool
        public var defaultSQL: String?
        /// A CHECK expression (enum values), named `<table>_<column>_check`.
        public var check: String?
        public var primaryKey: Bool
    }

    public struct NamedSQL: Codable, Sendable, Hashable {
        public var name: String
        public var sql: String
    }

    public struct Index: Codable, Sendable, Hashable {
        public var name: String
        public var columns: [String]
        public var unique: Bool
        public var predicate: String?
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
