/// Renders the SQL of a migration that creates `schema` on an empty database.
///
/// Tables first (in spec order), then indexes, then foreign keys, so references between tables
/// (and cycles) need no ordering.
enum MigrationRenderer {
    static func createAll(_ schema: Schema) -> [String: Any] {
        let tables = schema.tables.map { table -> [String: Any] in
            var lines = table.columns.map(columnSQL)
            lines += table.constraints.map { "CONSTRAINT \($0.name) \($0.sql)" }
            return [
                "name": table.name,
                "lines": lines.enumerated().map { index, line in
                    ["line": line, "comma": index < lines.count - 1 ? "," : ""]
                },
            ]
        }
        let indexes = schema.tables.flatMap { table in
            table.indexes.map { index in
                let unique = index.unique ? "UNIQUE " : ""
                let predicate = index.predicate.map { " WHERE \($0)" } ?? ""
                return "CREATE \(unique)INDEX \(index.name) ON \(table.name) (\(index.columns.joined(separator: ", ")))\(predicate);"
            }
        }
        let foreignKeys = schema.tables.flatMap { table in
            table.foreignKeys.map { key in
                "ALTER TABLE \(table.name) ADD CONSTRAINT \(key.name) FOREIGN KEY (\(key.columns.joined(separator: ", "))) "
                    + "REFERENCES \(key.referencedTable) (\(key.referencedColumns.joined(separator: ", "))) ON DELETE \(key.onDelete);"
            }
        }
        return [
            "tableNames": schema.tables.map(\.name).joined(separator: ", "),
            "tables": tables,
            "indexes": indexes,
            "foreignKeys": foreignKeys,
        ]
    }

    private static func columnSQL(_ column: Schema.Column) -> String {
        var sql = "\(column.name) \(column.type)"
        if column.primaryKey {
            sql += " PRIMARY KEY"
        } else if !column.nullable {
            sql += " NOT NULL"
        }
        if let value = column.defaultSQL { sql += " DEFAULT \(value)" }
        if let check = column.check { sql += " CHECK (\(check))" }
        return sql
    }
}
