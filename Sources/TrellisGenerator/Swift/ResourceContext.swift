import TrellisSpec

/// The template context of one resource: every decision is made here, the templates only print.
enum ResourceContext {
    static func make(_ resource: ResolvedResource) -> [String: Any] {
        let typeName = resource.swiftName
        let fields = resource.fields.enumerated().map { offset, field in fieldContext(field, column: offset + 1) }
        let createFields = resource.writableFields
        let patchFields = resource.mutableFields
        let requiredFields = createFields.filter(\.requiredOnCreate)
        let fieldCount = resource.fields.count
        let isTenant = resource.isTenant

        var context: [String: Any] = [
            "specFile": resource.specFile,
            "resourceName": resource.name,
            "humanName": Naming.snakeCase(resource.name).split(separator: "_").joined(separator: " "),
            "typeName": typeName,
            "table": resource.table,
            "path": resource.path,
            "pathComponent": String(resource.path.dropFirst()),
            "docLines": docLines(resource.description ?? "A \(resource.name), as the API returns it."),
            "isTenant": isTenant,
            "softDelete": resource.softDelete,
            "timestamps": resource.timestamps,
            "fields": fields,
            "enums": enumContexts(resource),
            "columnList": resource.modelColumns.joined(separator: ", "),
            "createdAtColumn": fieldCount + 1,
            "updatedAtColumn": fieldCount + 2,
            "createFields": withCommas(createFields.map { createFieldContext($0) }),
            "hasCreateFields": !createFields.isEmpty,
            "requiredFields": withCommas(requiredFields.map { ["property": $0.swiftName] }),
            "hasRequiredFields": !requiredFields.isEmpty,
            "createKeys": stringSet(createFields.map(\.name)),
            "serverOwnedKeys": stringSet(resource.serverOwnedKeys),
            "inputBinding": createFields.isEmpty ? "let" : "var",
            "patchFields": patchFields.map { patchFieldContext($0) },
            "hasMutableFields": !patchFields.isEmpty,
            "patchKeys": stringSet(patchFields.map(\.name)),
            "immutableKeys": stringSet(resource.fields.filter { $0.immutable && $0.setFrom == nil }.map(\.name)),
            "patchBinding": patchFields.isEmpty ? "let" : "var",
            "patchModelBinding": patchFields.isEmpty ? "let" : "var",
            "principalUser": resource.fields.contains { $0.setFrom == .principalUser },
            "defaultLimit": resource.pagination.defaultLimit,
            "maxLimit": resource.pagination.maxLimit,
            "defaultSort": resource.pagination.defaultSort,
            "scopeType": isTenant ? "TenantScope" : "SharedScope",
            "conformances": conformances(resource, updatable: !patchFields.isEmpty),
            "permissions": withCommas(Action.allCases.filter { $0 != .restore }.map { permissionContext($0, resource) }),
            "restorePermission": resource.softDelete ? [permissionContext(.restore, resource)] : [],
        ]
        context.merge(SQLContext.make(resource)) { first, _ in first }
        return context
    }

    /// The most specific resource protocols the resource conforms to.
    private static func conformances(_ resource: ResolvedResource, updatable: Bool) -> String {
        let refined = (updatable ? ["UpdatableResource"] : []) + (resource.softDelete ? ["SoftDeletableResource"] : [])
        return (refined.isEmpty ? ["Resource"] : refined).joined(separator: ", ")
    }

    private static func permissionContext(_ action: Action, _ resource: ResolvedResource) -> [String: Any] {
        [
            "action": action.rawValue,
            "roles": (resource.permissions[action] ?? []).map { ".\($0.rawValue)" }.joined(separator: ", "),
            "scope": "\([.list, .read].contains(action) ? "read" : "write"):\(resource.path.dropFirst())",
        ]
    }

    /// Adds `comma` (", " between items) and `lineComma` ("," at the end of every line but the last).
    static func withCommas(_ items: [[String: Any]], separator: String = ", ", last: String = "") -> [[String: Any]] {
        items.enumerated().map { index, item in
            var item = item
            item["comma"] = index < items.count - 1 ? separator : last
            item["lineComma"] = index < items.count - 1 ? "," : ""
            return item
        }
    }

    static func stringSet(_ keys: [String]) -> String {
        keys.map { "\"\($0)\"" }.joined(separator: ", ")
    }

    static func docLines(_ text: String) -> [String] {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { String($0) }
    }

    private static func fieldContext(_ field: ResolvedField, column: Int) -> [String: Any] {
        var context: [String: Any] = [
            "name": field.name,
            "property": field.swiftName,
            "label": Naming.camelCase(field.name),
            "propertyType": field.swiftType + (field.nullable ? "?" : ""),
            "column": column,
            "codingKey": field.name.contains("_") ? "\(field.swiftName) = \"\(field.name)\"" : field.swiftName,
        ]
        if case .decimal(_, let scale) = field.kind {
            context["jsonWrite"] = "buffer.writeJSONDecimal(\(field.swiftName), scale: \(scale))"
        } else {
            context["jsonWrite"] = "buffer.writeJSON(\(field.swiftName))"
        }
        if let description = field.spec.description { context["fieldDocLines"] = docLines(description) }
        return context
    }

    private static func enumContexts(_ resource: ResolvedResource) -> [[String: Any]] {
        resource.fields.compactMap { field in
            guard case .enumeration(let typeName, let values) = field.kind else { return nil }
            return [
                "enumName": typeName,
                "fieldName": field.name,
                "cases": values.map { value in
                    let name = SwiftNames.enumCase(value)
                    return ["caseName": name == value ? name : "\(name) = \"\(value)\""]
                },
            ]
        }
    }

    private static func checkArgument(_ field: ResolvedField) -> String {
        field.swiftCheck.map { ", check: \($0)" } ?? ""
    }

    private static func createFieldContext(_ field: ResolvedField) -> [String: Any] {
        var read = "reader.read(\"\(field.name)\", as: \(field.swiftType).self"
        if field.requiredOnCreate { read += ", required: true" }
        if field.nullable { read += ", nullable: true" }
        read += checkArgument(field) + ")"
        if let value = field.swiftDefault { read += " ?? \(value)" }
        var context: [String: Any] = [
            "property": field.swiftName,
            "label": Naming.camelCase(field.name),
            "propertyType": field.swiftType + (field.nullable ? "?" : ""),
            "readCreate": read,
        ]
        if let value = field.swiftDefault {
            context["initDefault"] = value
        } else if field.nullable {
            context["initDefault"] = "nil"
        }
        return context
    }

    private static func patchFieldContext(_ field: ResolvedField) -> [String: Any] {
        let type = field.swiftType
        if field.nullable {
            return [
                "property": field.swiftName,
                "patchType": "Patchable<\(type)>",
                "readPatch": "reader.patch(\"\(field.name)\", as: \(type).self\(checkArgument(field)))",
                "applyStatement": "patched.\(field.swiftName) = self.\(field.swiftName).applied(to: model.\(field.swiftName))",
            ]
        }
        return [
            "property": field.swiftName,
            "patchType": "\(type)?",
            "readPatch": "reader.read(\"\(field.name)\", as: \(type).self\(checkArgument(field)))",
            "applyStatement": "if let value = self.\(field.swiftName) { patched.\(field.swiftName) = value }",
        ]
    }
}
