import Yams

/// Parses one spec file into a ``ResourceSpec``, reporting every problem it can find in one pass.
struct SpecParser {
    static let resourceKeys = [
        "resource", "swift_name", "table", "description", "tenancy", "soft_delete", "timestamps", "concurrency", "fields",
        "indexes", "pagination", "permissions", "owner", "actions", "search", "renamed_from", "dropped",
    ]
    static let fieldKeys = [
        "type", "description", "required", "default", "min", "max", "min_length", "max_length", "format",
        "unique", "immutable", "set_from", "values", "to", "on_delete", "precision", "scale", "renamed_from", "filter", "trigram",
        "sensitive", "read_roles", "write_roles",
    ]
    static let paginationKeys = ["style", "default_limit", "max_limit", "sort"]
    static let indexKeys = ["columns", "unique"]
    static let searchKeys = ["fields", "language"]
    static let actionKeys = ["roles", "input", "description"]

    private var reader: NodeReader

    init(file: String) {
        reader = NodeReader(file: file)
    }

    var diagnostics: [Diagnostic] { reader.diagnostics }

    /// Parses `yaml`; returns nil when the file is not a resource at all.
    mutating func parse(_ yaml: String) -> ResourceSpec? {
        switch reader.compose(yaml) {
        case .invalid:
            return nil
        case .empty:
            reader.error(
                at: SourceLocation(file: reader.file, line: 1, column: 1), "the spec file is empty",
                fix: "start it with `resource: Name` and a `fields:` mapping"
            )
            return nil
        case .document(let root):
            return parseResource(root)
        }
    }

    private mutating func parseResource(_ root: Node) -> ResourceSpec? {
        guard let entries = reader.entries(root, of: "a resource spec", allowed: Self.resourceKeys) else { return nil }
        guard let nameEntry = entries.first(where: { $0.key == "resource" }) else {
            reader.error(root, "missing 'resource'", fix: "add `resource: Name` (PascalCase, singular)")
            return nil
        }
        guard let name = locatedString(nameEntry.value, for: "resource") else { return nil }
        var spec = ResourceSpec(name: name, file: reader.file)
        var fieldsSeen = false
        for entry in entries {
            let value = entry.value
            switch entry.key {
            case "swift_name": spec.swiftName = locatedString(value, for: "swift_name")
            case "table": spec.table = locatedString(value, for: "table")
            case "description": spec.description = reader.string(value, for: "description")
            case "tenancy": spec.tenancy = reader.choice(value, for: "tenancy", as: Tenancy.self) ?? .org
            case "soft_delete": spec.softDelete = reader.bool(value, for: "soft_delete") ?? false
            case "timestamps": spec.timestamps = reader.bool(value, for: "timestamps") ?? true
            case "concurrency": spec.concurrency = reader.choice(value, for: "concurrency", as: ConcurrencyControl.self) ?? .optional
            case "fields":
                fieldsSeen = true
                spec.fields = parseFields(value)
            case "indexes": spec.indexes = parseIndexes(value)
            case "pagination": spec.pagination = parsePagination(value)
            case "permissions": spec.permissions = parsePermissions(value)
            case "owner": spec.owner = locatedString(value, for: "owner")
            case "actions": spec.actions = parseActions(value)
            case "search": spec.search = parseSearch(value)
            case "renamed_from": spec.renamedFrom = locatedString(value, for: "renamed_from")
            case "dropped": spec.dropped = reader.strings(value, for: "dropped") ?? []
            default: break
            }
        }
        if !fieldsSeen {
            reader.error(root, "missing 'fields'", fix: "add a `fields:` mapping with at least one field")
        }
        return spec
    }

    private mutating func locatedString(_ node: Node, for key: String) -> Located<String>? {
        reader.string(node, for: key).map { Located($0, at: reader.location(of: node)) }
    }

    // MARK: fields

    private mutating func parseFields(_ node: Node, what: String = "fields", allowEmpty: Bool = false) -> [FieldSpec] {
        guard case .mapping(let mapping) = node else {
            reader.error(node, "expected '\(what)' to be a mapping of field names to definitions")
            return []
        }
        var fields: [FieldSpec] = []
        var seen: Set<String> = []
        for (keyNode, value) in mapping {
            guard let name = locatedString(keyNode, for: "a field name") else { continue }
            guard seen.insert(name.value).inserted else {
                reader.error(keyNode, "duplicate field '\(name.value)'", fix: "rename or remove one of them")
                continue
            }
            if let field = parseField(name, value) { fields.append(field) }
        }
        if fields.isEmpty && !allowEmpty && reader.diagnostics.isEmpty {
            reader.error(node, "a resource needs at least one field")
        }
        return fields
    }

    private mutating func parseField(_ name: Located<String>, _ node: Node) -> FieldSpec? {
        let what = "field '\(name.value)'"
        guard let entries = reader.entries(node, of: what, allowed: Self.fieldKeys) else { return nil }
        func entry(_ key: String) -> NodeReader.Entry? { entries.first { $0.key == key } }

        guard let typeEntry = entry("type") else {
            reader.error(node, "\(what) has no 'type'", fix: "add `type:` with one of \(FieldType.names.joined(separator: ", "))")
            return nil
        }
        guard let typeName = reader.string(typeEntry.value, for: "type") else { return nil }
        guard let type = parseType(typeName, typeEntry.value, entries: entries, what: what) else { return nil }

        // Keys that only make sense for some types.
        let applicability: [(key: String, applies: Bool, types: String)] = [
            ("values", type.name == "enum", "enum"),
            ("to", type.name == "ref", "ref"),
            ("on_delete", type.name == "ref", "ref"),
            ("precision", type.name == "decimal", "decimal"),
            ("scale", type.name == "decimal", "decimal"),
            ("min", type.isInteger || type.name == "decimal", "int32, int64 and decimal"),
            ("max", type.isInteger || type.name == "decimal", "int32, int64 and decimal"),
            ("min_length", type.isTextual, "string and text"),
            ("max_length", type.isTextual, "string and text"),
            ("format", type == .string, "string"),
            ("trigram", type.isTextual, "string and text"),
        ]
        for rule in applicability where !rule.applies {
            if let misplaced = entry(rule.key) {
                reader.error(
                    at: misplaced.keyLocation, "'\(rule.key)' does not apply to \(what) of type \(type.name)",
                    fix: "'\(rule.key)' is for \(rule.types) fields; remove it or change the type"
                )
            }
        }

        var field = FieldSpec(name: name, type: type)
        for item in entries {
            let value = item.value
            switch item.key {
            case "description": field.description = reader.string(value, for: "description")
            case "required": field.required = reader.bool(value, for: "required") ?? false
            case "unique": field.unique = reader.bool(value, for: "unique") ?? false
            case "immutable": field.immutable = reader.bool(value, for: "immutable") ?? false
            case "min" where type.isInteger || type.name == "decimal": field.minimum = reader.integer(value, for: "min")
            case "max" where type.isInteger || type.name == "decimal": field.maximum = reader.integer(value, for: "max")
            case "min_length" where type.isTextual:
                field.minLength = reader.integer(value, for: "min_length", in: 0...1_048_576).map { Int($0) }
            case "max_length" where type.isTextual:
                field.maxLength = reader.integer(value, for: "max_length", in: 1...1_048_576).map { Int($0) }
            case "format" where type == .string: field.format = reader.choice(value, for: "format", as: StringFormat.self)
            case "set_from": field.setFrom = reader.choice(value, for: "set_from", as: SetFrom.self)
            case "default": field.defaultValue = parseDefault(value, type: type, what: what)
            case "renamed_from": field.renamedFrom = locatedString(value, for: "renamed_from")
            case "trigram" where type.isTextual: field.trigram = reader.bool(value, for: "trigram") ?? false
            case "sensitive": field.sensitive = reader.bool(value, for: "sensitive") ?? false
            case "read_roles": field.readRoles = roleList(value, for: "read_roles")
            case "write_roles": field.writeRoles = roleList(value, for: "write_roles")
            default: break
            }
        }
        if let filter = entry("filter") {
            field.filters = parseFilter(filter.value, type: type, nullable: field.isNullable, what: what)
        }
        if field.trigram, !field.filters.contains(.contains) && !field.filters.contains(.startsWith), let trigram = entry("trigram") {
            reader.error(
                at: trigram.keyLocation, "a trigram index serves the contains and starts_with filters, which \(what) does not have",
                fix: "add `filter: [contains]`, or remove 'trigram'"
            )
        }
        return field
    }

    /// `filter: true` (every operator that applies to the type) or a list of operators.
    private mutating func parseFilter(_ node: Node, type: FieldType, nullable: Bool, what: String) -> [FilterOperator] {
        let applicable = type.filterOperators(nullable: nullable)
        let names = applicable.map(\.rawValue).joined(separator: ", ")
        if applicable.isEmpty {
            reader.error(node, "\(what) of type \(type.name) cannot be filtered", fix: "remove 'filter'")
            return []
        }
        if case .scalar = node {
            return reader.bool(node, for: "filter") == true ? applicable : []
        }
        guard let given = reader.strings(node, for: "filter") else { return [] }
        var operators: [FilterOperator] = []
        for name in given {
            guard let filterOperator = FilterOperator(rawValue: name.value), applicable.contains(filterOperator) else {
                reader.error(
                    at: name.location, "'\(name.value)' is not a filter for \(what)",
                    fix: "use `filter: true` or some of: \(names)"
                )
                continue
            }
            if !operators.contains(filterOperator) { operators.append(filterOperator) }
        }
        return operators
    }

    private mutating func parseType(
        _ typeName: String, _ node: Node, entries: [NodeReader.Entry], what: String
    ) -> FieldType? {
        func entry(_ key: String) -> NodeReader.Entry? { entries.first { $0.key == key } }
        switch typeName {
        case "string": return .string
        case "text": return .text
        case "int32": return .int32
        case "int64": return .int64
        case "bool": return .bool
        case "uuid": return .uuid
        case "date": return .date
        case "datetime": return .datetime
        case "json": return .json
        case "decimal":
            let precision = entry("precision").flatMap { reader.integer($0.value, for: "precision", in: 1...1000) } ?? 18
            let scale = entry("scale").flatMap { reader.integer($0.value, for: "scale", in: 0...1000) } ?? 2
            if scale > precision, let node = entry("scale")?.value {
                reader.error(node, "scale \(scale) exceeds precision \(precision)", fix: "use a scale of at most \(precision)")
            }
            return .decimal(precision: Int(precision), scale: Int(min(scale, precision)))
        case "enum":
            guard let valuesEntry = entry("values") else {
                reader.error(node, "\(what) is an enum without 'values'", fix: "add `values: [a, b, c]`")
                return nil
            }
            guard let values = reader.strings(valuesEntry.value, for: "values") else { return nil }
            var seen: Set<String> = []
            for value in values {
                if !Naming.isSnakeCase(value.value) {
                    reader.error(
                        at: value.location, "enum value '\(value.value)' must be snake_case",
                        fix: "use '\(Naming.snakeCase(value.value))'"
                    )
                }
                if !seen.insert(value.value).inserted {
                    reader.error(at: value.location, "duplicate enum value '\(value.value)'")
                }
            }
            if values.isEmpty {
                reader.error(valuesEntry.value, "\(what) needs at least one enum value")
                return nil
            }
            return .enumeration(values: values.map(\.value))
        case "ref":
            guard let toEntry = entry("to"), let target = locatedString(toEntry.value, for: "to") else {
                if entry("to") == nil {
                    reader.error(node, "\(what) is a ref without 'to'", fix: "add `to: ResourceName`")
                }
                return nil
            }
            let onDelete = entry("on_delete").flatMap { reader.choice($0.value, for: "on_delete", as: OnDelete.self) }
            return .reference(to: target, onDelete: onDelete ?? .restrict)
        default:
            reader.error(node, "unknown type '\(typeName)' for \(what)", fix: Suggestions.fix(for: typeName, among: FieldType.names))
            return nil
        }
    }

    private mutating func parseDefault(_ node: Node, type: FieldType, what: String) -> Located<DefaultValue>? {
        let location = reader.location(of: node)
        guard case .scalar(let scalar) = node, !reader.isNull(scalar) else {
            reader.error(node, "expected a literal default for \(what), found \(reader.describe(node))")
            return nil
        }
        let text = scalar.string
        let value: DefaultValue?
        switch type {
        case .string, .text: value = .string(text)
        case .int32, .int64: value = Int64(text).map(DefaultValue.integer)
        case .bool: value = Bool.construct(from: scalar).map(DefaultValue.bool)
        case .decimal: value = Double(text) != nil ? .decimal(text) : nil
        case .enumeration(let values):
            guard values.contains(text) else {
                reader.error(node, "default '\(text)' is not one of the values of \(what)", fix: Suggestions.fix(for: text, among: values))
                return nil
            }
            value = .string(text)
        case .uuid, .date, .datetime, .json, .reference:
            reader.error(node, "\(what) of type \(type.name) cannot have a default", fix: "remove 'default' or set the value in a hook")
            return nil
        }
        guard let value else {
            reader.error(node, "default '\(text)' is not a valid \(type.name) for \(what)")
            return nil
        }
        return Located(value, at: location)
    }

    // MARK: indexes, pagination, permissions

    private mutating func parseIndexes(_ node: Node) -> [IndexSpec] {
        guard case .sequence(let sequence) = node else {
            reader.error(node, "expected 'indexes' to be a list, like [[project_id, status]]")
            return []
        }
        var indexes: [IndexSpec] = []
        for item in sequence {
            let location = reader.location(of: item)
            switch item {
            case .sequence:
                if let columns = reader.strings(item, for: "index columns") {
                    indexes.append(IndexSpec(columns: columns, location: location))
                }
            case .mapping:
                guard let entries = reader.entries(item, of: "an index", allowed: Self.indexKeys) else { continue }
                guard let columnsEntry = entries.first(where: { $0.key == "columns" }),
                    let columns = reader.strings(columnsEntry.value, for: "columns")
                else {
                    reader.error(item, "an index needs 'columns'", fix: "write `{ columns: [a, b], unique: true }`")
                    continue
                }
                let unique = entries.first { $0.key == "unique" }.flatMap { reader.bool($0.value, for: "unique") } ?? false
                indexes.append(IndexSpec(columns: columns, unique: unique, location: location))
            default:
                reader.error(item, "expected an index as a list of columns or `{ columns: [...], unique: true }`")
            }
        }
        return indexes
    }

    private mutating func parseSearch(_ node: Node) -> SearchSpec? {
        let location = reader.location(of: node)
        var language = Located("english", at: location)
        let fields: [Located<String>]
        switch node {
        case .sequence:
            fields = reader.strings(node, for: "search") ?? []
        default:
            guard let entries = reader.entries(node, of: "search", allowed: Self.searchKeys) else { return nil }
            guard let fieldsEntry = entries.first(where: { $0.key == "fields" }) else {
                reader.error(node, "search needs 'fields'", fix: "write `search: [name, description]`")
                return nil
            }
            fields = reader.strings(fieldsEntry.value, for: "fields") ?? []
            if let entry = entries.first(where: { $0.key == "language" }), let name = locatedString(entry.value, for: "language") {
                guard SearchSpec.languages.contains(name.value) else {
                    reader.error(entry.value, "unknown search language '\(name.value)'", fix: Suggestions.fix(for: name.value, among: SearchSpec.languages))
                    return nil
                }
                language = name
            }
        }
        if fields.isEmpty {
            reader.error(node, "search needs at least one field", fix: "write `search: [name, description]`")
            return nil
        }
        return SearchSpec(fields: fields, language: language, location: location)
    }

    private mutating func parsePagination(_ node: Node) -> PaginationSpec {
        var pagination = PaginationSpec()
        guard let entries = reader.entries(node, of: "pagination", allowed: Self.paginationKeys) else { return pagination }
        for entry in entries {
            switch entry.key {
            case "style":
                pagination.style = reader.choice(entry.value, for: "style", as: PaginationStyle.self) ?? .cursor
            case "default_limit":
                pagination.defaultLimit = reader.integer(entry.value, for: "default_limit", in: 1...1000).map { Int($0) } ?? 20
            case "max_limit":
                pagination.maxLimit = reader.integer(entry.value, for: "max_limit", in: 1...1000).map { Int($0) } ?? 100
            case "sort":
                pagination.sort = reader.strings(entry.value, for: "sort") ?? []
            default: break
            }
        }
        if pagination.defaultLimit > pagination.maxLimit {
            reader.error(
                node, "default_limit \(pagination.defaultLimit) exceeds max_limit \(pagination.maxLimit)",
                fix: "lower default_limit or raise max_limit"
            )
        }
        return pagination
    }

    private mutating func parsePermissions(_ node: Node) -> PermissionsSpec {
        let actions = Action.allCases.map(\.rawValue)
        guard let entries = reader.entries(node, of: "permissions", allowed: actions) else { return PermissionsSpec() }
        var roles: [Action: [Role]] = [:]
        var ownRows: [Action: Set<Role>] = [:]
        var locations: [Action: SourceLocation] = [:]
        var ownLocations: [Action: SourceLocation] = [:]
        for entry in entries {
            guard let action = Action(rawValue: entry.key), let list = parseRoles(entry.value, for: entry.key) else { continue }
            locations[action] = entry.keyLocation
            roles[action] = list.roles
            if !list.own.isEmpty { ownRows[action] = list.own }
            ownLocations[action] = list.ownLocation
        }
        return PermissionsSpec(roles: roles, ownRows: ownRows, locations: locations, ownLocations: ownLocations)
    }

    /// `[admin, owner]`: plain roles, for a field's `read_roles` and `write_roles`.
    private mutating func roleList(_ node: Node, for key: String) -> Located<[Role]>? {
        guard let names = reader.strings(node, for: key) else { return nil }
        let roles = names.compactMap { name -> Role? in
            if let role = Role(rawValue: name.value) { return role }
            reader.error(at: name.location, "unknown role '\(name.value)' in \(key)", fix: Suggestions.fix(for: name.value, among: Role.allCases.map(\.rawValue)))
            return nil
        }
        // A misspelt role is reported once: no "no role" error follows from dropping it.
        return roles.count == names.count ? Located(roles, at: reader.location(of: node)) : nil
    }

    /// A list of roles, each `member` or `{ member: own }` (the role acts only on the rows it owns).
    private mutating func parseRoles(_ node: Node, for key: String) -> (roles: [Role], own: Set<Role>, ownLocation: SourceLocation?)? {
        guard case .sequence(let items) = node else {
            _ = reader.strings(node, for: key)  // reports what was expected
            return nil
        }
        var roles: [Role] = []
        var own: Set<Role> = []
        var ownLocation: SourceLocation?
        for item in items {
            var nameNode = item
            var isOwn = false
            if case .mapping(let mapping) = item, mapping.count == 1, let (name, value) = mapping.first {
                guard reader.string(value, for: "an item of '\(key)'") == "own" else {
                    reader.error(value, "expected 'own' after the role in permissions.\(key)", fix: "write `{ \(name.string ?? "member"): own }`, or the role alone")
                    continue
                }
                nameNode = name
                isOwn = true
            }
            guard let name = reader.string(nameNode, for: "an item of '\(key)'") else { continue }
            guard let role = Role(rawValue: name) else {
                reader.error(nameNode, "unknown role '\(name)' in permissions.\(key)", fix: Suggestions.fix(for: name, among: Role.allCases.map(\.rawValue)))
                continue
            }
            roles.append(role)
            if isOwn {
                own.insert(role)
                ownLocation = ownLocation ?? reader.location(of: item)
            }
        }
        return (roles, own, ownLocation)
    }

    /// `actions: { archive: { roles: [admin, owner], input: { reason: { type: text } } } }`.
    private mutating func parseActions(_ node: Node) -> [ActionSpec] {
        guard case .mapping(let mapping) = node else {
            reader.error(node, "expected 'actions' to be a mapping of action names to definitions")
            return []
        }
        var actions: [ActionSpec] = []
        for (keyNode, value) in mapping {
            guard let name = locatedString(keyNode, for: "an action name") else { continue }
            var action = ActionSpec(name: name)
            // `archive:` alone (or `archive: {}`): the defaults.
            if case .scalar(let scalar) = value, reader.isNull(scalar) {
                actions.append(action)
                continue
            }
            guard let entries = reader.entries(value, of: "action '\(name.value)'", allowed: Self.actionKeys) else { continue }
            for entry in entries {
                switch entry.key {
                case "roles":
                    if let list = parseRoles(entry.value, for: "actions.\(name.value).roles") {
                        action.roles = list.roles
                        action.ownRoles = list.own
                        action.ownLocation = list.ownLocation
                    }
                case "input": action.input = parseFields(entry.value, what: "input", allowEmpty: true)
                case "description": action.description = reader.string(entry.value, for: "description")
                default: break
                }
            }
            actions.append(action)
        }
        return actions
    }
}
