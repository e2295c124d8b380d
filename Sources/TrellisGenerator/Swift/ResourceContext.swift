import TrellisSpec

/// The template context of one resource (model, queries and routes): every decision is made
/// here, the templates only print.
struct ResourceContext {
    /// A column of the model.
    struct Field {
        /// The JSON and column name.
        var name: String
        var property: String
        /// The initializer's argument label.
        var label: String
        var propertyType: String
        /// The Swift type without `?`: a nullable column decodes with `decodeIfPresent`.
        var valueType: String
        var nullable: Bool
        /// The column's position in the model's select list (the id is 0).
        var column: Int
        var codingKey: String
        /// The statement that writes the value as JSON.
        var jsonWrite: String
        var fieldDocLines: [String]?
        /// Whether only some roles see it (`read_roles`): the JSON writer leaves it out for others.
        var readRestricted: Bool
    }

    struct EnumType {
        struct Case {
            var caseName: String
        }

        var enumName: String
        var fieldName: String
        var cases: [Case]
    }

    /// A field of the create body.
    struct CreateField: Separated {
        var property: String
        var label: String
        var propertyType: String
        /// The expression that reads it from the JSON object.
        var readCreate: String
        /// The initializer's default value, if any.
        var initDefault: String?
        var comma = ""
        var lineComma = ""
    }

    struct RequiredField: Separated {
        var property: String
        var comma = ""
        var lineComma = ""
    }

    /// A field of the PATCH body.
    struct PatchField {
        var property: String
        var patchType: String
        var readPatch: String
        var applyStatement: String
    }

    /// `Permission(roles:scope:)` of one action.
    struct ActionPermission: Separated {
        var action: String
        /// `Permission(roles: [...], scope: "...")` or `.platformAdmins(scope: "...")`.
        var expression: String
        var comma = ""
        var lineComma = ""
    }

    var specFile: String
    var resourceName: String
    /// The resource's name in messages (`project member`).
    var humanName: String
    var typeName: String
    var table: String
    var path: String
    var pathComponent: String
    var docLines: [String]
    var isTenant: Bool
    var softDelete: Bool
    var timestamps: Bool
    var fields: [Field]
    var enums: [EnumType]
    var columnList: String
    var versionColumn: Int
    var requiresIfMatch: Bool
    /// The children that hide and come back with a row.
    var cascades: [Cascade]
    var hasCascades: Bool

    struct Cascade: Separated {
        var swiftName: String
        var table: String
        var field: String
        var parentTable: String
        var comma = ""
        var lineComma = ""
    }

    /// The spec's custom actions.
    var actions: [CustomAction]
    var hasActions: Bool
    /// `project`: the name of the row an action's implementation receives.
    var rowName: String

    /// One custom action: its input type and the route that serves it.
    struct CustomAction {
        var name: String
        /// The last path segment, `archive`.
        var actionPath: String
        /// `archive`: the Swift method that implements it.
        var methodName: String
        /// `ProjectArchiveInput`.
        var inputType: String
        var docLines: [String]
        var inputFields: [CreateField]
        var hasInputFields: Bool
        var requiredInput: [RequiredField]
        var hasRequiredInput: Bool
        var inputKeys: String
        var inputBinding: String
        /// `Permission(roles: [...], scope: "write:projects")`.
        var permission: String
    }

    /// `ResourceOwner<Comment>(field: "author_id") { $0.authorId }`, when a role is limited to its own rows.
    var owner: String?
    /// Whether some field is seen only by some roles.
    var hasReadRules: Bool
    /// `FieldRules(readRoles: [...], writeRoles: [...])`, when the spec has `read_roles` or `write_roles`.
    var fieldRules: String?
    var hasSensitiveFields: Bool
    /// `"password_hint", "ssn"`: the fields the spec marks `sensitive`.
    var sensitiveFieldList: String
    var createdAtColumn: Int
    var updatedAtColumn: Int
    var createFields: [CreateField]
    var hasCreateFields: Bool
    var requiredFields: [RequiredField]
    var hasRequiredFields: Bool
    var createKeys: String
    var serverOwnedKeys: String
    var inputBinding: String
    var patchFields: [PatchField]
    var hasMutableFields: Bool
    var patchKeys: String
    var immutableKeys: String
    var patchBinding: String
    var patchModelBinding: String
    /// Whether a field is set from the principal's user (`set_from: principal.user`).
    var principalUser: Bool
    /// `style: .offset, ` for offset pages; empty for cursor pages (the default).
    var paginationStyle: String
    var defaultLimit: Int
    var maxLimit: Int
    var defaultSort: String
    var scopeType: String
    /// The resource protocols the `Resource` enum conforms to.
    var conformances: String
    var permissions: [ActionPermission]
    var restorePermission: ActionPermission?
    /// The relations `?include=` embeds, as `ResourceInclude` factory calls.
    var includes: [Include]
    var hasIncludes: Bool
    /// The resources this one also lives under (`/projects/{id}/tasks`).
    var parents: [Parent]
    var sql: SQLContext

    struct Include: Separated {
        /// `.resource(ProjectResource.self, as: "project") { $0.projectId }`, `.member(as: "assignee") { ... }`
        /// or `.children(TaskItemResource.self, as: "tasks", through: "project_id")`.
        var expression: String
        var comma = ""
        var lineComma = ""
    }

    struct Parent {
        var resourceType: String
        var field: String
    }

    init(_ resource: ResolvedResource) {
        let createFields = resource.writableFields
        let patchFields = resource.mutableFields
        let requiredFields = createFields.filter(\.requiredOnCreate)
        let fieldCount = resource.fields.count
        let isTenant = resource.isTenant

        specFile = resource.specFile
        resourceName = resource.name
        humanName = Naming.snakeCase(resource.name).split(separator: "_").joined(separator: " ")
        typeName = resource.swiftName
        table = resource.table
        path = resource.path
        pathComponent = String(resource.path.dropFirst())
        docLines = Self.docLines(resource.description ?? "A \(resource.name), as the API returns it.")
        self.isTenant = isTenant
        softDelete = resource.softDelete
        timestamps = resource.timestamps
        fields = resource.fields.enumerated().map { offset, field in Self.field(field, column: offset + 1) }
        enums = Self.enumTypes(resource)
        columnList = resource.modelColumns.joined(separator: ", ")
        versionColumn = fieldCount + 1
        requiresIfMatch = resource.requiresIfMatch
        rowName = Naming.camelCase(Naming.snakeCase(resource.swiftName))
        actions = resource.actions.map { action in
            let fields = action.input
            let required = fields.filter(\.requiredOnCreate)
            let roles = action.roles.map { ".\($0.rawValue)" }.joined(separator: ", ")
            let own = action.roles.filter(action.ownRoles.contains).map { ".\($0.rawValue)" }.joined(separator: ", ")
            let scope = "write:\(resource.path.dropFirst())"
            return CustomAction(
                name: action.name,
                actionPath: action.path,
                methodName: Naming.camelCase(action.name),
                inputType: "\(resource.swiftName)\(Naming.pascalCase(action.name))Input",
                docLines: Self.docLines(action.description ?? "The \(action.name) action of a \(resource.name)."),
                inputFields: separated(fields.map(Self.createField)),
                hasInputFields: !fields.isEmpty,
                requiredInput: separated(required.map { RequiredField(property: $0.swiftName) }),
                hasRequiredInput: !required.isEmpty,
                inputKeys: Self.stringSet(fields.map(\.name)),
                inputBinding: fields.isEmpty ? "let" : "var",
                permission: "Permission(roles: [\(roles)]\(own.isEmpty ? "" : ", ownRowsOnly: [\(own)]"), scope: \"\(scope)\")"
            )
        }
        hasActions = !actions.isEmpty
        cascades = separated(resource.cascades.map { Cascade(swiftName: $0.swiftName, table: $0.table, field: $0.field, parentTable: resource.table) })
        hasCascades = !cascades.isEmpty
        owner = resource.ownerField.map { "ResourceOwner(field: \"\($0.name)\") { $0.\($0.swiftName) }" }
        hasReadRules = resource.fields.contains { $0.spec.readRoles != nil }
        fieldRules = Self.fieldRules(resource)
        let sensitive = resource.fields.filter(\.spec.sensitive).map { "\"\($0.name)\"" }
        hasSensitiveFields = !sensitive.isEmpty
        sensitiveFieldList = sensitive.joined(separator: ", ")
        createdAtColumn = fieldCount + 2
        updatedAtColumn = fieldCount + 3
        self.createFields = separated(createFields.map(Self.createField))
        hasCreateFields = !createFields.isEmpty
        self.requiredFields = separated(requiredFields.map { RequiredField(property: $0.swiftName) })
        hasRequiredFields = !requiredFields.isEmpty
        createKeys = Self.stringSet(createFields.map(\.name))
        serverOwnedKeys = Self.stringSet(resource.serverOwnedKeys)
        inputBinding = createFields.isEmpty ? "let" : "var"
        self.patchFields = patchFields.map(Self.patchField)
        hasMutableFields = !patchFields.isEmpty
        patchKeys = Self.stringSet(patchFields.map(\.name))
        immutableKeys = Self.stringSet(resource.fields.filter { $0.immutable && $0.setFrom == nil }.map(\.name))
        patchBinding = patchFields.isEmpty ? "let" : "var"
        patchModelBinding = patchFields.isEmpty ? "let" : "var"
        principalUser = resource.fields.contains { $0.setFrom == .principalUser }
        paginationStyle = resource.pagination.style == .offset ? "style: .offset, " : ""
        defaultLimit = resource.pagination.defaultLimit
        maxLimit = resource.pagination.maxLimit
        defaultSort = resource.pagination.defaultSort
        scopeType = isTenant ? "TenantScope" : "SharedScope"
        let refined = (patchFields.isEmpty ? [] : ["UpdatableResource"]) + (resource.softDelete ? ["SoftDeletableResource"] : [])
        conformances = (refined.isEmpty ? ["Resource"] : refined).joined(separator: ", ")
        permissions = separated(Action.allCases.filter { $0 != .restore }.map { Self.permission($0, resource) })
        restorePermission = resource.softDelete ? Self.permission(.restore, resource) : nil
        let references = resource.includableFields.map { field in
            let name = field.includeName ?? field.name
            let factory = field.reference?.swiftName.map { ".resource(\($0)Resource.self, as: \"\(name)\")" }
                ?? ".member(as: \"\(name)\")"
            return Include(expression: "\(factory) { $0.\(field.swiftName) }")
        }
        let children = resource.children.map { child in
            Include(expression: ".children(\(child.swiftName)Resource.self, as: \"\(child.name)\", through: \"\(child.field)\")")
        }
        includes = separated(references + children)
        hasIncludes = !includes.isEmpty
        parents = resource.parentFields.compactMap { field in
            field.reference?.swiftName.map { Parent(resourceType: "\($0)Resource", field: field.name) }
        }
        sql = SQLContext(resource)
    }

    private static func permission(_ action: Action, _ resource: ResolvedResource) -> ActionPermission {
        let scope = "\(action.isRead ? "read" : "write"):\(resource.path.dropFirst())"
        if resource.platformAdminActions.contains(action) {
            return ActionPermission(action: action.rawValue, expression: "Permission.platformAdmins(scope: \"\(scope)\")")
        }
        let allowed = resource.permissions[action] ?? []
        let roles = allowed.map { ".\($0.rawValue)" }.joined(separator: ", ")
        let own = allowed.filter { resource.ownRows[action]?.contains($0) == true }.map { ".\($0.rawValue)" }.joined(separator: ", ")
        let limit = own.isEmpty ? "" : ", ownRowsOnly: [\(own)]"
        return ActionPermission(action: action.rawValue, expression: "Permission(roles: [\(roles)]\(limit), scope: \"\(scope)\")")
    }

    private static func stringSet(_ keys: [String]) -> String {
        keys.map { "\"\($0)\"" }.joined(separator: ", ")
    }

    private static func docLines(_ text: String) -> [String] {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { String($0) }
    }

    private static func field(_ field: ResolvedField, column: Int) -> Field {
        let jsonWrite: String
        if case .decimal(_, let scale) = field.kind {
            jsonWrite = "buffer.writeJSONDecimal(\(field.swiftName), scale: \(scale))"
        } else {
            jsonWrite = "buffer.writeJSON(\(field.swiftName))"
        }
        return Field(
            name: field.name,
            property: field.swiftName,
            label: Naming.camelCase(field.name),
            propertyType: field.swiftType + (field.nullable ? "?" : ""),
            valueType: field.swiftType,
            nullable: field.nullable,
            column: column,
            codingKey: field.name.contains("_") ? "\(field.swiftName) = \"\(field.name)\"" : field.swiftName,
            jsonWrite: jsonWrite,
            fieldDocLines: field.spec.description.map(docLines),
            readRestricted: field.spec.readRoles != nil
        )
    }

    /// `FieldRules(readRoles: ["salary": [.owner]], writeRoles: [...])`; nil without rules.
    private static func fieldRules(_ resource: ResolvedResource) -> String? {
        func entries(_ rules: [(String, [Role])]) -> String {
            rules.map { name, roles in "\"\(name)\": [\(roles.sorted(by: >).map { ".\($0.rawValue)" }.joined(separator: ", "))]" }
                .joined(separator: ", ")
        }
        let read = resource.fields.compactMap { field in field.spec.readRoles.map { (field.name, $0.value) } }
        // A role that may not see a field may not write it either: it could learn it by guessing.
        let write = resource.fields.compactMap { field in (field.spec.writeRoles ?? field.spec.readRoles).map { (field.name, $0.value) } }
        guard !read.isEmpty || !write.isEmpty else { return nil }
        var arguments: [String] = []
        if !read.isEmpty { arguments.append("readRoles: [\(entries(read))]") }
        if !write.isEmpty { arguments.append("writeRoles: [\(entries(write))]") }
        return "FieldRules(\(arguments.joined(separator: ", ")))"
    }

    private static func enumTypes(_ resource: ResolvedResource) -> [EnumType] {
        resource.fields.compactMap { field in
            guard case .enumeration(let typeName, let values) = field.kind else { return nil }
            return EnumType(
                enumName: typeName,
                fieldName: field.name,
                cases: values.map { value in
                    let name = SwiftNames.enumCase(value)
                    return EnumType.Case(caseName: name == value ? name : "\(name) = \"\(value)\"")
                }
            )
        }
    }

    private static func checkArgument(_ field: ResolvedField) -> String {
        field.swiftCheck.map { ", check: \($0)" } ?? ""
    }

    private static func createField(_ field: ResolvedField) -> CreateField {
        var read = "reader.read(\"\(field.name)\", as: \(field.swiftType).self"
        if field.requiredOnCreate { read += ", required: true" }
        if field.nullable { read += ", nullable: true" }
        read += checkArgument(field) + ")"
        if let value = field.swiftDefault { read += " ?? \(value)" }
        return CreateField(
            property: field.swiftName,
            label: Naming.camelCase(field.name),
            propertyType: field.swiftType + (field.nullable ? "?" : ""),
            readCreate: read,
            initDefault: field.swiftDefault ?? (field.nullable ? "nil" : nil)
        )
    }

    private static func patchField(_ field: ResolvedField) -> PatchField {
        let type = field.swiftType
        if field.nullable {
            return PatchField(
                property: field.swiftName,
                patchType: "Patchable<\(type)>",
                readPatch: "reader.patch(\"\(field.name)\", as: \(type).self\(checkArgument(field)))",
                applyStatement: "patched.\(field.swiftName) = self.\(field.swiftName).applied(to: model.\(field.swiftName))"
            )
        }
        return PatchField(
            property: field.swiftName,
            patchType: "\(type)?",
            readPatch: "reader.read(\"\(field.name)\", as: \(type).self\(checkArgument(field)))",
            applyStatement: "if let value = self.\(field.swiftName) { patched.\(field.swiftName) = value }"
        )
    }
}
