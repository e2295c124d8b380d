extension SchemaDiffer {
    // MARK: - Matching by structure

    /// An old index or constraint seen in the new schema's names: nil when a column it covers is dropped.
    private func translated(_ index: Schema.Index, ofOldTable table: String) -> Schema.Index? {
        // An expression index names its columns inside the expression: after a rename the new
        // expression differs, and the index is rebuilt.
        if index.hasExpressions { return index }
        guard let columns = translate(index.columns, ofOldTable: table) else { return nil }
        var copy = index
        copy.columns = columns
        return copy
    }

    private func translated(_ key: Schema.ForeignKey, ofOldTable table: String) -> Schema.ForeignKey? {
        guard let columns = translate(key.columns, ofOldTable: table) else { return nil }
        var copy = key
        copy.columns = columns
        guard let target = newTableName(key.referencedTable),
            let referenced = translate(key.referencedColumns, ofOldTable: key.referencedTable)
        else {
            // The target is dropped: the key no longer matches anything and is dropped first.
            copy.referencedTable = ""
            return copy
        }
        copy.referencedTable = target
        copy.referencedColumns = referenced
        if key.onDelete.hasPrefix("SET NULL ("), let column = key.onDelete.dropFirst("SET NULL (".count).split(separator: ")").first,
            let renamed = newColumn(String(column), ofOldTable: table)
        {
            copy.onDelete = "SET NULL (\(renamed))"
        }
        return copy
    }

    private static func sameIndex(_ a: Schema.Index, _ b: Schema.Index) -> Bool {
        a.columns == b.columns && a.unique == b.unique && a.predicate == b.predicate && a.method == b.method
            && a.operatorClass == b.operatorClass
    }

    private static func sameKey(_ a: Schema.ForeignKey, _ b: Schema.ForeignKey) -> Bool {
        a.columns == b.columns && a.referencedTable == b.referencedTable && a.referencedColumns == b.referencedColumns
            && a.onDelete == b.onDelete
    }

    /// Pairs old and new items by structure; returns the pairs, the new items without an old one,
    /// and the old items (by old name) without a new one.
    private static func match<Item>(
        old: [(name: String, item: Item)], new: [Item], name: (Item) -> String, same: (Item, Item) -> Bool
    ) -> (pairs: [(old: String, new: Item)], added: [Item], removed: [String]) {
        var remaining = old
        var pairs: [(old: String, new: Item)] = []
        var added: [Item] = []
        for item in new {
            // Prefer the old item of the same name, so an unchanged schema matches itself exactly.
            if let index = remaining.firstIndex(where: { $0.name == name(item) && same($0.item, item) })
                ?? remaining.firstIndex(where: { same($0.item, item) })
            {
                pairs.append((remaining[index].name, item))
                remaining.remove(at: index)
            } else {
                added.append(item)
            }
        }
        return (pairs, added, remaining.map(\.name))
    }

    private func indexMatches(_ pair: (old: Schema.Table, new: Schema.Table)) -> (
        pairs: [(old: String, new: Schema.Index)], added: [Schema.Index], removed: [String]
    ) {
        let old = pair.old.indexes.compactMap { index in translated(index, ofOldTable: pair.old.name).map { (index.name, $0) } }
        return Self.match(old: old, new: pair.new.indexes, name: \.name, same: Self.sameIndex)
    }

    private func uniqueMatches(_ pair: (old: Schema.Table, new: Schema.Table)) -> (
        pairs: [(old: String, new: Schema.UniqueConstraint)], added: [Schema.UniqueConstraint], removed: [String]
    ) {
        let old = pair.old.uniqueConstraints.compactMap { constraint in
            translate(constraint.columns, ofOldTable: pair.old.name).map { (constraint.name, Schema.UniqueConstraint(name: constraint.name, columns: $0)) }
        }
        return Self.match(old: old, new: pair.new.uniqueConstraints, name: \.name, same: { $0.columns == $1.columns })
    }

    private func foreignKeyMatches(_ pair: (old: Schema.Table, new: Schema.Table)) -> (
        pairs: [(old: String, new: Schema.ForeignKey)], added: [Schema.ForeignKey], removed: [String]
    ) {
        let old = pair.old.foreignKeys.compactMap { key in translated(key, ofOldTable: pair.old.name).map { (key.name, $0) } }
        return Self.match(old: old, new: pair.new.foreignKeys, name: \.name, same: Self.sameKey)
    }

    // MARK: - Drops and renames (in the transaction)

    mutating func dropForeignKeys() {
        for pair in matchedTables {
            for name in foreignKeyMatches(pair).removed {
                plan.steps.append(
                    MigrationStep(
                        verb: "drop", table: pair.new.name, object: name, description: "drop foreign key \(name) of \(pair.new.name)",
                        effect: "catalog-only; brief locks on both tables", statements: [DDL.dropConstraint(name, on: pair.new.name)]
                    )
                )
            }
        }
    }

    mutating func dropUniqueConstraints() {
        for pair in matchedTables {
            for name in uniqueMatches(pair).removed {
                plan.steps.append(
                    MigrationStep(
                        verb: "drop", table: pair.new.name, object: name, description: "drop unique constraint \(name) of \(pair.new.name)",
                        effect: "catalog-only; a brief ACCESS EXCLUSIVE lock", statements: [DDL.dropConstraint(name, on: pair.new.name)]
                    )
                )
            }
        }
    }

    /// Indexes and constraints whose derived names changed with a table or column rename.
    mutating func planConstraintRenames() {
        for pair in matchedTables {
            let table = pair.new.name
            var statements: [String] = []
            var names: [String] = []
            for (old, index) in indexMatches(pair).pairs where old != index.name {
                statements.append("ALTER INDEX \(old) RENAME TO \(index.name);")
                names.append(index.name)
            }
            for (old, constraint) in uniqueMatches(pair).pairs where old != constraint.name {
                statements.append(DDL.renameConstraint(old, to: constraint.name, on: table))
                names.append(constraint.name)
            }
            for (old, key) in foreignKeyMatches(pair).pairs where old != key.name {
                statements.append(DDL.renameConstraint(old, to: key.name, on: table))
                names.append(key.name)
            }
            guard !statements.isEmpty else { continue }
            plan.steps.append(
                MigrationStep(
                    verb: "rename", table: table, object: nil,
                    description: "rename \(names.joined(separator: ", ")) after the rename of their table or column",
                    effect: "catalog-only", statements: statements
                )
            )
        }
    }

    // MARK: - Indexes and constraints on existing tables (online)

    mutating func planIndexes() {
        for pair in matchedTables {
            let table = pair.new.name
            let matches = indexMatches(pair)
            let rebuilt = Set(matches.added.map(\.name))
            for name in matches.removed where !rebuilt.contains(name) {
                plan.onlineSteps.append(
                    MigrationStep(
                        verb: "drop", table: table, object: name, description: "drop index \(name) of \(table)",
                        effect: "DROP INDEX CONCURRENTLY: waits for running queries and blocks none",
                        statements: [DDL.dropIndex(name, concurrently: true)]
                    )
                )
            }
            for index in matches.added {
                let replaces = matches.removed.contains(index.name)
                plan.onlineSteps.append(
                    MigrationStep(
                        verb: "index", table: table,
                        object: index.hasExpressions ? "search" : index.columns.filter { $0 != "org_id" }.joined(separator: "_"),
                        description: "\(replaces ? "rebuild" : "create") \(index.unique ? "unique " : "")index \(index.name) on "
                            + "\(table) \(index.definition)" + (index.predicate.map { " WHERE \($0)" } ?? ""),
                        effect: "CREATE INDEX CONCURRENTLY: reads and writes continue while it builds; "
                            + "an index left INVALID by a failed build is dropped first when migrate runs again",
                        statements: [DDL.dropIndex(index.name, concurrently: true), DDL.createIndex(index, on: table, concurrently: true)]
                    )
                )
            }
        }
    }

    mutating func planUniqueConstraints() {
        for pair in matchedTables {
            let table = pair.new.name
            for constraint in uniqueMatches(pair).added {
                let columns = constraint.columns.joined(separator: ", ")
                onlineUniqueTargets.insert("\(table)(\(columns))")
                plan.onlineSteps.append(
                    MigrationStep(
                        verb: "add", table: table, object: constraint.name,
                        description: "add unique constraint \(constraint.name) on \(table) (\(columns))",
                        effect: "its index is built CONCURRENTLY, then attached as the constraint (a brief ACCESS EXCLUSIVE lock, no scan)",
                        statements: [
                            DDL.dropIndex(constraint.name, concurrently: true),
                            "CREATE UNIQUE INDEX CONCURRENTLY \(constraint.name) ON \(table) (\(columns));",
                            "ALTER TABLE \(table) ADD CONSTRAINT \(constraint.name) UNIQUE USING INDEX \(constraint.name);",
                        ]
                    )
                )
            }
        }
    }

    mutating func planForeignKeys() {
        var newTableKeys: [String] = []
        var newTableNames: [String] = []
        for table in new.tables {
            let added: [Schema.ForeignKey]
            let existing = matchedTables.first { $0.new.name == table.name }
            if let existing {
                added = foreignKeyMatches(existing).added
            } else {
                added = table.foreignKeys
            }
            for key in added {
                let target = "\(key.referencedTable)(\(key.referencedColumns.joined(separator: ", ")))"
                if onlineUniqueTargets.contains(target) {
                    plan.onlineSteps.append(
                        MigrationStep(
                            verb: "add", table: table.name, object: key.name,
                            description: "add foreign key \(key.name) of \(table.name) to \(target)",
                            effect: "added NOT VALID after the unique constraint it needs (brief locks, no scan), then validated",
                            statements: [
                                DDL.dropConstraint(key.name, on: table.name, ifExists: true),
                                DDL.addForeignKey(key, on: table.name, notValid: true),
                            ]
                        )
                    )
                    validations.append((table.name, key.name, "foreign key \(key.name)"))
                } else if existing == nil {
                    newTableKeys.append(DDL.addForeignKey(key, on: table.name))
                    if !newTableNames.contains(table.name) { newTableNames.append(table.name) }
                } else {
                    plan.steps.append(
                        MigrationStep(
                            verb: "add", table: table.name, object: key.name,
                            description: "add foreign key \(key.name) of \(table.name) to \(target)",
                            effect: "added NOT VALID: brief SHARE ROW EXCLUSIVE locks on both tables and no scan; validated in the online part",
                            statements: [DDL.addForeignKey(key, on: table.name, notValid: true)]
                        )
                    )
                    validations.append((table.name, key.name, "foreign key \(key.name)"))
                }
            }
        }
        guard !newTableKeys.isEmpty else { return }
        plan.steps.append(
            MigrationStep(
                verb: "create", tables: newTableNames, object: nil,
                description: "add the foreign keys of \(newTableNames.joined(separator: ", "))",
                effect: "the new tables are empty, so each check is instant; each briefly locks the table it references (SHARE ROW EXCLUSIVE)",
                statements: newTableKeys
            )
        )
    }

    mutating func planValidations() {
        for validation in validations {
            plan.onlineSteps.append(
                MigrationStep(
                    verb: "validate", table: validation.table, object: validation.constraint,
                    description: "validate \(validation.what) (\(validation.constraint))",
                    effect: "scans \(validation.table) under SHARE UPDATE EXCLUSIVE: reads and writes continue",
                    statements: [DDL.validate(validation.constraint, on: validation.table)]
                )
            )
        }
        for (table, column) in notNullColumns {
            let check = "\(table)_\(column)_not_null"
            plan.onlineSteps.append(
                MigrationStep(
                    verb: "alter", table: table, object: column, description: "set \(table).\(column) NOT NULL",
                    effect: "uses the validated check instead of a scan: a brief ACCESS EXCLUSIVE lock; the check is then dropped",
                    statements: [DDL.alterColumn(column, on: table, "SET NOT NULL"), DDL.dropConstraint(check, on: table, ifExists: true)]
                )
            )
        }
    }
}
