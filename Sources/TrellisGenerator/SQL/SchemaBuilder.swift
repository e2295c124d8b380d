import TrellisSpec

/// Builds the ``Schema`` of the resolved resources.
enum SchemaBuilder {
    static func schema(of resources: [ResolvedResource]) -> Schema {
        // Tenant tables that other tenant tables reference need UNIQUE (org_id, id) for the
        // composite foreign key that keeps references inside one organization.
        let sameOrgTargets = Set(resources.flatMap { $0.fields.compactMap { $0.reference?.sameOrg == true ? $0.reference?.table : nil } })
        let trigrams = resources.contains { $0.fields.contains(where: \.spec.trigram) }
        return Schema(
            tables: resources.map { table(for: $0, referencedWithinOrg: sameOrgTargets.contains($0.table)) },
            extensions: trigrams ? ["pg_trgm"] : []
        )
    }

    /// The filters a B-tree index on the field serves (refs have their foreign key's index; a
    /// boolean splits a table in two, which an index rarely helps to read).
    private static let indexedOperators: Set<FilterOperator> = [.eq, .in, .gt, .gte, .lt, .lte]

    private static func table(for resource: ResolvedResource, referencedWithinOrg: Bool) -> Schema.Table {
        let table = resource.table
        var columns = [Schema.Column(name: "id", type: "uuid", nullable: false, defaultSQL: nil, values: nil, primaryKey: true)]
        if resource.isTenant {
            columns.append(Schema.Column(name: "org_id", type: "uuid", nullable: false, defaultSQL: nil, values: nil, primaryKey: false))
        }
        for field in resource.fields {
            var values: [String]?
            if case .enumeration(_, let enumValues) = field.kind { values = enumValues }
            columns.append(
                Schema.Column(
                    name: field.name, type: field.sqlType, nullable: field.nullable, defaultSQL: field.sqlDefault,
                    values: values, primaryKey: false
                )
            )
        }
        // Counts the row's writes: the ETag of its representation, and what `If-Match` names.
        columns.append(Schema.Column(name: "version", type: "bigint", nullable: false, defaultSQL: "1", values: nil, primaryKey: false))
        if resource.timestamps {
            for name in ["created_at", "updated_at"] {
                columns.append(Schema.Column(name: name, type: "timestamptz", nullable: false, defaultSQL: "now()", values: nil, primaryKey: false))
            }
        }
        if resource.softDelete {
            columns.append(Schema.Column(name: "deleted_at", type: "timestamptz", nullable: true, defaultSQL: nil, values: nil, primaryKey: false))
        }

        var uniqueConstraints: [Schema.UniqueConstraint] = []
        if referencedWithinOrg {
            uniqueConstraints.append(Schema.UniqueConstraint(name: "\(table)_org_id_id_key", columns: ["org_id", "id"]))
        }

        var indexes = resource.indexes.map { Schema.Index(name: $0.name, columns: $0.columns, unique: $0.unique, predicate: $0.predicate) }
        // One index per sort key serves the list endpoint's keyset scan for that order.
        let scope = resource.isTenant ? ["org_id"] : []
        for key in resource.pagination.sortKeys where key != "id" || resource.isTenant {
            let columns = scope + (key == "id" ? ["id"] : [key, "id"])
            guard !indexes.contains(where: { $0.columns == columns }) else { continue }
            indexes.append(
                Schema.Index(
                    name: "\(table)_\(columns.joined(separator: "_"))_idx", columns: columns, unique: false,
                    predicate: resource.softDelete ? "deleted_at IS NULL" : nil
                )
            )
        }

        for field in resource.fields
        where field.reference == nil && field.kind != .bool && field.spec.filters.contains(where: Self.indexedOperators.contains) {
            // Equality and range filters read one organization's slice of the table; an index
            // that starts with the same columns (a sort key's) serves them already.
            let columns = scope + [field.name]
            guard !indexes.contains(where: { $0.method == nil && $0.columns.starts(with: columns) }) else { continue }
            indexes.append(
                Schema.Index(
                    name: "\(table)_\(columns.joined(separator: "_"))_idx", columns: columns, unique: false,
                    predicate: resource.softDelete ? "deleted_at IS NULL" : nil
                )
            )
        }
        for field in resource.fields where field.spec.trigram {
            // `ILIKE '%words%'` cannot use a B-tree; a trigram index serves it for 3 characters and up.
            indexes.append(
                Schema.Index(name: "\(table)_\(field.name)_trgm_idx", columns: [field.name], unique: false, method: "gin", operatorClass: "gin_trgm_ops")
            )
        }
        if let search = resource.search {
            // An index on the expression rather than a stored tsvector column: adding it to a
            // table with rows builds concurrently, with no rewrite and no second copy of the text.
            indexes.append(Schema.Index(name: "\(table)_search_idx", columns: [search.document], unique: false, method: "gin"))
        }

        var foreignKeys: [Schema.ForeignKey] = []
        if resource.isTenant {
            foreignKeys.append(
                Schema.ForeignKey(
                    name: "\(table)_org_id_fkey", columns: ["org_id"], referencedTable: "organizations", referencedColumns: ["id"],
                    onDelete: "CASCADE"
                )
            )
        }
        for field in resource.fields {
            guard let reference = field.reference else { continue }
            let onDelete: String
            switch reference.onDelete {
            case .cascade: onDelete = "CASCADE"
            case .restrict: onDelete = "RESTRICT"
            case .setNull: onDelete = reference.sameOrg ? "SET NULL (\(field.name))" : "SET NULL"
            }
            foreignKeys.append(
                Schema.ForeignKey(
                    name: "\(table)_\(field.name)_fkey",
                    columns: reference.sameOrg ? ["org_id", field.name] : [field.name],
                    referencedTable: reference.table,
                    referencedColumns: reference.sameOrg ? ["org_id", "id"] : ["id"],
                    onDelete: onDelete
                )
            )
        }
        return Schema.Table(
            name: table, columns: columns, uniqueConstraints: uniqueConstraints, indexes: indexes, foreignKeys: foreignKeys,
            versionTrigger: true
        )
    }
}
