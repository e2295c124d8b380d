import TrellisSpec

/// Turns validated specs into the resolved resource graph the emitters print.
public enum Resolver {
    public static func resolve(_ specs: [ResourceSpec]) -> [ResolvedResource] {
        var targets = Targets(tables: BuiltinResources.tables)
        for spec in specs {
            targets.tables[spec.name.value] = tableName(of: spec)
            targets.swiftNames[spec.name.value] = spec.swiftName?.value ?? spec.name.value
            if spec.tenancy == .org { targets.tenantResources.insert(spec.name.value) }
            if spec.softDelete { targets.softDeleted.insert(spec.name.value) }
        }
        var resources = specs.map { resolve($0, targets: targets) }
        for index in resources.indices {
            resources[index].children = children(of: resources[index], among: resources)
            resources[index].cascades = cascades(of: resources[index], among: resources)
        }
        return resources.sorted { $0.fileBase < $1.fileBase }
    }

    /// The soft-deleted children that hide with `parent`: refs with `on_delete: cascade`, both
    /// resources under soft delete and in an organization.
    private static func cascades(of parent: ResolvedResource, among resources: [ResolvedResource]) -> [ResolvedCascade] {
        guard parent.softDelete, parent.isTenant else { return [] }
        return resources.flatMap { child -> [ResolvedCascade] in
            guard child.softDelete, child.isTenant else { return [] }
            return child.fields.compactMap { field in
                guard let reference = field.reference, reference.resource == parent.name, reference.onDelete == .cascade else { return nil }
                return ResolvedCascade(resource: child.name, swiftName: child.swiftName, table: child.table, field: field.name)
            }
        }
    }

    /// The resources nested under `parent` (through a required ref), which `?include=` embeds by
    /// their table's name, unless that name is taken by a field or another include.
    private static func children(of parent: ResolvedResource, among resources: [ResolvedResource]) -> [ResolvedChild] {
        var taken = Set(parent.fields.map(\.name) + parent.includableFields.compactMap(\.includeName))
        var children: [ResolvedChild] = []
        for child in resources {
            for field in child.parentFields where field.reference?.resource == parent.name {
                guard taken.insert(child.table).inserted else { continue }
                children.append(ResolvedChild(name: child.table, resource: child.name, swiftName: child.swiftName, field: field.name))
            }
        }
        return children
    }

    /// `specs/tasks.yaml` for any path of that file (the build plugin passes absolute ones), so
    /// generated headers and test names read the same wherever the generator runs.
    static func displayPath(_ path: String) -> String {
        path.split(separator: "/").suffix(2).joined(separator: "/")
    }

    /// `specs/` for any path of the spec folder.
    static func displayDirectory(_ path: String) -> String {
        (path.split(separator: "/").last.map(String.init) ?? "specs") + "/"
    }

    static func tableName(of spec: ResourceSpec) -> String {
        spec.table?.value ?? Naming.plural(Naming.snakeCase(spec.name.value))
    }

    /// What a ref needs to know of the resource it points to.
    private struct Targets {
        var tables: [String: String]
        var swiftNames: [String: String] = [:]
        var tenantResources: Set<String> = []
        var softDeleted: Set<String> = []
    }

    private static func resolve(_ spec: ResourceSpec, targets: Targets) -> ResolvedResource {
        let table = tableName(of: spec)
        let swiftName = spec.swiftName?.value ?? spec.name.value
        let isTenant = spec.tenancy == .org
        let fields = spec.fields.map { field in
            resolve(field, in: swiftName, isTenant: isTenant, targets: targets)
        }
        var indexes: [ResolvedIndex] = []
        let predicate = spec.softDelete ? "deleted_at IS NULL" : nil
        let scope = isTenant ? ["org_id"] : []
        for field in fields where field.unique {
            indexes.append(ResolvedIndex(name: "\(table)_\(field.name)_key", columns: scope + [field.name], unique: true, predicate: predicate))
        }
        for field in fields where field.reference != nil && !field.unique {
            // Foreign keys are not indexed by PostgreSQL itself; cascades and joins need one.
            indexes.append(ResolvedIndex(name: "\(table)_\(field.name)_idx", columns: [field.name], unique: false, predicate: nil))
        }
        for index in spec.indexes {
            let columns = index.columns.map(\.value)
            let suffix = index.unique ? "key" : "idx"
            indexes.append(
                ResolvedIndex(
                    name: "\(table)_\(columns.joined(separator: "_"))_\(suffix)",
                    columns: index.unique ? scope + columns : columns, unique: index.unique,
                    predicate: index.unique ? predicate : nil
                )
            )
        }
        let sortKeys = spec.pagination.sort.map(\.value)
        let defaultSortKeys = spec.timestamps ? ["created_at"] : ["id"]
        let allSortKeys = sortKeys.isEmpty ? defaultSortKeys : sortKeys
        return ResolvedResource(
            name: spec.name.value,
            swiftName: swiftName,
            table: table,
            path: "/" + Naming.kebabCase(table),
            fileBase: GeneratedFileNames.base(ofSpec: spec.file),
            specFile: displayPath(spec.file),
            description: spec.description,
            isTenant: isTenant,
            softDelete: spec.softDelete,
            timestamps: spec.timestamps,
            fields: fields,
            indexes: indexes,
            pagination: ResolvedPagination(
                style: spec.pagination.style, defaultLimit: spec.pagination.defaultLimit, maxLimit: spec.pagination.maxLimit,
                sortKeys: allSortKeys, defaultSort: allSortKeys[0]
            ),
            permissions: spec.tenancy == .none
                ? spec.permissions.roles.filter { $0.key.isRead }.merging(Action.allCases.filter { !$0.isRead }.map { ($0, []) }) { kept, _ in kept }
                : spec.permissions.roles,
            platformAdminActions: spec.permissions.platformAdminActions(for: spec.tenancy),
            search: spec.search.map { ResolvedSearch(fields: $0.fields.map(\.value), language: $0.language.value) },
            location: spec.name.location,
            renamedFrom: spec.renamedFrom.map { old in
                Naming.isPascalCase(old.value) ? Naming.plural(Naming.snakeCase(old.value)) : old.value
            },
            dropped: Set(spec.dropped.map(\.value)),
            requiresIfMatch: spec.concurrency == .required,
            ownRows: spec.permissions.ownRows,
            ownerFieldName: spec.permissions.limitsToOwnRows || spec.actions.contains { !$0.ownRoles.isEmpty } ? spec.ownerField?.name.value : nil,
            actions: spec.actions.map { action in
                ResolvedAction(
                    name: action.name.value, description: action.description, roles: action.roles, ownRoles: action.ownRoles,
                    input: action.input.map { resolve($0, in: swiftName, isTenant: isTenant, targets: targets) }
                )
            }
        )
    }

    private static func resolve(
        _ field: FieldSpec, in swiftTypeName: String, isTenant: Bool, targets: Targets
    ) -> ResolvedField {
        let kind: ResolvedField.Kind
        var reference: ResolvedField.Reference?
        switch field.type {
        case .string: kind = .string
        case .text: kind = .text
        case .int32: kind = .int32
        case .int64: kind = .int64
        case .bool: kind = .bool
        case .uuid: kind = .uuid
        case .date: kind = .date
        case .datetime: kind = .datetime
        case .json: kind = .json
        case .decimal(let precision, let scale): kind = .decimal(precision: precision, scale: scale)
        case .enumeration(let values):
            kind = .enumeration(typeName: swiftTypeName + Naming.pascalCase(field.name.value), values: values)
        case .reference(let target, let onDelete):
            kind = .reference
            reference = ResolvedField.Reference(
                resource: target.value, swiftName: targets.swiftNames[target.value],
                table: targets.tables[target.value] ?? Naming.plural(Naming.snakeCase(target.value)),
                onDelete: onDelete, sameOrg: isTenant && targets.tenantResources.contains(target.value),
                softDeleted: targets.softDeleted.contains(target.value)
            )
        }
        return ResolvedField(
            name: field.name.value,
            swiftName: SwiftNames.property(field.name.value),
            spec: field,
            kind: kind,
            nullable: field.isNullable,
            immutable: field.immutable || field.setFrom != nil,
            setFrom: field.setFrom,
            unique: field.unique,
            reference: reference
        )
    }
}
