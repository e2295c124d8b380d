/// Checks that need the whole set of specs (references, duplicates) or a whole resource
/// (sort keys, indexes, constraint ranges). Parsing has already checked each key's shape.
struct SpecValidator {
    private(set) var diagnostics: [Diagnostic] = []

    mutating func validate(_ specs: [ResourceSpec]) {
        var names: [String: SourceLocation] = [:]
        var tables: [String: SourceLocation] = [:]
        var swiftNames: [String: SourceLocation] = [:]
        for spec in specs {
            let name = spec.name
            if let first = names[name.value] {
                error(at: name.location, "resource '\(name.value)' is already defined at \(first)", fix: "rename one of them")
            }
            names[name.value] = name.location
            let table = spec.table?.value ?? Naming.plural(Naming.snakeCase(name.value))
            if let first = tables[table] {
                error(at: spec.table?.location ?? name.location, "table '\(table)' is already used by the resource at \(first)", fix: "set a different `table:`")
            }
            tables[table] = spec.table?.location ?? name.location
            if BuiltinResources.sqlReservedWords.contains(table) {
                error(
                    at: spec.table?.location ?? name.location, "table '\(table)' is a reserved word in PostgreSQL",
                    fix: "set another `table:`, e.g. '\(table)_records'"
                )
            }
            if BuiltinResources.reservedTables.contains(table) || BuiltinResources.reservedTables.contains(table.replacingOccurrences(of: "_", with: "-")) {
                error(
                    at: spec.table?.location ?? name.location, "table '\(table)' belongs to Trellis itself (accounts, sessions, keys, audit)",
                    fix: "set another `table:` or rename the resource"
                )
            }
            let swiftName = spec.swiftName?.value ?? name.value
            if let first = swiftNames[swiftName], names[swiftName] == nil || first != name.location {
                error(at: spec.swiftName?.location ?? name.location, "Swift type name '\(swiftName)' is already used at \(first)", fix: "set a different `swift_name:`")
            }
            swiftNames[swiftName] = spec.swiftName?.location ?? name.location
            validateResource(spec)
        }
        let known = Set(specs.map(\.name.value)).union(BuiltinResources.tables.keys)
        // `POST /projects/{id}/tasks` creates a task in a project: no action of projects may take that path.
        for spec in specs {
            let children = Set(specs.filter { child in
                child.fields.contains { field in
                    if case .reference(let target, _) = field.type { return target.value == spec.name.value }
                    return false
                }
            }.map { Naming.kebabCase($0.table?.value ?? Naming.plural(Naming.snakeCase($0.name.value))) })
            for action in spec.actions where children.contains(Naming.kebabCase(action.name.value)) {
                error(
                    at: action.name.location, "action '\(action.name.value)' would take the path of the \(action.name.value) nested under a \(spec.name.value)",
                    fix: "pick another name"
                )
            }
        }
        for spec in specs {
            for field in spec.fields {
                guard case .reference(let target, _) = field.type, !known.contains(target.value) else { continue }
                error(
                    at: target.location, "field '\(field.name.value)' refers to unknown resource '\(target.value)'",
                    fix: Suggestions.fix(for: target.value, among: known.sorted())
                )
            }
        }
    }

    /// The query parameters of every list, which a filter named like a field would shadow.
    static let listParameters: Set<String> = ["limit", "cursor", "page", "per_page", "sort", "q", "include", "deleted", "count"]

    private mutating func error(at location: SourceLocation, _ message: String, fix: String? = nil) {
        diagnostics.append(Diagnostic(at: location, message, fix: fix))
    }

    private mutating func validateResource(_ spec: ResourceSpec) {
        let name = spec.name
        if !Naming.isPascalCase(name.value) {
            error(at: name.location, "resource name '\(name.value)' must be PascalCase", fix: "use '\(Naming.pascalCase(Naming.snakeCase(name.value)))'")
        }
        if BuiltinResources.tables[name.value] != nil {
            error(at: name.location, "'\(name.value)' is built into Trellis and cannot be redefined", fix: "reference it with `type: ref, to: \(name.value)`, or pick another name")
        } else if let swiftName = spec.swiftName {
            if !Naming.isPascalCase(swiftName.value) {
                error(at: swiftName.location, "swift_name '\(swiftName.value)' must be PascalCase")
            } else if BuiltinResources.reservedTypeNames.contains(swiftName.value) {
                error(at: swiftName.location, "swift_name '\(swiftName.value)' would shadow a standard type", fix: "pick a name like '\(name.value)Item'")
            }
        } else if BuiltinResources.reservedTypeNames.contains(name.value) {
            error(
                at: name.location, "resource '\(name.value)' would shadow Swift's '\(name.value)' type in every module that imports it",
                fix: "add `swift_name: \(name.value)Item` (the API keeps the name '\(name.value)')"
            )
        }
        let tableName = spec.table?.value ?? Naming.plural(Naming.snakeCase(name.value))
        if tableName.utf8.count > 40 {
            error(
                at: spec.table?.location ?? name.location, "table '\(tableName)' is longer than 40 characters",
                fix: "set a shorter `table:`; PostgreSQL cuts names at 63 bytes, and the names of indexes and statements add to it"
            )
        }
        if let table = spec.table, !Naming.isSnakeCase(table.value) {
            error(at: table.location, "table '\(table.value)' must be snake_case", fix: "use '\(Naming.snakeCase(table.value))'")
        }
        for field in spec.fields { validateField(field, in: spec) }
        validateSort(spec)
        validateSearch(spec)
        validateSharedPermissions(spec)
        validateOwnership(spec)
        validateActions(spec)
        validateFieldRules(spec)
        validateEvolution(spec)
        let columns = Set(spec.fields.map(\.name.value)).union(columnsAdded(by: spec))
        for index in spec.indexes {
            if index.columns.isEmpty { error(at: index.location, "an index needs at least one column") }
            for column in index.columns where !columns.contains(column.value) {
                error(at: column.location, "index column '\(column.value)' is not a column of \(name.value)", fix: Suggestions.fix(for: column.value, among: columns.sorted()))
            }
        }
    }

    /// `{ role: own }` needs a field that records the row's owner, set by the server; it makes no
    /// sense on create (a new row is always its creator's) or on rows every organization shares.
    private mutating func validateOwnership(_ spec: ResourceSpec) {
        let permissions = spec.permissions
        if let location = permissions.ownLocations[.create] {
            error(at: location, "a created row is always its creator's own, so create cannot be limited to own rows", fix: "list the role without `own`")
        }
        if let owner = spec.owner {
            guard let field = spec.fields.first(where: { $0.name.value == owner.value }) else {
                error(at: owner.location, "owner '\(owner.value)' is not a field of \(spec.name.value)", fix: Suggestions.fix(for: owner.value, among: spec.fields.map(\.name.value)))
                return
            }
            if field.setFrom != .principalUser {
                error(
                    at: owner.location, "owner '\(owner.value)' must be set by the server to the creating user",
                    fix: "define it as `{ type: ref, to: User, set_from: principal.user }`: a field the client sets would let anyone claim a row"
                )
            }
        }
        // A role that reads only its own rows must list only those too: a list shows whole rows.
        let readOwn = permissions.ownRows[.read] ?? []
        for role in permissions.allowed(.list) where readOwn.contains(role) && permissions.ownRows[.list]?.contains(role) != true {
            error(
                at: permissions.locations[.list] ?? permissions.ownLocations[.read] ?? spec.name.location,
                "a \(role.rawValue) reads only its own rows, but lists every row", fix: "write `{ \(role.rawValue): own }` in list too"
            )
        }
        let ownLocations = Array(permissions.ownLocations.values) + spec.actions.compactMap(\.ownLocation)
        guard let location = ownLocations.min() else { return }
        if spec.tenancy == .none {
            error(at: location, "a tenancy: none resource's rows belong to no one, so no role can be limited to its own", fix: "remove `own`")
        } else if spec.owner == nil, spec.ownerField == nil {
            let candidates = spec.fields.filter { $0.setFrom == .principalUser }.map(\.name.value)
            error(
                at: location, candidates.isEmpty ? "`own` needs a field recording each row's owner, and \(spec.name.value) has none" : "`own` needs to know which of \(candidates.joined(separator: ", ")) records the owner",
                fix: candidates.isEmpty ? "add a field `author_id: { type: ref, to: User, set_from: principal.user }`" : "add `owner: \(candidates[0])`"
            )
        }
    }

    /// `read_roles` and `write_roles` name roles; a field no role may see, or one the server sets,
    /// makes no sense; a searched field must be visible to every reader (a match would reveal it).
    private mutating func validateFieldRules(_ spec: ResourceSpec) {
        for field in spec.fields {
            let name = field.name.value
            if let readRoles = field.readRoles {
                if readRoles.value.isEmpty {
                    error(at: readRoles.location, "field '\(name)' has no role in read_roles, so no one would ever see it", fix: "name the roles that may, or remove the field")
                }
                if spec.search?.fields.contains(where: { $0.value == name }) == true {
                    error(at: readRoles.location, "field '\(name)' is searched, so `?q=` would reveal it to roles read_roles leaves out", fix: "remove it from `search`, or remove read_roles")
                }
                if spec.ownerField?.name.value == name, spec.permissions.limitsToOwnRows {
                    error(at: readRoles.location, "field '\(name)' records rows' owners, which every reader must see", fix: "remove read_roles")
                }
                if case .reference = field.type {
                    error(
                        at: readRoles.location, "ref '\(name)' cannot have read_roles: `include` and nested routes would show what it points to",
                        fix: "remove read_roles"
                    )
                }
                if spec.pagination.sort.first?.value == name {
                    error(
                        at: readRoles.location, "field '\(name)' is the default sort, so every list would order rows by a value some readers may not see",
                        fix: "put another key first in `pagination.sort`"
                    )
                }
                if let writeRoles = field.writeRoles, let role = Set(writeRoles.value).subtracting(readRoles.value).sorted(by: >).first {
                    error(
                        at: writeRoles.location,
                        "\(role == .owner || role == .admin ? "an" : "a") \(role.rawValue) may set field '\(name)' but not see it, and could learn it by writing guesses",
                        fix: "keep write_roles among read_roles"
                    )
                }
            }
            if let writeRoles = field.writeRoles {
                if field.setFrom != nil {
                    error(at: writeRoles.location, "field '\(name)' is set by the server, so no role writes it", fix: "remove write_roles")
                } else if writeRoles.value.isEmpty {
                    error(at: writeRoles.location, "field '\(name)' has no role in write_roles", fix: "name the roles that may set it, or make it `immutable`")
                }
                if field.required, field.defaultValue == nil, !writeRoles.value.isEmpty {
                    let creators = Set(spec.permissions.allowed(.create)).subtracting(writeRoles.value)
                    if let role = creators.sorted(by: >).first {
                        error(
                            at: writeRoles.location, "field '\(name)' is required, but a \(role.rawValue) may create a \(spec.name.value) and not set it",
                            fix: "give it a `default`, or let the same roles create"
                        )
                    }
                }
            }
        }
    }

    /// Names an action may not take: CRUD's operations and audit actions, and words Swift reserves
    /// (an action is a method).
    static let reservedActionNames: Set<String> = [
        "list", "read", "get", "create", "update", "delete", "created", "updated", "deleted", "restored",
        "return", "import", "repeat", "func", "class", "struct", "enum", "protocol", "extension", "init", "deinit", "self", "super",
        "throw", "throws", "try", "catch", "switch", "case", "default", "if", "else", "guard", "while", "for", "in", "do", "break",
        "continue", "fallthrough", "where", "is", "as", "let", "var", "static", "public", "private", "internal", "operator", "subscript",
        "associatedtype", "typealias", "inout", "defer", "nil", "true", "false", "await", "async",
    ]

    /// Action names become paths and Swift methods; their input is a flat body of scalar fields.
    private mutating func validateActions(_ spec: ResourceSpec) {
        for action in spec.actions {
            let name = action.name
            if !Naming.isSnakeCase(name.value) || name.value.utf8.count > 40 {
                error(at: name.location, "action name '\(name.value)' must be snake_case, at most 40 characters", fix: "use '\(Naming.snakeCase(name.value))'")
            }
            if name.value == "restore" {
                error(at: name.location, "'restore' is the built-in action of soft delete", fix: "pick another name, or use `soft_delete: true`")
            } else if Self.reservedActionNames.contains(name.value) {
                error(
                    at: name.location, "action name '\(name.value)' is taken by the built-in operations or their audit actions",
                    fix: "pick a verb of your domain, like archive or approve"
                )
            }
            if spec.tenancy == .none {
                error(at: name.location, "a tenancy: none resource's rows are every organization's, so no organization role may act on them", fix: "remove the action")
            }
            if action.roles.isEmpty {
                error(at: name.location, "no role may perform action '\(name.value)'", fix: "give it `roles: [admin, owner]`, or remove it")
            }
            for field in action.input {
                let what = "input field '\(field.name.value)' of action '\(name.value)'"
                switch field.type {
                case .reference, .json, .enumeration:
                    error(at: field.name.location, "\(what) is of type \(field.type.name), which action input does not take yet", fix: "use a string (or a uuid, for an id) and check it in the action")
                default:
                    break
                }
                let unfit = [
                    (field.readRoles != nil, "read_roles"), (field.writeRoles != nil, "write_roles"),
                    (field.unique, "unique"), (field.immutable, "immutable"), (field.setFrom != nil, "set_from"), (!field.filters.isEmpty, "filter"),
                    (field.trigram, "trigram"), (field.sensitive, "sensitive"), (field.renamedFrom != nil, "renamed_from"),
                ]
                for (present, key) in unfit where present {
                    error(at: field.name.location, "\(what) cannot be '\(key)': it is a request body, not a column", fix: "remove '\(key)'")
                }
                if !Naming.isSnakeCase(field.name.value) {
                    error(at: field.name.location, "\(what) must be snake_case", fix: "use '\(Naming.snakeCase(field.name.value))'")
                }
            }
        }
    }

    /// `renamed_from` and `dropped` name things that no longer exist in the spec.
    private mutating func validateEvolution(_ spec: ResourceSpec) {
        let fieldNames = Set(spec.fields.map(\.name.value))
        if let old = spec.renamedFrom {
            if !Naming.isPascalCase(old.value) && !Naming.isSnakeCase(old.value) {
                error(at: old.location, "renamed_from '\(old.value)' must be the previous resource name (PascalCase) or table (snake_case)")
            } else if old.value == spec.name.value || old.value == (spec.table?.value ?? Naming.plural(Naming.snakeCase(spec.name.value))) {
                error(at: old.location, "renamed_from names the resource itself", fix: "remove `renamed_from`, or give the previous name")
            }
        }
        var renamedFrom: [String: SourceLocation] = [:]
        for field in spec.fields {
            guard let old = field.renamedFrom else { continue }
            if !Naming.isSnakeCase(old.value) {
                error(at: old.location, "renamed_from '\(old.value)' must be the previous field name (snake_case)")
            } else if fieldNames.contains(old.value) {
                error(at: old.location, "field '\(field.name.value)' is renamed from '\(old.value)', which is still a field", fix: "remove one of them, or drop `renamed_from`")
            } else if let first = renamedFrom[old.value] {
                error(at: old.location, "two fields are renamed from '\(old.value)' (the other at \(first))")
            }
            renamedFrom[old.value] = old.location
        }
        for entry in spec.dropped {
            let parts = entry.value.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            guard (1...2).contains(parts.count), parts.allSatisfy(Naming.isSnakeCase) else {
                error(at: entry.location, "dropped entry '\(entry.value)' must be a removed field (`legacy`) or a removed enum value (`status.blocked`)")
                continue
            }
            if parts.count == 1, fieldNames.contains(parts[0]) {
                error(at: entry.location, "'\(parts[0])' is listed in `dropped` but is still a field", fix: "remove it from `dropped`, or remove the field")
            }
            if parts.count == 2 {
                let field = spec.fields.first { $0.name.value == parts[0] }
                guard case .enumeration(let values)? = field?.type else {
                    error(at: entry.location, "'\(parts[0])' in dropped entry '\(entry.value)' is not an enum field of \(spec.name.value)")
                    continue
                }
                if values.contains(parts[1]) {
                    error(at: entry.location, "'\(parts[1])' is listed in `dropped` but is still a value of '\(parts[0])'", fix: "remove it from `dropped`, or from `values`")
                }
            }
        }
    }

    private func columnsAdded(by spec: ResourceSpec) -> [String] {
        var columns = ["id"]
        if spec.tenancy == .org { columns.append("org_id") }
        columns.append("version")
        if spec.timestamps { columns += ["created_at", "updated_at"] }
        if spec.softDelete { columns.append("deleted_at") }
        return columns
    }

    private mutating func validateField(_ field: FieldSpec, in spec: ResourceSpec) {
        let name = field.name
        if !Naming.isSnakeCase(name.value) {
            error(at: name.location, "field name '\(name.value)' must be snake_case", fix: "use '\(Naming.snakeCase(name.value))'")
        }
        if name.value == "version" {
            // An app's own `version` (of a document, of a release) would lose its values if removed.
            error(
                at: name.location, "'version' is the row's version, which the server manages (its ETag)",
                fix: "rename the field, e.g. 'app_version', with `renamed_from: version` on it if the table has the column already"
            )
        } else if BuiltinResources.serverColumns.contains(name.value) {
            error(at: name.location, "'\(name.value)' is a column the server manages", fix: "remove the field; every resource has it already")
        }
        if BuiltinResources.reservedFieldNames.contains(name.value) {
            error(at: name.location, "'\(name.value)' is a name the generated code uses", fix: "rename the field, e.g. '\(name.value)_name'")
        }
        if BuiltinResources.sqlReservedWords.contains(name.value) {
            error(
                at: name.location, "field name '\(name.value)' is a reserved word in PostgreSQL, so it cannot name a column",
                fix: "rename the field, e.g. '\(name.value)_value' or '\(Naming.snakeCase(spec.name.value))_\(name.value)'"
            )
        }
        if !field.filters.isEmpty, Self.listParameters.contains(name.value) {
            error(
                at: name.location, "field '\(name.value)' cannot be filtered: `?\(name.value)=` is a list parameter already",
                fix: "rename the field, e.g. '\(Naming.snakeCase(spec.name.value))_\(name.value)', or remove 'filter'"
            )
        }
        if case .reference = field.type, name.value.hasSuffix("_id"),
            let clash = spec.fields.first(where: { $0.name.value == String(name.value.dropLast(3)) })
        {
            error(
                at: clash.name.location, "field '\(clash.name.value)' has the name `?include=` gives the ref '\(name.value)'",
                fix: "rename one of them"
            )
        }
        if let minimum = field.minimum, let maximum = field.maximum, minimum > maximum {
            error(at: name.location, "field '\(name.value)' has min \(minimum) above max \(maximum)")
        }
        if field.type == .int32 {
            for bound in [field.minimum, field.maximum].compactMap({ $0 }) where Int64(Int32.min) > bound || bound > Int64(Int32.max) {
                error(at: name.location, "bound \(bound) of int32 field '\(name.value)' is outside the int32 range", fix: "use type int64")
            }
        }
        if let minLength = field.minLength, let maxLength = field.maxLength, minLength > maxLength {
            error(at: name.location, "field '\(name.value)' has min_length \(minLength) above max_length \(maxLength)")
        }
        if let value = field.defaultValue { validateDefault(value, of: field) }
        if field.setFrom == .principalUser {
            let fits: Bool
            switch field.type {
            case .uuid: fits = true
            case .reference(let target, _): fits = target.value == "User"
            default: fits = false
            }
            if !fits {
                error(at: name.location, "set_from: principal.user needs a field of type uuid or a ref to User", fix: "use `type: ref, to: User`")
            }
            if field.defaultValue != nil {
                error(at: name.location, "field '\(name.value)' is set from the principal and cannot have a default")
            }
        }
        if case .reference(_, .setNull) = field.type, field.required {
            error(at: name.location, "required field '\(name.value)' cannot use on_delete: set_null", fix: "use on_delete: cascade or restrict, or make it optional")
        }
        if field.unique, field.type == .json || field.type == .bool {
            error(at: name.location, "a \(field.type.name) field cannot be unique")
        }
    }

    private mutating func validateDefault(_ value: Located<DefaultValue>, of field: FieldSpec) {
        let what = "default of '\(field.name.value)'"
        switch value.value {
        case .integer(let number):
            if let minimum = field.minimum, number < minimum { error(at: value.location, "\(what) is below min \(minimum)") }
            if let maximum = field.maximum, number > maximum { error(at: value.location, "\(what) is above max \(maximum)") }
            if field.type == .int32, Int32(exactly: number) == nil { error(at: value.location, "\(what) is outside the int32 range") }
        case .string(let text):
            if let minLength = field.minLength, text.count < minLength { error(at: value.location, "\(what) is shorter than min_length \(minLength)") }
            if let maxLength = field.maxLength, text.count > maxLength { error(at: value.location, "\(what) is longer than max_length \(maxLength)") }
        case .decimal, .bool: break
        }
    }

    /// Roles cannot write what every organization shares: the owner of one organization would
    /// change another's data.
    private mutating func validateSharedPermissions(_ spec: ResourceSpec) {
        guard spec.tenancy == .none else { return }
        for action in Action.allCases where !action.isRead {
            guard let location = spec.permissions.locations[action], !spec.permissions.allowed(action).isEmpty else { continue }
            error(
                at: location, "a tenancy: none resource is shared by every organization, so no organization role may \(action.rawValue) it",
                fix: "remove `\(action.rawValue)` (platform administrators may, granted with `Server platform-admin grant`), or write `\(action.rawValue): []` so that no one may"
            )
        }
    }

    private mutating func validateSearch(_ spec: ResourceSpec) {
        guard let search = spec.search else { return }
        var seen: Set<String> = []
        for name in search.fields {
            guard let field = spec.fields.first(where: { $0.name.value == name.value }) else {
                error(at: name.location, "search field '\(name.value)' is not a field of \(spec.name.value)", fix: Suggestions.fix(for: name.value, among: spec.fields.map(\.name.value)))
                continue
            }
            if !field.type.isTextual {
                error(at: name.location, "search field '\(name.value)' is a \(field.type.name); only string and text fields can be searched")
            }
            if !seen.insert(name.value).inserted {
                error(at: name.location, "search field '\(name.value)' is listed twice")
            }
        }
    }

    private mutating func validateSort(_ spec: ResourceSpec) {
        let fieldsByName = Dictionary(spec.fields.map { ($0.name.value, $0) }, uniquingKeysWith: { first, _ in first })
        let builtin = spec.timestamps ? ["id", "created_at", "updated_at"] : ["id"]
        for key in spec.pagination.sort {
            if builtin.contains(key.value) { continue }
            guard let field = fieldsByName[key.value] else {
                error(at: key.location, "sort key '\(key.value)' is not a column of \(spec.name.value)", fix: Suggestions.fix(for: key.value, among: builtin + fieldsByName.keys.sorted()))
                continue
            }
            switch field.type {
            case .json, .bool, .text:
                error(at: key.location, "a \(field.type.name) field cannot be a sort key")
            default: break
            }
        }
    }
}
