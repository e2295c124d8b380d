import TrellisSpec

extension SchemaDiffer {
    /// A column of an existing table changed: type, enum values, nullability, default.
    mutating func planChanges(from oldColumn: Schema.Column, to column: Schema.Column, oldTable: String, table: String) {
        let qualified = "\(table).\(column.name)"
        if oldColumn.type != column.type {
            let change = TypeChange(from: oldColumn.type, to: column.type)
            if change == .narrowing && !evolution.allowDestructive {
                refuse(
                    evolution.location(table: table, column: column.name),
                    "changing \(qualified) from \(oldColumn.type) to \(column.type) can fail or lose data for values that do not fit",
                    fix: "keep the old type, or add a new field and copy the values in domain code; "
                        + "to convert in place anyway, run `trellis generate --allow-destructive`"
                )
            }
            let effect: String
            switch change {
            case .widening: effect = "catalog-only: every value fits and nothing is rewritten"
            case .wideningWithRewrite:
                effect = "every value fits, but PostgreSQL rewrites \(table) under an ACCESS EXCLUSIVE lock: reads and writes wait until it finishes"
            case .narrowing:
                effect = "rewrites \(table) under an ACCESS EXCLUSIVE lock and fails, changing nothing, if a value does not convert (confirmed)"
            }
            plan.steps.append(
                MigrationStep(
                    verb: "alter", table: table, object: column.name,
                    description: "change the type of \(qualified) from \(oldColumn.type) to \(column.type)", effect: effect,
                    statements: [DDL.alterColumn(column.name, on: table, "TYPE \(column.type) USING \(column.name)::\(column.type)")]
                )
            )
        }
        planCheck(from: oldColumn, to: column, oldTable: oldTable, table: table)
        if oldColumn.defaultSQL != column.defaultSQL {
            plan.steps.append(
                MigrationStep(
                    verb: "alter", table: table, object: column.name,
                    description: column.defaultSQL.map { "set the default of \(qualified) to \($0)" } ?? "drop the default of \(qualified)",
                    effect: "catalog-only; existing rows keep their values",
                    statements: [DDL.alterColumn(column.name, on: table, column.defaultSQL.map { "SET DEFAULT \($0)" } ?? "DROP DEFAULT")]
                )
            )
        }
        if !oldColumn.nullable && column.nullable {
            plan.steps.append(
                MigrationStep(
                    verb: "alter", table: table, object: column.name, description: "allow NULL in \(qualified)",
                    effect: "catalog-only", statements: [DDL.alterColumn(column.name, on: table, "DROP NOT NULL")]
                )
            )
        } else if oldColumn.nullable && !column.nullable {
            requireNotNull(column, table: table, backfill: true)
        }
    }

    /// A column new to an existing table.
    mutating func planAdding(_ column: Schema.Column, to table: String) {
        let qualified = "\(table).\(column.name)"
        if column.nullable || column.defaultSQL != nil {
            plan.steps.append(
                MigrationStep(
                    verb: "add", table: table, object: column.name,
                    description: "add column \(qualified)" + (column.defaultSQL.map { " (NOT NULL, default \($0))" } ?? ""),
                    effect: column.defaultSQL == nil
                        ? "catalog-only; a brief ACCESS EXCLUSIVE lock"
                        : "catalog-only since PostgreSQL 11: existing rows read the default without a rewrite or a scan",
                    statements: [DDL.addColumn(column, on: table)]
                )
            )
        } else if column.name == "org_id" {
            // Tenancy switched on: rows already there belong to no organization yet.
            var nullable = column
            nullable.nullable = true
            plan.steps.append(
                MigrationStep(
                    verb: "add", table: table, object: column.name, description: "add column \(qualified) (tenancy: org)",
                    effect: "catalog-only. Rows already in \(table) have no organization: assign one "
                        + "(UPDATE \(table) SET org_id = ...) before the online part validates it, or that part stops and changes nothing",
                    statements: [DDL.addColumn(nullable, on: table)]
                )
            )
            requireNotNull(column, table: table, backfill: false)
        } else {
            refuse(
                evolution.location(table: table, column: column.name),
                "field '\(column.name)' is required and has no default, so the rows already in \(table) would have no value",
                fix: "give it a `default:`, or add it optional, fill it in, and make it required in a later change"
            )
        }
        if let check = column.checkSQL {
            let name = column.checkName(table: table)
            plan.steps.append(
                MigrationStep(
                    verb: "add", table: table, object: column.name, description: "check the values of \(qualified)",
                    effect: "added NOT VALID (no scan under the lock), validated in the online part",
                    statements: [DDL.addCheck(name, check, on: table)]
                )
            )
            validations.append((table, name, "the values of \(qualified)"))
        }
    }

    /// Enum values: the CHECK is replaced (NOT VALID, then validated online), renamed, or dropped.
    private mutating func planCheck(from oldColumn: Schema.Column, to column: Schema.Column, oldTable: String, table: String) {
        let qualified = "\(table).\(column.name)"
        let oldName = oldColumn.checkName(table: oldTable)
        let name = column.checkName(table: table)
        if oldColumn.values == column.values {
            if column.values != nil && oldName != name {
                plan.steps.append(
                    MigrationStep(
                        verb: "rename", table: table, object: name, description: "rename constraint \(oldName) to \(name)",
                        effect: "catalog-only", statements: [DDL.renameConstraint(oldName, to: name, on: table)]
                    )
                )
            }
            return
        }
        let removed = (oldColumn.values ?? []).filter { !(column.values ?? []).contains($0) }
        let unconfirmed = column.values == nil ? [] : removed.filter { !evolution.confirms("\(column.name).\($0)", table: table) }
        if !unconfirmed.isEmpty {
            let list = unconfirmed.map { "'\($0)'" }.joined(separator: ", ")
            refuse(
                evolution.location(table: table, column: column.name),
                "removing \(list) from the values of \(qualified) invalidates the rows that hold \(unconfirmed.count == 1 ? "it" : "them")",
                fix: "update those rows first, then confirm with `dropped: [\(unconfirmed.map { "\(column.name).\($0)" }.joined(separator: ", "))]` "
                    + "in the spec (the migration then refuses to finish while a row still holds one)"
            )
        }
        var statements = [DDL.dropConstraint(oldName, on: table, ifExists: true)]
        let description: String
        if let check = column.checkSQL {
            statements.append(DDL.addCheck(name, check, on: table))
            validations.append((table, name, "the values of \(qualified)"))
            let added = (column.values ?? []).filter { !(oldColumn.values ?? []).contains($0) }
            var changes: [String] = []
            if !added.isEmpty { changes.append("add " + added.map { "'\($0)'" }.joined(separator: ", ")) }
            if !removed.isEmpty { changes.append("remove " + removed.map { "'\($0)'" }.joined(separator: ", ")) }
            description = oldColumn.values == nil
                ? "restrict \(qualified): CHECK (\(check))"
                : "change the values of \(qualified): \(changes.joined(separator: ", "))"
        } else {
            description = "allow any text in \(qualified) (no longer an enum)"
        }
        plan.steps.append(
            MigrationStep(
                verb: "alter", table: table, object: column.name, description: description,
                effect: column.checkSQL == nil
                    ? "catalog-only"
                    : "the new check is added NOT VALID (no scan under the lock) and validated in the online part"
                        + (oldColumn.values != nil && removed.isEmpty
                            ? " (every value allowed before is still allowed)"
                            : ", which fails, changing nothing, while a row holds a value no longer allowed"),
                statements: statements
            )
        )
    }

    /// NOT NULL without a long lock: a backfill, a NOT VALID check validated online, then SET NOT
    /// NULL, which uses the validated check instead of scanning.
    private mutating func requireNotNull(_ column: Schema.Column, table: String, backfill: Bool) {
        let qualified = "\(table).\(column.name)"
        let check = "\(table)_\(column.name)_not_null"
        var statements: [String] = []
        var effect = "the check is added NOT VALID and validated in the online part without blocking writes"
        if backfill, let value = column.defaultSQL {
            statements.append("UPDATE \(table) SET \(column.name) = \(value) WHERE \(column.name) IS NULL;")
            effect = "rows holding NULL get the default (row locks until commit); " + effect
        } else if backfill {
            effect += "; it fails, changing nothing, while a row holds NULL (fill them first)"
        }
        statements.append(DDL.addCheck(check, "\(column.name) IS NOT NULL", on: table))
        plan.steps.append(
            MigrationStep(
                verb: "alter", table: table, object: column.name, description: "make \(qualified) required (NOT NULL)",
                effect: effect, statements: statements
            )
        )
        validations.append((table, check, "that \(qualified) holds no NULL"))
        notNullColumns.append((table, column.name))
    }
}
