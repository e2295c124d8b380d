/// The SQL of single schema changes, shared by every migration the differ writes.
enum DDL {
    static func createTable(_ table: Schema.Table) -> String {
        var lines = table.columns.map { column in
            var sql = "\(column.name) \(column.type)"
            if column.primaryKey {
                sql += " PRIMARY KEY"
            } else if !column.nullable {
                sql += " NOT NULL"
            }
            if let value = column.defaultSQL { sql += " DEFAULT \(value)" }
            if let check = column.checkSQL { sql += " CONSTRAINT \(column.checkName(table: table.name)) CHECK (\(check))" }
            return sql
        }
        lines += table.uniqueConstraints.map { "CONSTRAINT \($0.name) UNIQUE (\($0.columns.joined(separator: ", ")))" }
        return "CREATE TABLE \(table.name) (\n" + lines.map { "    \($0)" }.joined(separator: ",\n") + "\n);"
    }

    static func createIndex(_ index: Schema.Index, on table: String, concurrently: Bool = false) -> String {
        let unique = index.unique ? "UNIQUE " : ""
        let mode = concurrently ? "CONCURRENTLY " : ""
        let predicate = index.predicate.map { " WHERE \($0)" } ?? ""
        return "CREATE \(unique)INDEX \(mode)\(index.name) ON \(table) \(index.definition)\(predicate);"
    }

    static func dropIndex(_ name: String, concurrently: Bool) -> String {
        concurrently ? "DROP INDEX CONCURRENTLY IF EXISTS \(name);" : "DROP INDEX \(name);"
    }

    static func addForeignKey(_ key: Schema.ForeignKey, on table: String, notValid: Bool = false) -> String {
        "ALTER TABLE \(table) ADD CONSTRAINT \(key.name) FOREIGN KEY (\(key.columns.joined(separator: ", "))) "
            + "REFERENCES \(key.referencedTable) (\(key.referencedColumns.joined(separator: ", "))) ON DELETE \(key.onDelete)"
            + (notValid ? " NOT VALID;" : ";")
    }

    static func addCheck(_ name: String, _ expression: String, on table: String) -> String {
        "ALTER TABLE \(table) ADD CONSTRAINT \(name) CHECK (\(expression)) NOT VALID;"
    }

    static func validate(_ constraint: String, on table: String) -> String {
        "ALTER TABLE \(table) VALIDATE CONSTRAINT \(constraint);"
    }

    static func dropConstraint(_ name: String, on table: String, ifExists: Bool = false) -> String {
        "ALTER TABLE \(table) DROP CONSTRAINT \(ifExists ? "IF EXISTS " : "")\(name);"
    }

    static func renameConstraint(_ old: String, to new: String, on table: String) -> String {
        "ALTER TABLE \(table) RENAME CONSTRAINT \(old) TO \(new);"
    }

    static func alterColumn(_ column: String, on table: String, _ change: String) -> String {
        "ALTER TABLE \(table) ALTER COLUMN \(column) \(change);"
    }

    static func addColumn(_ column: Schema.Column, on table: String) -> String {
        var sql = "ALTER TABLE \(table) ADD COLUMN \(column.name) \(column.type)"
        if !column.nullable { sql += " NOT NULL" }
        if let value = column.defaultSQL { sql += " DEFAULT \(value)" }
        return sql + ";"
    }
}
