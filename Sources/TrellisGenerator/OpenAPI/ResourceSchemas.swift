import Foundation
import TrellisOpenAPI
import TrellisSpec

/// The component schemas of one resource: the model, its create and patch bodies, and envelopes.
struct ResourceSchemas {
    let resource: ResolvedResource

    func schemas() -> [(String, Document)] {
        let name = resource.name
        let hiddenFromSome = Set(resource.fields.filter { $0.spec.readRoles != nil }.map(\.name))
        var properties: [(String, Document)] = [("id", ["type": "string", "format": "uuid", "readOnly": true])]
        properties += resource.fields.map { ($0.name, FieldSchema.schema(for: $0, nullable: $0.nullable)) }
        properties.append((
            "version",
            [
                "type": "integer", "format": "int64", "minimum": 1, "readOnly": true,
                "description": "How many times the row was written (1 when created); the `ETag` is this number, quoted.",
            ]
        ))
        if resource.timestamps {
            properties.append(("created_at", ["type": "string", "format": "date-time", "readOnly": true]))
            properties.append(("updated_at", ["type": "string", "format": "date-time", "readOnly": true]))
        }
        let model: Document = [
            "type": "object",
            "description": .string(resource.description ?? "A \(name)."),
            // A field only some roles see is left out of the others' rows.
            "required": .array(properties.filter { name, _ in !hiddenFromSome.contains(name) }.map { .string($0.0) }),
            "additionalProperties": false,
            "properties": .object(properties),
        ]
        let create = createSchema()
        let patch: Document = [
            "type": "object",
            "description": .string("The body of a request that changes a \(name): only the keys sent change; null clears an optional field."),
            "additionalProperties": false,
            "properties": .object(resource.mutableFields.map { ($0.name, FieldSchema.schema(for: $0, nullable: $0.nullable)) }),
        ]
        let actionInputs: [(String, Document)] = resource.actions.map { action in
            let required = action.input.filter(\.requiredOnCreate).map { Document.string($0.name) }
            var entries: [(String, Document)] = [
                ("type", "object"),
                ("description", .string("The body of the \(action.name) action of a \(name).")),
            ]
            if !required.isEmpty { entries.append(("required", .array(required))) }
            entries.append(("additionalProperties", false))
            entries.append(("properties", .object(action.input.map { ($0.name, FieldSchema.schema(for: $0, nullable: $0.nullable)) })))
            return ("\(name)\(Naming.pascalCase(action.name))Input", .object(entries))
        }
        return [
            (name, model),
            ("\(name)Create", create),
            ("\(name)Patch", patch),
        ] + actionInputs + [
            ("\(name)Response", [
                "type": "object", "required": ["data"], "additionalProperties": false,
                "properties": ["data": ["$ref": .string("#/components/schemas/\(name)\(includes.isEmpty && resource.children.isEmpty ? "" : "ListItem")")]],
            ]),
            ("\(name)List", [
                "type": "object", "required": ["data", "meta"], "additionalProperties": false,
                "properties": [
                    "data": ["type": "array", "items": ["$ref": .string("#/components/schemas/\(name)\(includes.isEmpty && resource.children.isEmpty ? "" : "ListItem")")]],
                    "meta": ["$ref": .string("#/components/schemas/\(resource.pagination.style == .offset ? "OffsetPageMeta" : "PageMeta")")],
                ],
            ]),
        ] + listItem(properties: properties, includes: includes) + resource.parentFields.compactMap { parent in
            parent.reference.map { ("\(name)CreateIn\($0.resource)", createSchema(under: parent)) }
        }
    }

    /// The body of a create; under a parent (`POST /projects/{id}/tasks`) without the parent's
    /// ref, which the path gives.
    private func createSchema(under parent: ResolvedField? = nil) -> Document {
        let name = resource.name
        let createFields = resource.writableFields.filter { $0.name != parent?.name }
        var create: [(String, Document)] = [
            ("type", "object"),
            ("description", .string("The body of a request that creates a \(name)" + (parent.map { " under the \($0.reference?.resource ?? "") in the path." } ?? "."))),
        ]
        let required = createFields.filter(\.requiredOnCreate).map { Document.string($0.name) }
        if !required.isEmpty { create.append(("required", .array(required))) }
        create.append(("additionalProperties", false))
        create.append(("properties", .object(createFields.map { ($0.name, FieldSchema.schema(for: $0, nullable: $0.nullable)) })))
        create.append(("examples", [.object(createFields.filter { $0.requiredOnCreate || $0.spec.defaultValue == nil }.map { ($0.name, FixtureValues.example(for: $0)) })]))
        return .object(create)
    }

    private var includes: [ResolvedField] { resource.includableFields }

    /// A row of a list: the model's fields and, when `?include=` names them, the related rows.
    private func listItem(properties: [(String, Document)], includes: [ResolvedField]) -> [(String, Document)] {
        let hiddenFromSome = Set(resource.fields.filter { $0.spec.readRoles != nil }.map(\.name))
        guard !includes.isEmpty || !resource.children.isEmpty else { return [] }
        let embedded: [(String, Document)] = includes.compactMap { field in
            guard let name = field.includeName, let reference = field.reference else { return nil }
            let target: Document = reference.swiftName == nil
                ? ["$ref": "#/components/schemas/IncludedUser"]
                : ["$ref": .string("#/components/schemas/\(reference.resource)")]
            return (name, [
                "description": .string("With `include=\(name)`: the \(reference.resource) `\(field.name)` refers to, or null."),
                "anyOf": [target, ["type": "null"]],
            ])
        }
        let children: [(String, Document)] = resource.children.map { child in
            (child.name, [
                "type": "object",
                "description": .string(
                    "With `include=\(child.name)`: the first \(ListLimits.includedChildren) \(child.resource) records in their default order; "
                        + "`GET /api/v1\(resource.path)/{\(child.field)}/\(child.name.replacingOccurrences(of: "_", with: "-"))` pages through all of them."
                ),
                "required": ["data", "has_more"],
                "additionalProperties": false,
                "properties": [
                    "data": ["type": "array", "items": ["$ref": .string("#/components/schemas/\(child.resource)")]],
                    "has_more": ["type": "boolean"],
                ],
            ])
        }
        return [
            ("\(resource.name)ListItem", [
                "type": "object",
                "description": .string("A \(resource.name) as a list or a read answers it, with the relations `include` names."),
                // A field only some roles see is left out of the others' rows.
                "required": .array(properties.filter { name, _ in !hiddenFromSome.contains(name) }.map { .string($0.0) }),
                "additionalProperties": false,
                "properties": .object(properties + embedded + children),
            ])
        ]
    }
}

/// JSON Schema (2020-12, as OpenAPI 3.1 uses it) of one field.
enum FieldSchema {
    static let slugPattern = "^[a-z0-9]+(-[a-z0-9]+)*$"

    static func schema(for field: ResolvedField, nullable: Bool) -> Document {
        var entries: [(String, Document)] = []
        func type(_ name: String) {
            entries.append(("type", nullable ? [.string(name), "null"] : .string(name)))
        }
        switch field.kind {
        case .string, .text:
            type("string")
            if let minLength = field.spec.minLength { entries.append(("minLength", .integer(Int64(minLength)))) }
            if let maxLength = field.effectiveMaxLength { entries.append(("maxLength", .integer(Int64(maxLength)))) }
            switch field.spec.format {
            case .email: entries.append(("format", "email"))
            case .url: entries.append(("format", "uri"))
            case .slug, nil: break
            }
            entries.append(("pattern", .string(field.spec.format == .slug ? slugPattern : SchemaPattern.noNUL)))
        case .int32, .int64:
            type("integer")
            entries.append(("format", field.kind == .int32 ? "int32" : "int64"))
            let bits: (Int64, Int64) = field.kind == .int32 ? (Int64(Int32.min), Int64(Int32.max)) : (Int64.min, Int64.max)
            entries.append(("minimum", .integer(field.spec.minimum ?? bits.0)))
            entries.append(("maximum", .integer(field.spec.maximum ?? bits.1)))
        case .decimal(let precision, let scale):
            type("string")
            entries.append(("format", "decimal"))
            let fraction = scale > 0 ? "(\\.[0-9]{1,\(scale)})?" : ""
            let sign = (field.spec.minimum ?? -1) >= 0 ? "" : "-?"  // no minus sign where the spec forbids negatives
            entries.append(("pattern", .string("^\(sign)[0-9]{1,\(max(1, precision - scale))}\(fraction)$")))
        case .bool:
            type("boolean")
        case .uuid:
            type("string")
            entries.append(("format", "uuid"))
        case .reference:
            type("string")
            entries.append(("format", "uuid"))
        case .date:
            type("string")
            entries.append(("format", "date"))
        case .datetime:
            type("string")
            entries.append(("format", "date-time"))
        case .enumeration(_, let values):
            type("string")
            entries.append(("enum", .array(values.map { .string($0) } + (nullable ? [.null] : []))))
        case .json:
            break  // any JSON value
        }
        var description = field.spec.description ?? ""
        if let reference = field.reference {
            description += (description.isEmpty ? "" : " ") + "The id of a \(reference.resource)."
        }
        if field.immutable && field.setFrom == nil {
            description += (description.isEmpty ? "" : " ") + "Cannot be changed after creation."
        }
        if field.setFrom == .principalUser {
            description += (description.isEmpty ? "" : " ") + "Set by the server to the calling user."
            entries.append(("readOnly", true))
        }
        if field.spec.sensitive {
            description += (description.isEmpty ? "" : " ") + "Sensitive: the audit log records that it changed, never its value."
        }
        if let roles = field.spec.readRoles?.value {
            description += (description.isEmpty ? "" : " ") + "Seen only by \(roles.map(\.rawValue).joined(separator: ", ")): other roles get rows without it, and may not filter or sort by it."
        }
        if let roles = field.spec.writeRoles?.value {
            description += (description.isEmpty ? "" : " ") + "Set only by \(roles.map(\.rawValue).joined(separator: ", ")) (422 for other roles)."
        }
        if !description.isEmpty { entries.insert(("description", .string(description)), at: 0) }
        if let value = field.spec.defaultValue?.value {
            entries.append(("default", FixtureValues.defaultDocument(value)))
        }
        entries.append(("examples", [FixtureValues.example(for: field)]))
        return .object(entries)
    }
}
