import TrellisSpec

/// Compares the schema the committed migrations produce with the one the specs describe and plans
/// the migration between them.
///
/// Tables and columns are matched by name, or through a declared `renamed_from`; nothing is
/// guessed. Indexes and constraints are matched by what they are (columns, target, predicate), so
/// a rename that changes their derived names renames them too. Changes to tables that exist
/// already are planned so that no statement holds a lock that blocks writes for longer than a
/// catalog update: see ``MigrationPlan``.
struct SchemaDiffer {
    let old: Schema
    let new: Schema
    let evolution: SchemaEvolution

    /// Old table name -> new table name, for tables that survive.
    private(set) var tableMap: [String: String] = [:]
    /// Old table name -> old column -> new column, for columns that survive.
    private(set) var columnMap: [String: [String: String]] = [:]
    var plan = MigrationPlan()
    /// Constraints added `NOT VALID` in the transaction, validated in the online part.
    var validations: [(table: String, constraint: String, what: String)] = []
    /// Columns that become NOT NULL through a validated check: (table, column).
    var notNullColumns: [(table: String, column: String)] = []
    /// Unique constraints built concurrently in the online part, as `table(col, col)`: foreign
    /// keys pointing at them must follow them there.
    var onlineUniqueTargets: Set<String> = []

    init(old: Schema, new: Schema, evolution: SchemaEvolution) {
        self.old = old
        self.new = new
        self.evolution = evolution
        matchTablesAndColumns()
    }

    /// Plans every change, in an order PostgreSQL accepts: renames, then drops (foreign keys before
    /// what they point at), then new tables and columns, then the online part.
    static func plan(from old: Schema, to new: Schema, evolution: SchemaEvolution) -> MigrationPlan {
        var differ = SchemaDiffer(old: old, new: new, evolution: evolution)
        differ.planExtensions()
        differ.planRenames()
        differ.planDrops()
        differ.planConstraintRenames()
        differ.planNewTables()
        differ.planColumnChanges()
        differ.planVersionTriggers()
        differ.planIndexes()
        differ.planUniqueConstraints()
        differ.planForeignKeys()
        differ.planValidations()
        return differ.plan
    }

    // MARK: - Matching

    private mutating func matchTablesAndColumns() {
        let oldNames = Set(old.tables.map(\.name))
        let newNames = Set(new.tables.map(\.name))
        for table in new.tables {
            if oldNames.contains(table.name) {
                tableMap[table.name] = table.name
            } else if let previous = evolution.renamedTables[table.name], oldNames.contains(previous), !newNames.contains(previous) {
                tableMap[previous] = table.name
            }
        }
        for (oldName, newName) in tableMap {
            guard let oldTable = old.table(named: oldName), let newTable = new.table(named: newName) else { continue }
            var map: [String: String] = [:]
            for column in newTable.columns {
                if oldTable.column(named: column.name) != nil {
                    map[column.name] = column.name
                } else if let previous = evolution.renamedColumns[newName]?[column.name], oldTable.column(named: previous) != nil,
                    newTable.column(named: previous) == nil
                {
                    map[previous] = column.name
                }
            }
            columnMap[oldName] = map
        }
    }

    /// The surviving tables as (old, new) pairs, in the new schema's order.
    var matchedTables: [(old: Schema.Table, new: Schema.Table)] {
        new.tables.compactMap { table in
            guard let oldName = tableMap.first(where: { $0.value == table.name })?.key, let oldTable = old.table(named: oldName)
            else { return nil }
            return (oldTable, table)
        }
    }

    func isNew(_ table: String) -> Bool {
        !tableMap.values.contains(table)
    }

    /// An old column's name in the new schema; nil when it is dropped (or its table is).
    func newColumn(_ column: String, ofOldTable table: String) -> String? {
        columnMap[table]?[column]
    }

    /// An old table's name in the new schema; tables Trellis itself owns (users) keep theirs.
    func newTableName(_ table: String) -> String? {
        if let name = tableMap[table] { return name }
        return old.table(named: table) == nil ? table : nil
    }

    /// Old columns in new names; nil when one of them is dropped.
    func translate(_ columns: [String], ofOldTable table: String) -> [String]? {
        guard old.table(named: table) != nil else { return columns }
        let translated = columns.compactMap { newColumn($0, ofOldTable: table) }
        return translated.count == columns.count ? translated : nil
    }

    mutating func refuse(_ location: SourceLocation, _ message: String, fix: String) {
        plan.refusals.append(Diagnostic(at: location, message, fix: fix))
    }

    // MARK: - Tables and columns

    private mutating func planRenames() {
        for (oldTable, newTable) in matchedTables where oldTable.name != newTable.name {
            plan.steps.append(
                MigrationStep(
                    verb: "rename", table: oldTable.name, object: "to_\(newTable.name)",
                    description: "rename table \(oldTable.name) to \(newTable.name) (renamed_from)",
                    effect: "catalog-only, keeps every row; a brief ACCESS EXCLUSIVE lock",
                    statements: [
                        "ALTER TABLE \(oldTable.name) RENAME TO \(newTable.name);",
                        DDL.renameConstraint(oldTable.primaryKeyName, to: newTable.primaryKeyName, on: newTable.name),
                    ]
                )
            )
        }
        for (oldTable, newTable) in matchedTables {
            let renames = (columnMap[oldTable.name] ?? [:]).filter { $0.key != $0.value }.sorted { $0.key < $1.key }
            for (oldColumn, newColumn) in renames {
                plan.steps.append(
                    MigrationStep(
                        verb: "rename", table: newTable.name, object: "\(oldColumn)_to_\(newColumn)",
                        description: "rename column \(newTable.name).\(oldColumn) to \(newColumn) (renamed_from)",
                        effect: "catalog-only, keeps every value; a brief ACCESS EXCLUSIVE lock",
                        statements: ["ALTER TABLE \(newTable.name) RENAME COLUMN \(oldColumn) TO \(newColumn);"]
                    )
                )
            }
        }
    }

    private mutating func planDrops() {
        dropForeignKeys()
        dropUniqueConstraints()
        for (oldTable, newTable) in matchedTables {
            for column in oldTable.columns where newColumn(column.name, ofOldTable: oldTable.name) == nil {
                let field = column.name
                if !evolution.confirms(field, table: newTable.name) {
                    refuse(
                        evolution.location(table: newTable.name),
                        "removing field '\(field)' drops column \(newTable.name).\(field) and every value it holds",
                        fix: "confirm with `dropped: [\(field)]` in the spec (or `trellis generate --allow-destructive`); "
                            + "to keep the data under a new name, add the field back with `renamed_from: \(field)`"
                    )
                }
                plan.steps.append(
                    MigrationStep(
                        verb: "drop", table: newTable.name, object: field,
                        description: "drop column \(newTable.name).\(field) and its indexes and constraints (confirmed)",
                        effect: "deletes the column's data; catalog-only (space is reclaimed by later writes); a brief ACCESS EXCLUSIVE lock",
                        statements: ["ALTER TABLE \(newTable.name) DROP COLUMN \(field);"]
                    )
                )
            }
        }
        let dropped = old.tables.filter { tableMap[$0.name] == nil }
        guard !dropped.isEmpty else { return }
        for table in dropped where !evolution.allowDestructive {
            refuse(
                evolution.snapshotLocation,
                "the spec of table \(table.name) is gone: the migration would drop the table and every row in it",
                fix: "restore its spec; to rename it, give the new spec `renamed_from: \(table.name)`; "
                    + "to drop it, run `trellis generate --allow-destructive`"
            )
        }
        plan.steps.append(
            MigrationStep(
                verb: "drop", tables: dropped.map(\.name), object: nil,
                description: "drop table \(dropped.map(\.name).joined(separator: ", ")) (confirmed)",
                effect: "deletes the tables and all their rows; an ACCESS EXCLUSIVE lock on them",
                statements: ["DROP TABLE \(dropped.map(\.name).joined(separator: ", "));"]
            )
        )
    }

    /// Extensions come first: indexes use them. They are never dropped, since other schemas of the
    /// database may use them too.
    private mutating func planExtensions() {
        for name in (new.extensions ?? []) where !(old.extensions ?? []).contains(name) {
            plan.steps.append(
                MigrationStep(
                    verb: "enable", table: name, object: nil, description: "create extension \(name)",
                    effect: "adds the extension's functions and operator classes; locks no table",
                    statements: ["CREATE EXTENSION IF NOT EXISTS \(name);"]
                )
            )
        }
    }

    private mutating func planNewTables() {
        let created = new.tables.filter { isNew($0.name) }
        for table in created {
            plan.steps.append(
                MigrationStep(
                    verb: "create", table: table.name, object: nil,
                    description: "create table \(table.name)" + (table.indexes.isEmpty ? "" : " and its indexes"),
                    effect: "a new, empty table: locks nothing that exists",
                    statements: [DDL.createTable(table)] + table.indexes.map { DDL.createIndex($0, on: table.name) }
                )
            )
        }
    }

    /// The trigger that moves `version` on with every UPDATE, on each table that gains it (new, or
    /// versioned before by the API's statements alone), after the function it calls.
    private mutating func planVersionTriggers() {
        let gaining = new.tables.filter { table in
            guard table.versionTrigger == true else { return false }
            guard let oldName = tableMap.first(where: { $0.value == table.name })?.key else { return true }
            return old.table(named: oldName)?.versionTrigger != true
        }
        guard !gaining.isEmpty else { return }
        plan.steps.append(
            MigrationStep(
                verb: "create", table: gaining[0].name, object: "bump_version",
                description: "create or replace the function trellis_bump_version()",
                effect: "catalog-only; it sets NEW.version to OLD.version + 1", statements: [DDL.bumpVersionFunction]
            )
        )
        for table in gaining {
            plan.steps.append(
                MigrationStep(
                    verb: "create", table: table.name, object: "version_trigger",
                    description: "move \(table.name).version on with every UPDATE (trigger \(table.name)_version)",
                    effect: "catalog-only; a brief SHARE ROW EXCLUSIVE lock", statements: [DDL.versionTrigger(on: table.name)]
                )
            )
        }
    }

    private mutating func planColumnChanges() {
        for (oldTable, newTable) in matchedTables {
            for column in newTable.columns {
                if let oldColumn = oldTable.columns.first(where: { newColumn($0.name, ofOldTable: oldTable.name) == column.name }) {
                    planChanges(from: oldColumn, to: column, oldTable: oldTable.name, table: newTable.name)
                } else {
                    planAdding(column, to: newTable.name)
                }
            }
        }
    }
}
