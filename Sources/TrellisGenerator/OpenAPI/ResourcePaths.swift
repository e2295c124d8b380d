import TrellisSpec

/// The paths and operations of one resource.
struct ResourcePaths {
    let resource: ResolvedResource

    private var name: String { resource.name }
    private var base: String { "/api/v1" + resource.path }

    func paths() -> [(String, Document)] {
        var item: [(String, Document)] = [
            ("parameters", [["$ref": "#/components/parameters/ResourceID"]]),
            ("get", read()),
        ]
        if !resource.mutableFields.isEmpty { item.append(("patch", update())) }
        item.append(("delete", delete()))
        var paths: [(String, Document)] = [
            (base, ["get": list(), "post": create()]),
            (base + "/{id}", .object(item)),
        ]
        if resource.softDelete {
            paths.append((base + "/{id}/restore", ["parameters": [["$ref": "#/components/parameters/ResourceID"]], "post": restore()]))
        }
        return paths
    }

    private func ref(_ schema: String) -> Document {
        ["$ref": .string("#/components/schemas/\(schema)")]
    }

    private var examples: ResourceExamples { ResourceExamples(resource: resource) }

    private func json(_ schema: String, description: String, example: Document) -> Document {
        ["description": .string(description), "content": ["application/json": ["schema": ref(schema), "example": example]]]
    }

    private func errors(_ names: [String]) -> [(String, Document)] {
        names.compactMap { name in
            CommonComponents.errorCodes.first { $0.name == name }.map { ($0.status, CommonComponents.errorResponse(name)) }
        }
    }

    private func rolesNote(_ action: Action) -> String {
        let roles = (resource.permissions[action] ?? []).map(\.rawValue)
        return roles.isEmpty ? "No role may do this." : "Allowed roles: \(roles.joined(separator: ", "))."
    }

    private func operation(
        _ id: String, summary: String, action: Action, parameters: [Document] = [], body: (schema: String, example: Document)? = nil,
        success: (String, Document), errorNames: [String]
    ) -> Document {
        var entries: [(String, Document)] = [
            ("operationId", .string(id)),
            ("summary", .string(summary)),
            ("description", .string(rolesNote(action))),
            ("tags", [.string(name)]),
        ]
        if !parameters.isEmpty { entries.append(("parameters", .array(parameters))) }
        if let body {
            entries.append(("requestBody", ["required": true, "content": ["application/json": ["schema": ref(body.schema), "example": body.example]]]))
        }
        entries.append(("responses", .object([success] + errors(errorNames))))
        return .object(entries)
    }

    private func list() -> Document {
        let sortValues = resource.pagination.sortKeys.flatMap { [Document.string($0), .string("-" + $0)] }
        return operation(
            "list\(Naming.pascalCase(resource.table))", summary: "List \(name) records, newest first, one page at a time.", action: .list,
            parameters: [
                [
                    "name": "limit", "in": "query", "required": false, "description": "Page size.",
                    "schema": [
                        "type": "integer", "minimum": 1, "maximum": .integer(Int64(resource.pagination.maxLimit)),
                        "default": .integer(Int64(resource.pagination.defaultLimit)),
                    ],
                ],
                ["$ref": "#/components/parameters/Cursor"],
                [
                    "name": "sort", "in": "query", "required": false,
                    "description": "Sort key; a leading '-' sorts descending.",
                    "schema": ["type": "string", "enum": .array(sortValues), "default": .string("-" + resource.pagination.defaultSort)],
                ],
            ],
            success: ("200", json("\(name)List", description: "A page of \(name) records.", example: examples.page)),
            errorNames: ["Unauthorized", "Forbidden", "ValidationFailed", "InternalError", "Unavailable"]
        )
    }

    private func create() -> Document {
        var created = json("\(name)Response", description: "The created \(name).", example: examples.data(examples.row))
        if case .object(var entries) = created {
            entries.insert(("headers", ["Location": ["description": "The URL of the new record.", "schema": ["type": "string"]]]), at: 1)
            created = .object(entries)
        }
        return operation(
            "create\(name)", summary: "Create a \(name).", action: .create, body: ("\(name)Create", examples.create), success: ("201", created),
            errorNames: [
                "BadRequest", "Unauthorized", "Forbidden", "Conflict", "PayloadTooLarge", "UnsupportedMediaType", "ValidationFailed",
                "InternalError", "Unavailable",
            ]
        )
    }

    private func read() -> Document {
        operation(
            "get\(name)", summary: "Get a \(name) by id.", action: .read,
            success: ("200", json("\(name)Response", description: "The \(name).", example: examples.data(examples.row))),
            errorNames: ["Unauthorized", "Forbidden", "NotFound", "ValidationFailed", "InternalError", "Unavailable"]
        )
    }

    private func update() -> Document {
        operation(
            "update\(name)", summary: "Change a \(name).", action: .update, body: ("\(name)Patch", examples.patch),
            success: ("200", json("\(name)Response", description: "The changed \(name).", example: examples.data(examples.changedRow))),
            errorNames: [
                "BadRequest", "Unauthorized", "Forbidden", "NotFound", "Conflict", "PayloadTooLarge", "UnsupportedMediaType",
                "ValidationFailed", "InternalError", "Unavailable",
            ]
        )
    }

    private func delete() -> Document {
        operation(
            "delete\(name)", summary: resource.softDelete ? "Delete a \(name) (it can be restored)." : "Delete a \(name).",
            action: .delete, success: ("204", ["description": "Deleted."]),
            errorNames: ["Unauthorized", "Forbidden", "NotFound", "Conflict", "ValidationFailed", "InternalError", "Unavailable"]
        )
    }

    private func restore() -> Document {
        operation(
            "restore\(name)", summary: "Restore a deleted \(name); one that is not deleted is answered as it is.", action: .restore,
            success: ("200", json("\(name)Response", description: "The restored \(name).", example: examples.data(examples.row))),
            errorNames: ["Unauthorized", "Forbidden", "NotFound", "Conflict", "ValidationFailed", "InternalError", "Unavailable"]
        )
    }
}
