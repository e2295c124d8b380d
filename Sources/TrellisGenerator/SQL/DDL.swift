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

    /// The function every version trigger calls: one more than the row's version before the UPDATE,
    /// whatever the statement set it to.
    static let bumpVersionFunction = """
        CREATE OR REPLACE FUNCTION trellis_bump_version() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            NEW.version := OLD.version + 1;
            RETURN NEW;
        END
        $$;
        """

    /// `<table>_version`: every UPDATE of a row of `table` moves its version on.
    static func versionTrigger(on table: String) -> String {
        "CREATE TRIGGER \(table)_version BEFORE UPDATE ON \(table) FOR EACH ROW EXECUTE FUNCTION trellis_bump_version();"
    }
}
