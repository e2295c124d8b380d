import TrellisSpec

/// The SQL of one resource's statements, for the queries template (as `sql.*`): every decision
/// about conditions, placeholders and bindings is made here.
struct SQLContext {
    /// One `ListField` of the list: a field it may filter or sort by.
    struct ListField: Separated {
        /// The Swift arguments of `ListField(...)`.
        var arguments: String
        var comma = ""
        var lineComma = ""
    }

    /// `id = $1 AND org_id = $2` (the scope's value follows the id), plus the soft-delete filter.
    var findCondition: String
    /// The condition without the soft-delete filter.
    var keyCondition: String
    /// How many values ``keyCondition`` binds.
    var keyCount: Int
    var insertColumns: String
    var insertPlaceholders: String
    var insertCount: Int
    /// One Swift statement per placeholder of the INSERT, in order.
    var insertBindings: [String]
    var updateAssignments: String
    /// One Swift statement per placeholder of the UPDATE, in order.
    var updateBindings: [String]
    var updateCount: Int
    /// Deletes the row, or under soft delete stamps `deleted_at` with the app's time (the
    /// placeholder after the key's).
    var deleteSQL: String
    var restoreCondition: String
    /// ` AND NOT EXISTS (...)` per cascading ref: a restore refused while a parent is deleted.
    var restoreGuard: String
    /// Clears `deleted_at` and, with timestamps, stamps `updated_at` with the app's time.
    var restoreAssignments: String
    /// `id = ANY($1)` and the scope: the visible rows among some ids.
    var findAllCondition: String
    /// The ids (and organizations) of a batch of reads, numbered, joined to the visible rows:
    /// what follows `FROM` in the statement that answers many reads by id at once.
    var findBatchSource: String
    /// The condition every listed row meets; its values are the scope's. Soft delete is the
    /// list's business (`?deleted=`).
    var listScope: String
    var listScopeCount: Int
    var listFields: [ListField]
    /// The `tsvector` expression `?q=` matches, and its language, when the spec has `search`.
    var searchDocument: String?
    var searchLanguage: String?

    init(_ resource: ResolvedResource) {
        let isTenant = resource.isTenant
        let keyCondition = isTenant ? "id = $1 AND org_id = $2" : "id = $1"
        let keyCount = isTenant ? 2 : 1
        let visible = resource.softDelete ? " AND deleted_at IS NULL" : ""

        // INSERT: id, org_id, the fields (set_from ones from the principal), timestamps.
        var guardedInsertValues: [String: String] = [:]
        var insertColumns = ["id"]
        var insertBindings = ["bindings.append(id)"]
        if isTenant {
            insertColumns.append("org_id")
            insertBindings.append("scope.bind(into: &bindings)")
        }
        for field in resource.fields {
            insertColumns.append(field.name)
            insertBindings.append(field.setFrom == .principalUser ? "bindings.append(userID)" : "try bindings.bind(input.\(field.swiftName))")
            if let guarded = Self.visibleReference(field, placeholder: "$\(insertColumns.count)") {
                guardedInsertValues[field.name] = guarded
            }
        }
        if resource.timestamps {
            insertColumns += ["created_at", "updated_at"]
            insertBindings += ["try bindings.bind(now)", "try bindings.bind(now)"]
        }

        // UPDATE: every mutable field from the merged model, then updated_at.
        var assignments: [String] = []
        var updateBindings = ["bindings.append(model.id)"]
        var parameter = updateBindings.count
        if isTenant {
            updateBindings.append("scope.bind(into: &bindings)")
            parameter += 1
        }
        for field in resource.mutableFields {
            parameter += 1
            let value = Self.visibleReference(field, placeholder: "$\(parameter)", unlessUnchanged: true) ?? "$\(parameter)"
            assignments.append("\(field.name) = \(value)")
            updateBindings.append("try bindings.bind(model.\(field.swiftName))")
        }
        if resource.timestamps {
            parameter += 1
            assignments.append("updated_at = $\(parameter)")
            updateBindings.append("try bindings.bind(now)")
        }

        self.findAllCondition = (isTenant ? "id = ANY($1) AND org_id = $2" : "id = ANY($1)") + visible
        // The batch's columns start with `_`, which no field name may, so they cannot shadow one.
        self.findBatchSource =
            isTenant
            ? "unnest($1::uuid[], $2::uuid[]) WITH ORDINALITY AS _batch(_id, _org_id, _n) JOIN \(resource.table) ON id = _id AND org_id = _org_id\(visible)"
            : "unnest($1::uuid[]) WITH ORDINALITY AS _batch(_id, _n) JOIN \(resource.table) ON id = _id\(visible)"

        self.findCondition = keyCondition + visible
        self.keyCondition = keyCondition
        self.keyCount = keyCount
        self.insertColumns = insertColumns.joined(separator: ", ")
        self.insertPlaceholders = insertColumns.enumerated().map { offset, column in
            guardedInsertValues[column] ?? "$\(offset + 1)"
        }.joined(separator: ", ")
        self.insertCount = insertColumns.count
        self.insertBindings = insertBindings
        self.updateAssignments = assignments.joined(separator: ", ")
        self.updateBindings = updateBindings
        self.updateCount = updateBindings.count
        let stamp = "$\(keyCount + 1)"
        self.deleteSQL = resource.softDelete
            ? "UPDATE \(resource.table) SET deleted_at = \(stamp) WHERE \(keyCondition)\(visible)"
            : "DELETE FROM \(resource.table) WHERE \(keyCondition)"
        self.restoreCondition = keyCondition + " AND deleted_at IS NOT NULL"
        // A row hidden with its parent (a cascading ref) comes back with it, not alone.
        self.restoreGuard = resource.softDelete && isTenant
            ? resource.fields.compactMap { field -> String? in
                guard let reference = field.reference, reference.onDelete == .cascade, reference.softDeleted, reference.sameOrg else { return nil }
                return " AND NOT EXISTS (SELECT 1 FROM \(reference.table) parent WHERE parent.id = \(resource.table).\(field.name) AND parent.deleted_at IS NOT NULL)"
            }.joined()
            : ""
        self.restoreAssignments = "deleted_at = NULL" + (resource.timestamps ? ", updated_at = \(stamp)" : "")
        self.listScope = isTenant ? "org_id = $1" : "TRUE"
        self.listScopeCount = isTenant ? 1 : 0
        self.listFields = separated(Self.listFields(resource).map { ListField(arguments: $0) })
        self.searchDocument = resource.search?.document
        self.searchLanguage = resource.search?.language
    }

    /// The value a ref to a soft-deleted resource stores: the id, unless it names a deleted row,
    /// which the API treats as missing. Then the nil UUID, which no row has: the foreign key
    /// refuses it, and the API answers 422 "does not exist" naming the field, in the same single
    /// statement. `unlessUnchanged` (an UPDATE) lets a row keep a ref it already holds.
    private static func visibleReference(_ field: ResolvedField, placeholder: String, unlessUnchanged: Bool = false) -> String? {
        guard let reference = field.reference, reference.softDeleted else { return nil }
        let changed = unlessUnchanged ? "\(placeholder) IS DISTINCT FROM \(field.name) AND " : ""
        return "CASE WHEN \(changed)EXISTS (SELECT 1 FROM \(reference.table) WHERE id = \(placeholder) AND deleted_at IS NOT NULL) "
            + "THEN '00000000-0000-0000-0000-000000000000'::uuid ELSE \(placeholder) END"
    }

    /// The arguments of each `ListField`: the id, the fields a list filters or sorts by or nests
    /// under, and the timestamps when they are sort keys.
    private static func listFields(_ resource: ResolvedResource) -> [String] {
        let sortKeys = Set(resource.pagination.sortKeys)
        // The owner field too: a role limited to its own rows lists them by it.
        let parents = Set(resource.parentFields.map(\.name) + [resource.ownerField?.name].compactMap { $0 })
        var fields: [String] = []
        func add(_ name: String, _ kind: String, sqlType: String, nullable: Bool = false, filters: [FilterOperator] = []) {
            var arguments = #""\#(name)", \#(kind), sqlType: "\#(sqlType)""#
            if nullable { arguments += ", nullable: true" }
            if !filters.isEmpty { arguments += ", filters: [\(filters.map { ".\(Naming.camelCase($0.rawValue))" }.joined(separator: ", "))]" }
            if sortKeys.contains(name) { arguments += ", sortable: true" }
            fields.append(arguments)
        }
        add("id", ".uuid", sqlType: "uuid")
        for field in resource.fields where !field.spec.filters.isEmpty || sortKeys.contains(field.name) || parents.contains(field.name) {
            add(field.name, field.listKind, sqlType: field.sqlCastType, nullable: field.nullable, filters: field.spec.filters)
        }
        for name in ["created_at", "updated_at"] where resource.timestamps && sortKeys.contains(name) {
            add(name, ".datetime", sqlType: "timestamptz")
        }
        return fields
    }
}

extension ResolvedField {
    /// The `ListField.Kind` of the field, as Swift.
    var listKind: String {
        switch kind {
        case .string, .text: ".string"
        case .int32: ".integer(Int64(Int32.min)...Int64(Int32.max))"
        case .int64: ".integer(Int64.min...Int64.max)"
        case .decimal: ".decimal"
        case .bool: ".bool"
        case .uuid: ".uuid"
        case .reference: reference?.swiftName == nil && reference?.resource == "User" ? ".userReference" : ".uuid"
        case .date: ".date"
        case .datetime: ".datetime"
        case .json: ".string"
        case .enumeration(_, let values): ".enumeration([\(values.map { "\"\($0)\"" }.joined(separator: ", "))])"
        }
    }
}
