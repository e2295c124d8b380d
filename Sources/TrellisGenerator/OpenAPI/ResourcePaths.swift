import TrellisOpenAPI
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
        for action in resource.actions {
            paths.append((base + "/{id}/\(action.path)", ["parameters": [["$ref": "#/components/parameters/ResourceID"]], "post": perform(action)]))
        }
        for parent in resource.parentFields {
            guard let target = parent.reference?.table else { continue }
            paths.append(("/api/v1/\(Naming.kebabCase(target))/{\(parent.name)}\(resource.path)", ["get": list(parent: parent), "post": createNested(under: parent)]))
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

    /// `response` with the row's `ETag` (and any `extra` headers) among its headers.
    private func tagged(_ response: Document, extra: [(String, Document)] = []) -> Document {
        guard case .object(var entries) = response else { return response }
        entries.insert(("headers", .object(extra + [("ETag", ["$ref": "#/components/headers/ETag"])])), at: 1)
        return .object(entries)
    }

    /// `If-Match`, required under `concurrency: required`.
    private var ifMatch: Document {
        ["$ref": .string("#/components/parameters/\(resource.requiresIfMatch ? "IfMatchRequired" : "IfMatch")")]
    }

    /// 428, for a write without `If-Match`, when the spec requires it.
    private var requiredError: [ErrorResponse] {
        resource.requiresIfMatch ? [.preconditionRequired] : []
    }

    private func errors(_ responses: [ErrorResponse]) -> [(String, Document)] {
        responses.map { ($0.status, $0.reference) }
    }

    private func rolesNote(_ action: Action) -> String {
        if resource.platformAdminActions.contains(action) {
            return "Platform administrators only: the rows are shared by every organization. API keys may not."
        }
        let own = resource.ownRows[action] ?? []
        let roles = (resource.permissions[action] ?? []).map { own.contains($0) ? "\($0.rawValue) (own rows only)" : $0.rawValue }
        guard !roles.isEmpty else { return "No role may do this." }
        let note = "Allowed roles: \(roles.joined(separator: ", "))."
        guard !own.isEmpty, let owner = resource.ownerField else { return note }
        let others = action.isRead || resource.ownRows[.read]?.isDisjoint(with: own) == false
            ? "Other rows answer 404 to them." : "Other rows answer 403 to them (404 to a role that may not read them)."
        return note + " A row's owner is the user `\(owner.name)` names." + (action == .list ? " They list only their own rows." : " " + others)
    }

    private func operation(
        _ id: String, summary: String, action: Action, parameters: [Document] = [], body: (schema: String, example: Document)? = nil,
        success: (String, Document), errors errorResponses: [ErrorResponse]
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
        entries.append(("responses", .object([success] + errors(errorResponses))))
        return .object(entries)
    }

    private func list(parent: ResolvedField? = nil) -> Document {
        var parameters = ListParameters(resource: resource).all()
        var id = "list\(Naming.pascalCase(resource.table))"
        var summary = "List \(name) records, newest first, one page at a time."
        if let parent, let target = parent.reference?.resource {
            parameters.insert(parentParameter(parent), at: 0)
            id = "list\(target)\(Naming.pascalCase(resource.table))"
            summary = "List the \(name) records of one \(target) (404 when the \(target) is not visible)."
        }
        return operation(
            id, summary: summary, action: .list, parameters: parameters,
            success: ("200", json("\(name)List", description: "A page of \(name) records.", example: examples.page)),
            errors: [.unauthorized, .forbidden] + (parent == nil ? [] : [.notFound]) + [.validationFailed, .internalError, .unavailable]
        )
    }

    private func parentParameter(_ parent: ResolvedField) -> Document {
        [
            "name": .string(parent.name), "in": "path", "required": true,
            "description": .string("The id of the \(parent.reference?.resource ?? "parent")."),
            "schema": ["type": "string", "format": "uuid"],
        ]
    }

    /// `POST /projects/{project_id}/tasks`: the path gives the parent, so the body leaves it out.
    private func createNested(under parent: ResolvedField) -> Document {
        guard case .object(var entries) = create(), let target = parent.reference?.resource else { return create() }
        var example = examples.create
        if case .object(let members) = example { example = .object(members.filter { $0.0 != parent.name }) }
        for (index, entry) in entries.enumerated() {
            switch entry.0 {
            case "operationId": entries[index].1 = .string("create\(target)\(name)")
            case "summary": entries[index].1 = .string("Create a \(name) in one \(target) (404 when the \(target) is not visible).")
            case "requestBody":
                entries[index].1 = [
                    "required": true,
                    "content": ["application/json": ["schema": ref("\(name)CreateIn\(target)"), "example": example]],
                ]
            default: break
            }
        }
        entries.insert(("parameters", [parentParameter(parent)]), at: 3)
        if let responses = entries.firstIndex(where: { $0.0 == "responses" }), case .object(var codes) = entries[responses].1 {
            codes.append(("404", ErrorResponse.notFound.reference))
            entries[responses].1 = .object(codes)
        }
        return .object(entries)
    }

    private func create() -> Document {
        let created = tagged(
            json("\(name)Response", description: "The created \(name).", example: examples.data(examples.row)),
            extra: [("Location", ["description": "The URL of the new record.", "schema": ["type": "string"]])]
        )
        return operation(
            "create\(name)", summary: "Create a \(name).", action: .create, body: ("\(name)Create", examples.create), success: ("201", created),
            errors: [
                .badRequest, .unauthorized, .forbidden, .conflict, .payloadTooLarge, .unsupportedMediaType, .validationFailed,
                .internalError, .unavailable,
            ]
        )
    }

    private func read() -> Document {
        let include = ListParameters(resource: resource).include
        let document = operation(
            "get\(name)", summary: "Get a \(name) by id.", action: .read,
            parameters: (include.map { [$0] } ?? []) + [["$ref": "#/components/parameters/IfNoneMatch"]],
            success: ("200", tagged(json(
                "\(name)Response", description: "The \(name)" + (include == nil ? "." : " (no `ETag` when `include` embeds other rows)."),
                example: examples.data(examples.row)
            ))),
            errors: [.unauthorized, .forbidden, .notFound, .validationFailed, .internalError, .unavailable]
        )
        // 304 sits after 200, in status order.
        guard case .object(var entries) = document, let index = entries.firstIndex(where: { $0.0 == "responses" }),
            case .object(var codes) = entries[index].1
        else { return document }
        codes.insert(("304", [
            "description": "Not modified: the version `If-None-Match` names is the current one.",
            "headers": ["ETag": ["$ref": "#/components/headers/ETag"]],
        ]), at: 1)
        entries[index].1 = .object(codes)
        return .object(entries)
    }

    private func update() -> Document {
        operation(
            "update\(name)", summary: "Change a \(name).", action: .update, parameters: [ifMatch], body: ("\(name)Patch", examples.patch),
            success: ("200", tagged(json("\(name)Response", description: "The changed \(name).", example: examples.data(examples.changedRow)))),
            errors: [.badRequest, .unauthorized, .forbidden, .notFound, .conflict, .preconditionFailed, .payloadTooLarge, .unsupportedMediaType, .validationFailed]
                + requiredError + [.internalError, .unavailable]
        )
    }

    private func delete() -> Document {
        operation(
            "delete\(name)", summary: resource.softDelete ? "Delete a \(name) (it can be restored)." : "Delete a \(name).",
            action: .delete, parameters: [ifMatch], success: ("204", ["description": "Deleted."]),
            errors: [.unauthorized, .forbidden, .notFound, .conflict, .preconditionFailed, .validationFailed] + requiredError + [.internalError, .unavailable]
        )
    }

    private func restore() -> Document {
        operation(
            "restore\(name)", summary: "Restore a deleted \(name); one that is not deleted is answered as it is.", action: .restore,
            parameters: [ifMatch],
            success: ("200", tagged(json("\(name)Response", description: "The restored \(name).", example: examples.data(examples.row)))),
            errors: [.unauthorized, .forbidden, .notFound, .conflict, .preconditionFailed, .validationFailed] + requiredError + [.internalError, .unavailable]
        )
    }

    /// `POST /{id}/<action>`: the body is optional when no input field is required.
    private func perform(_ action: ResolvedAction) -> Document {
        let own = action.roles.filter(action.ownRoles.contains)
        var note = "Allowed roles: " + action.roles.map { own.contains($0) ? "\($0.rawValue) (own rows only)" : $0.rawValue }.joined(separator: ", ") + "."
        if !own.isEmpty, let owner = resource.ownerField {
            note += " A row's owner is the user `\(owner.name)` names; other rows answer 403 to those roles when they may read them, else 404."
        }
        let schema = "\(name)\(Naming.pascalCase(action.name))Input"
        var entries: [(String, Document)] = [
            ("operationId", .string("\(Naming.camelCase(action.name))\(name)")),
            ("summary", .string(action.description ?? "Perform \(action.name) on a \(name).")),
            ("description", .string(note + " Audited as `\(Naming.snakeCase(name)).\(action.name)`, with the fields it changed.")),
            ("tags", [.string(name)]),
            ("parameters", [ifMatch]),
            ("requestBody", [
                "required": .bool(action.input.contains(where: \.requiredOnCreate)),
                "content": ["application/json": ["schema": ref(schema)]],
            ]),
        ]
        let success = tagged(json("\(name)Response", description: "The \(name) after the action.", example: examples.data(examples.row)))
        let failures: [ErrorResponse] = [
            .badRequest, .unauthorized, .forbidden, .notFound, .conflict, .preconditionFailed, .payloadTooLarge, .unsupportedMediaType,
            .validationFailed,
        ] + requiredError + [.internalError, .unavailable]
        entries.append(("responses", .object([("200", success)] + errors(failures))))
        return .object(entries)
    }
}
