/// The SQL of one resource's statements, for the queries template (as `sql.*`): every decision
/// about conditions, placeholders and bindings is made here.
struct SQLContext {
    struct SortColumn: Separated {
        var key: String
        /// The type a cursor's text is cast back to.
        var sqlType: String
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
    /// Clears `deleted_at` and, with timestamps, stamps `updated_at` with the app's time.
    var restoreAssignments: String
    /// The condition every listed row meets; its values are the scope's.
    var listScope: String
    var listScopeCount: Int
    var sortColumns: [SortColumn]

    init(_ resource: ResolvedResource) {
        let isTenant = resource.isTenant
        let keyCondition = isTenant ? "id = $1 AND org_id = $2" : "id = $1"
        let keyCount = isTenant ? 2 : 1
        let visible = resource.softDelete ? " AND deleted_at IS NULL" : ""

        // INSERT: id, org_id, the fields (set_from ones from the principal), timestamps.
        var insertColumns = ["id"]
        var insertBindings = ["bindings.append(id)"]
        if isTenant {
            insertColumns.append("org_id")
            insertBindings.append("scope.bind(into: &bindings)")
        }
        for field in resource.fields {
            insertColumns.append(field.name)
            insertBindings.append(field.setFrom == .principalUser ? "bindings.append(userID)" : "try bindings.bind(input.\(field.swiftName))")
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
            assignments.append("\(field.name) = $\(parameter)")
            updateBindings.append("try bindings.bind(model.\(field.swiftName))")
        }
        if resource.timestamps {
            parameter += 1
            assignments.append("updated_at = $\(parameter)")
            updateBindings.append("try bindings.bind(now)")
        }

        var listScope: [String] = []
        if isTenant { listScope.append("org_id = $1") }
        if resource.softDelete { listScope.append("deleted_at IS NULL") }

        self.findCondition = keyCondition + visible
        self.keyCondition = keyCondition
        self.keyCount = keyCount
        self.insertColumns = insertColumns.joined(separator: ", ")
        self.insertPlaceholders = (1...insertColumns.count).map { "$\($0)" }.joined(separator: ", ")
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
        self.restoreAssignments = "deleted_at = NULL" + (resource.timestamps ? ", updated_at = \(stamp)" : "")
        self.listScope = listScope.isEmpty ? "TRUE" : listScope.joined(separator: " AND ")
        self.listScopeCount = isTenant ? 1 : 0
        self.sortColumns = separated(resource.pagination.sortKeys.map { key in
            let type: String
            switch key {
            case "id": type = "uuid"
            case "created_at", "updated_at": type = "timestamptz"
            default: type = resource.fields.first { $0.name == key }?.sqlCastType ?? "text"
            }
            return SortColumn(key: key, sqlType: type)
        })
    }
}
