import TrellisSpec

/// The template context of one resource's generated tests (`spec-tests.swift`): what the spec
/// promises, decided here and printed by the template.
struct SpecTestsContext {
    struct Permission {
        var action: String
        var roles: String
    }

    struct InvalidCase {
        /// The field's name as a Swift string literal.
        var fieldLiteral: String
        /// The rule as a Swift string literal.
        var ruleLiteral: String
        /// The `InvalidValue.Input` expression.
        var input: String
    }

    /// Which checks the spec lets a role reach (a check that needs an action no role may perform
    /// is left out, and ``omitted`` says so).
    var canCreate: Bool
    var canList: Bool
    var canRead: Bool
    var checksSoftDelete: Bool
    var checksInput: Bool
    var checksTenancy: Bool
    var checksSharing: Bool
    var checksQuery: Bool
    var checksBodies: Bool
    /// Why a check is left out: one line each, printed as comments.
    var omitted: [String]

    var specFile: String
    var resourceName: String
    var suiteName: String
    var contractName: String
    /// Swift string literals of the contract's names.
    var nameLiteral: String
    var specFileLiteral: String
    var pathLiteral: String
    var tableLiteral: String
    var suiteTitleLiteral: String
    var tenancy: String
    var softDelete: Bool
    var requiresIfMatch: Bool
    var isTenant: Bool
    var isShared: Bool
    /// `FieldContract(...)` arguments, one per field.
    var fields: [String]
    var serverOwned: String
    var sortKeys: String
    var maxLimit: Int
    var permissions: [Permission]
    var readScope: String
    var writeScope: String
    var invalidValues: [InvalidCase]
    var hasInvalidValues: Bool
    /// `PermissionCell(...)` expressions: every role x every action the resource serves.
    var permissionCells: [String]
    /// `PermissionCell(...)` of every role limited to its own rows, for `limitsToOwnRows`.
    var ownCells: [String]
    var hasOwnCells: Bool
    /// The fields only some roles see, and those only some roles set, as Swift string literals.
    var readRuleFields: String
    var hasReadRuleFields: Bool
    var writeRuleFields: String
    var hasWriteRuleFields: Bool
    /// The children that hide with a row, as Swift string literals `"Child.ref_id"`.
    var cascadeChildren: String
    var hasCascades: Bool
    /// The names of the custom actions, as Swift string literals.
    var actionNames: String
    var hasActions: Bool
    /// `ScopeCell(...)` expressions.
    var scopeCells: [String]
    var hasScopeCells: Bool
    /// `"created_at", "-created_at", ...`
    var sorts: String
    /// References that must stay inside one organization.
    var sameOrganizationReferences: String
    var hasSameOrganizationReferences: Bool
    /// The contract's list features, as Swift arguments (`filters: [...]`), one per line.
    var listContract: [String]
    var hasListContract: Bool
    /// `FilterCase("due_on", .gte)` expressions: every filter the spec declares.
    var filterCases: String
    var hasFilterCases: Bool
    /// Refs to a user that accept `me`.
    var meFilters: String
    var hasMeFilters: Bool
    var includeNames: String
    var hasIncludes: Bool
    var parentFields: String
    var hasParents: Bool
    var checksSearch: Bool
    var childNames: String
    /// Refs to a resource under soft delete, which may not name a deleted row.
    var deletedReferences: String
    var hasDeletedReferences: Bool
    var hasChildren: Bool
    /// `.create, .update, ...`: the actions only platform administrators perform.
    var platformAdminActions: String
    var hasPlatformAdminActions: Bool
    var checksTrash: Bool

    init(_ resource: ResolvedResource) {
        specFile = resource.specFile
        resourceName = resource.name
        suiteName = "\(resource.swiftName)SpecTests"
        contractName = SwiftNames.property(Naming.snakeCase(resource.swiftName))
        nameLiteral = SwiftNames.stringLiteral(resource.name)
        specFileLiteral = SwiftNames.stringLiteral(resource.specFile)
        pathLiteral = SwiftNames.stringLiteral("/api/v1" + resource.path)
        tableLiteral = SwiftNames.stringLiteral(resource.table)
        suiteTitleLiteral = SwiftNames.stringLiteral("\(resource.name) (\(resource.specFile))")
        isTenant = resource.isTenant
        isShared = !resource.isTenant
        tenancy = resource.isTenant ? "organization" : "shared"
        softDelete = resource.softDelete
        requiresIfMatch = resource.requiresIfMatch
        fields = resource.fields.map(Self.fieldArguments)
        serverOwned = SwiftLiteral.strings(resource.serverOwnedKeys)
        sortKeys = SwiftLiteral.strings(resource.pagination.sortKeys)
        maxLimit = resource.pagination.maxLimit
        let actions = Action.allCases.filter { action in
            switch action {
            case .update: !resource.mutableFields.isEmpty
            case .restore: resource.softDelete
            default: true
            }
        }
        permissions = actions.map { action in
            Permission(action: action.rawValue, roles: (resource.permissions[action] ?? []).sorted(by: >).map { ".\($0.rawValue)" }.joined(separator: ", "))
        }
        let scopeName = String(resource.path.dropFirst())
        readScope = SwiftNames.stringLiteral("read:\(scopeName)")
        writeScope = SwiftNames.stringLiteral("write:\(scopeName)")
        invalidValues = resource.writableFields.flatMap { field in
            FixtureValues.invalidValues(for: field).map { invalid in
                InvalidCase(fieldLiteral: SwiftNames.stringLiteral(field.name), ruleLiteral: SwiftNames.stringLiteral(invalid.rule), input: Self.input(invalid.input))
            }
        }
        hasInvalidValues = !invalidValues.isEmpty
        ownCells = actions.flatMap { action in
            (resource.ownRows[action] ?? []).sorted(by: >).map { role in "PermissionCell(.\(role.rawValue), .\(action.rawValue), allowed: true)" }
        }
        hasOwnCells = resource.ownerField != nil && !ownCells.isEmpty
        let readRules = resource.fields.filter { $0.spec.readRoles != nil }.map { SwiftNames.stringLiteral($0.name) }
        readRuleFields = readRules.joined(separator: ", ")
        hasReadRuleFields = !readRules.isEmpty && !(resource.permissions[.read] ?? []).isEmpty
        let writeRules = resource.fields.filter { $0.spec.writeRoles != nil || $0.spec.readRoles != nil }.map { SwiftNames.stringLiteral($0.name) }
        writeRuleFields = writeRules.joined(separator: ", ")
        hasWriteRuleFields = !writeRules.isEmpty && !(resource.permissions[.create] ?? []).isEmpty
        self.cascadeChildren = resource.cascades.map { SwiftNames.stringLiteral("\($0.resource).\($0.field)") }.joined(separator: ", ")
        hasCascades = !resource.cascades.isEmpty && !(resource.permissions[.delete] ?? []).isEmpty
            && !(resource.permissions[.restore] ?? []).isEmpty
        actionNames = resource.actions.map { SwiftNames.stringLiteral($0.name) }.joined(separator: ", ")
        hasActions = !resource.actions.isEmpty
        permissionCells = actions.flatMap { action in
            Role.allCases.sorted(by: >).map { role in
                "PermissionCell(.\(role.rawValue), .\(action.rawValue), allowed: \((resource.permissions[action] ?? []).contains(role)))"
            }
        }
        let (read, write) = (readScope, writeScope)
        scopeCells = actions.flatMap { action -> [String] in
            let allowed = resource.permissions[action] ?? []
            let isRead = action == .list || action == .read
            var cells: [String] = []
            if !allowed.isEmpty {
                cells += [
                    "ScopeCell([\(read)], .\(action.rawValue), allowed: \(isRead))",
                    "ScopeCell([\(write)], .\(action.rawValue), allowed: \(!isRead))",
                    "ScopeCell([\"*\"], .\(action.rawValue), allowed: true)",
                ]
            }
            // A key of a member whose role the spec does not allow gets no further with `*`.
            if let refused = Role.allCases.sorted(by: >).first(where: { !allowed.contains($0) }) {
                cells.append("ScopeCell([\"*\"], .\(action.rawValue), by: .\(refused.rawValue), allowed: false)")
            }
            return cells
        }
        hasScopeCells = !scopeCells.isEmpty
        let can = { (action: Action) in
            !(resource.permissions[action] ?? []).isEmpty || resource.platformAdminActions.contains(action)
        }
        canCreate = can(.create)
        canList = can(.list)
        canRead = can(.read)
        checksSoftDelete = resource.softDelete && can(.delete) && can(.restore) && canRead && canList
        checksInput = canCreate
        checksTenancy = resource.isTenant && canRead
        checksSharing = !resource.isTenant && canRead && canList
        checksQuery = canList && canRead
        checksBodies = canCreate && canList
        var omitted: [String] = []
        let none = { (action: Action) in "no role may \(action.rawValue) \(resource.name)" }
        if !canCreate { omitted.append("\(none(.create)): its input checks cannot be reached (its rows are made in the table)") }
        if !canRead { omitted.append("\(none(.read)): no check reads rows back") }
        if !canList { omitted.append("\(none(.list)): pagination is not checked") }
        if resource.softDelete && !checksSoftDelete && canRead && canList {
            omitted.append("\(none(can(.delete) ? .restore : .delete)): soft delete is checked by the permission cells only")
        }
        self.omitted = omitted
        var sortCases = resource.pagination.sortKeys.flatMap { [$0, "-" + $0] }
        let sortKeys = resource.pagination.sortKeys
        if sortKeys.count >= 2 {
            // Two keys in opposite directions, a nullable one first where there is one.
            let nullable = sortKeys.first { key in resource.fields.contains { $0.name == key && $0.nullable } }
            let lead = nullable ?? sortKeys[1]
            if let next = sortKeys.first(where: { $0 != lead }) { sortCases.append("-\(lead),\(next)") }
        }
        sorts = sortCases.map(SwiftNames.stringLiteral).joined(separator: ", ")
        let references = resource.writableFields.filter { $0.reference?.sameOrg == true }.map(\.name)
        sameOrganizationReferences = references.map(SwiftNames.stringLiteral).joined(separator: ", ")
        hasSameOrganizationReferences = !references.isEmpty

        let filterable = resource.filterableFields
        let includable = resource.includableFields
        let parents = resource.parentFields
        var listContract: [String] = []
        if !filterable.isEmpty {
            let entries = filterable.map { field in
                "\(SwiftNames.stringLiteral(field.name)): [\(field.spec.filters.map { ".\(Naming.camelCase($0.rawValue))" }.joined(separator: ", "))]"
            }
            listContract.append("filters: [\(entries.joined(separator: ", "))]")
        }
        if let search = resource.search { listContract.append("searchFields: \(SwiftLiteral.strings(search.fields))") }
        if !includable.isEmpty {
            let entries = includable.compactMap { field in
                field.includeName.map { "\(SwiftNames.stringLiteral($0)): \(SwiftNames.stringLiteral(field.name))" }
            }
            listContract.append("includes: [\(entries.joined(separator: ", "))]")
        }
        if !parents.isEmpty {
            let entries = parents.compactMap { field in
                field.reference.map { "\(SwiftNames.stringLiteral(field.name)): \(SwiftNames.stringLiteral("/api/v1/" + Naming.kebabCase($0.table)))" }
            }
            listContract.append("parents: [\(entries.joined(separator: ", "))]")
        }
        let adminActions = actions.filter { resource.platformAdminActions.contains($0) }.map { ".\($0.rawValue)" }
        platformAdminActions = adminActions.joined(separator: ", ")
        hasPlatformAdminActions = !adminActions.isEmpty
        if !adminActions.isEmpty { listContract.append("platformAdminActions: [\(platformAdminActions)]") }
        if resource.pagination.style == .offset { listContract.append("offsetPages: true") }
        if !resource.children.isEmpty {
            let entries = resource.children.map { child in
                "\(SwiftNames.stringLiteral(child.name)): ChildInclude(\(SwiftNames.stringLiteral(child.resource)), through: \(SwiftNames.stringLiteral(child.field)))"
            }
            listContract.append("children: [\(entries.joined(separator: ", "))]")
        }
        if let owner = resource.ownerField {
            let entries = Action.allCases.compactMap { action -> String? in
                guard let roles = resource.ownRows[action], !roles.isEmpty else { return nil }
                return ".\(action.rawValue): [\(roles.sorted(by: >).map { ".\($0.rawValue)" }.joined(separator: ", "))]"
            }
            listContract.append((entries.isEmpty ? "" : "ownRows: [\(entries.joined(separator: ", "))], ") + "owner: \(SwiftNames.stringLiteral(owner.name))")
        }
        if !resource.actions.isEmpty {
            let entries = resource.actions.map { action in
                var arguments = [SwiftNames.stringLiteral(action.name), "path: \(SwiftNames.stringLiteral(action.path))"]
                arguments.append("roles: [\(action.roles.sorted(by: >).map { ".\($0.rawValue)" }.joined(separator: ", "))]")
                if !action.ownRoles.isEmpty {
                    arguments.append("ownRoles: [\(action.ownRoles.sorted(by: >).map { ".\($0.rawValue)" }.joined(separator: ", "))]")
                }
                if !action.input.isEmpty {
                    arguments.append("input: [\(action.input.map { "FieldContract(\(Self.fieldArguments($0)))" }.joined(separator: ", "))]")
                }
                return "ActionContract(\(arguments.joined(separator: ", ")))"
            }
            listContract.append("customActions: [\(entries.joined(separator: ", "))]")
        }
        if !resource.cascades.isEmpty {
            let entries = resource.cascades.map { SwiftNames.stringLiteral("\($0.resource).\($0.field)") }
            listContract.append("softDeleteCascades: [\(entries.joined(separator: ", "))]")
        }
        self.listContract = listContract.enumerated().map { offset, line in
            offset == listContract.count - 1 ? line : line + ","
        }
        hasListContract = !listContract.isEmpty
        let listing = canList && canCreate
        filterCases = filterable.flatMap { field in
            field.spec.filters.map { "FilterCase(\(SwiftNames.stringLiteral(field.name)), .\(Naming.camelCase($0.rawValue)))" }
        }.joined(separator: ",\n        ")
        hasFilterCases = listing && !filterable.isEmpty
        let me = filterable.filter { $0.listKind == ".userReference" && $0.spec.filters.contains(.eq) }.map { SwiftNames.stringLiteral($0.name) }
        meFilters = me.joined(separator: ", ")
        hasMeFilters = listing && !me.isEmpty
        includeNames = includable.compactMap(\.includeName).map(SwiftNames.stringLiteral).joined(separator: ", ")
        hasIncludes = listing && !includable.isEmpty
        parentFields = parents.map { SwiftNames.stringLiteral($0.name) }.joined(separator: ", ")
        hasParents = listing && !parents.isEmpty
        checksSearch = listing && resource.search != nil
        let deletedReferences = resource.writableFields.filter { $0.reference?.softDeleted == true }.map { SwiftNames.stringLiteral($0.name) }
        self.deletedReferences = deletedReferences.joined(separator: ", ")
        hasDeletedReferences = canCreate && !deletedReferences.isEmpty
        childNames = resource.children.map { SwiftNames.stringLiteral($0.name) }.joined(separator: ", ")
        hasChildren = listing && !resource.children.isEmpty
        checksTrash = listing && resource.softDelete && can(.delete) && can(.restore)
    }

    /// `"title", .string(), required: true, maxLength: 200, example: "Example title", alternate: ...`
    private static func fieldArguments(_ field: ResolvedField) -> String {
        var arguments = [SwiftNames.stringLiteral(field.name), kind(field)]
        if field.requiredOnCreate { arguments.append("required: true") }
        if field.nullable { arguments.append("nullable: true") }
        if field.immutable && field.setFrom == nil { arguments.append("immutable: true") }
        if field.setFrom != nil { arguments.append("setByServer: true") }
        if field.unique { arguments.append("unique: true") }
        if field.spec.sensitive { arguments.append("sensitive: true") }
        if let roles = field.spec.readRoles?.value { arguments.append("readRoles: [\(roles.sorted(by: >).map { ".\($0.rawValue)" }.joined(separator: ", "))]") }
        if let roles = (field.spec.writeRoles ?? field.spec.readRoles)?.value { arguments.append("writeRoles: [\(roles.sorted(by: >).map { ".\($0.rawValue)" }.joined(separator: ", "))]") }
        if let minimum = field.spec.minLength { arguments.append("minLength: \(minimum)") }
        if let maximum = field.effectiveMaxLength { arguments.append("maxLength: \(maximum)") }
        if let minimum = field.spec.minimum { arguments.append("minimum: \"\(minimum)\"") }
        if let maximum = field.spec.maximum { arguments.append("maximum: \"\(maximum)\"") }
        arguments.append("example: \(SwiftLiteral.json(FixtureValues.example(for: field)))")
        if !field.immutable, field.setFrom == nil, let alternate = FixtureValues.alternate(for: field) {
            arguments.append("alternate: \(SwiftLiteral.json(alternate))")
        }
        return arguments.joined(separator: ", ")
    }

    private static func kind(_ field: ResolvedField) -> String {
        switch field.kind {
        case .string: field.spec.format.map { ".string(format: .\($0.rawValue))" } ?? ".string()"
        case .text: ".text"
        case .int32: ".int32"
        case .int64: ".int64"
        case .decimal(let precision, let scale): ".decimal(precision: \(precision), scale: \(scale))"
        case .bool: ".bool"
        case .uuid: ".uuid"
        case .date: ".date"
        case .datetime: ".datetime"
        case .enumeration(_, let values): ".enumeration(\(SwiftLiteral.strings(values)))"
        case .json: ".json"
        case .reference:
            ".reference(to: \(SwiftNames.stringLiteral(field.reference?.resource ?? ""))"
                + (field.reference?.sameOrg == true ? ", sameOrganization: true)" : ")")
        }
    }

    private static func input(_ input: FixtureValues.Invalid.Input) -> String {
        switch input {
        case .missing: ".missing"
        case .null: ".null"
        case .duplicate: ".duplicate"
        case .value(.string(let text)) where text.count > 12 && text.allSatisfy({ $0 == "x" }): ".text(length: \(text.count))"
        case .value(let value):
            switch value {
            case .string, .integer, .bool: SwiftLiteral.json(value)
            default: ".value(\(SwiftLiteral.json(value)))"
            }
        }
    }
}

/// The template context of the file that ties a target's generated tests together
/// (`spec-tests-harness.swift`).
struct SpecHarnessContext {
    var specDirectory: String
    /// `.comment, .project, .taskItem`
    var contracts: String
}
