/// The SQL pieces of one resource's statements, for the queries template.
enum SQLContext {
    static func make(_ resource: ResolvedResource) -> [String: Any] {
        let isTenant = resource.isTenant
        let keyCondition = isTenant ? "id = $1 AND org_id = $2" : "id = $1"
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

        let sortColumns = resource.pagination.sortKeys.map { key -> [String: Any] in
            let type: String
            switch key {
            case "id": type = "uuid"
            case "created_at", "updated_at": type = "timestamptz"
            default: type = resource.fields.first { $0.name == key }?.sqlCastType ?? "text"
            }
            return ["key": key, "sqlType": type]
        }

        return [
            "findCondition": keyCondition + visible,
            "keyCondition": keyCondition,
            "keyCount": isTenant ? 2 : 1,
            "insertColumns": insertColumns.joined(separator: ", "),
            "insertPlaceholders": (1...insertColumns.count).map { "$\($0)" }.joined(separator: ", "),
            "insertCount": insertColumns.count,
            "insertBindings": insertBindings,
            "updateAssignments": assignments.joined(separator: ", "),
            "updateBindings": updateBindings,
            "updateCount": updateBindings.count,
            "deleteSQL": resource.softDelete
                ? "UPDATE \(resource.table) SET deleted_at = now() WHERE \(keyCondition)\(visible)"
                : "DELETE FROM \(resource.table) WHERE \(keyCondition)",
            "restoreCondition": keyCondition + " AND deleted_at IS NOT NULL",
            "listScope": listScope.isEmpty ? "TRUE" : listScope.joined(separator: " AND "),
            "listScopeCount": isTenant ? 1 : 0,
            "sortColumns": ResourceContext.withCommas(sortColumns),
        ]
    }
}
