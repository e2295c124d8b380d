import TrellisSpec

/// A resource with every default applied and every name derived: what the emitters print.
public struct ResolvedResource: Sendable, Hashable {
    /// The API name (`Task`), used in the OpenAPI document and messages.
    public var name: String
    /// The Swift type name (`TaskItem` when `swift_name` is set, else `name`).
    public var swiftName: String
    public var table: String
    /// `/tasks`, relative to `/api/v1`.
    public var path: String
    /// The base of the output file names (`Tasks` for `specs/tasks.yaml`): see `GeneratedFileNames`.
    public var fileBase: String
    /// The spec's folder and file name (`specs/tasks.yaml`), for headers and messages.
    public var specFile: String
    public var description: String?
    public var isTenant: Bool
    public var softDelete: Bool
    public var timestamps: Bool
    public var fields: [ResolvedField]
    public var indexes: [ResolvedIndex]
    public var pagination: ResolvedPagination
    public var permissions: [Action: [Role]]
    /// The actions only platform administrators perform (the writes of a `tenancy: none` resource).
    public var platformAdminActions: Set<Action>
    /// `?q=` over these fields, when the spec has `search`.
    public var search: ResolvedSearch?
    /// The resources nested under this one, which `?include=` embeds (a few per row).
    public var children: [ResolvedChild] = []
    /// Where the spec names the resource (`resource:`), for diagnostics about its table.
    public var location: SourceLocation
    /// The table's previous name, from `renamed_from`.
    public var renamedFrom: String?
    /// Destructive changes the spec confirms: removed fields and `field.value` enum values.
    public var dropped: Set<String>
    /// Whether a PATCH, DELETE or restore must send `If-Match` (`concurrency: required`).
    public var requiresIfMatch: Bool = false
    /// The roles of each action that act only on rows they own (`{ member: own }`).
    public var ownRows: [Action: Set<Role>] = [:]
    /// The field that records a row's owner, when some role is limited to its own rows.
    public var ownerField: ResolvedField? {
        guard let name = ownerFieldName else { return nil }
        return fields.first { $0.name == name }
    }
    /// The name of ``ownerField``.
    public var ownerFieldName: String?
    /// The spec's custom actions.
    public var actions: [ResolvedAction] = []
    /// The children that hide and come back with a row (soft delete, `on_delete: cascade`).
    public var cascades: [ResolvedCascade] = []

    /// The columns the model selects, in decode order: id, the fields, the version, then timestamps.
    public var modelColumns: [String] {
        ["id"] + fields.map(\.name) + ["version"] + (timestamps ? ["created_at", "updated_at"] : [])
    }

    /// Refs a list may embed with `?include=`: those named `<name>_id`, embedded as `<name>`.
    public var includableFields: [ResolvedField] { fields.filter { $0.includeName != nil } }
    /// Required refs to another spec's resource: the resource also lives under that one's rows
    /// (`/projects/{id}/tasks`).
    public var parentFields: [ResolvedField] {
        fields.filter { $0.reference?.swiftName != nil && $0.spec.required && $0.setFrom == nil }
    }
    /// Fields the list may filter by.
    public var filterableFields: [ResolvedField] { fields.filter { !$0.spec.filters.isEmpty } }

    /// Fields a client writes on create (not set from the principal).
    public var writableFields: [ResolvedField] { fields.filter { $0.setFrom == nil } }
    /// Fields a PATCH may change.
    public var mutableFields: [ResolvedField] { fields.filter { $0.setFrom == nil && !$0.immutable } }
    /// Keys the server owns: a body that sends them gets 422.
    public var serverOwnedKeys: [String] {
        var keys = ["id"]
        if isTenant { keys.append("org_id") }
        keys.append("version")
        if timestamps { keys += ["created_at", "updated_at"] }
        if softDelete { keys.append("deleted_at") }
        return keys + fields.filter { $0.setFrom != nil }.map(\.name)
    }
}

/// One field, with its Swift, SQL and JSON shapes decided.
public struct ResolvedField: Sendable, Hashable {
    /// The JSON key and column name (`due_on`).
    public var name: String
    /// The Swift property name (`dueOn`), backticked when it is a keyword.
    public var swiftName: String
    public var spec: FieldSpec
    public var kind: Kind
    public var nullable: Bool
    public var immutable: Bool
    public var setFrom: SetFrom?
    public var unique: Bool
    /// For refs: the referenced table and whether both sides are tenant tables (composite key).
    public var reference: Reference?

    public enum Kind: Sendable, Hashable {
        case string, text, int32, int64, bool, uuid, date, datetime, json
        case decimal(precision: Int, scale: Int)
        /// A generated Swift enum, `typeName`, with these raw values.
        case enumeration(typeName: String, values: [String])
        case reference
    }

    /// The name `?include=` takes for a ref named `<name>_id` to a spec's resource or to a user:
    /// `<name>`.
    public var includeName: String? {
        guard let reference, reference.swiftName != nil || reference.resource == "User", name.hasSuffix("_id"), name.count > 3 else {
            return nil
        }
        return String(name.dropLast(3))
    }

    public struct Reference: Sendable, Hashable {
        public var resource: String
        /// The Swift name of the referenced spec resource; nil for a built-in one (User).
        public var swiftName: String?
        public var table: String
        public var onDelete: OnDelete
        /// Tenant to tenant: the foreign key includes `org_id`, so a row can only point into its own org.
        public var sameOrg: Bool
        /// The referenced resource is under soft delete: a ref may not name one of its deleted rows.
        public var softDeleted: Bool = false
    }
}

/// A resource nested under another through a required ref: `tasks` under a project.
public struct ResolvedChild: Sendable, Hashable {
    /// The include's name: the child's table (`tasks`).
    public var name: String
    public var resource: String
    public var swiftName: String
    /// The child's ref to the parent (`project_id`).
    public var field: String
}

/// Full-text search over some text fields, ranked.
public struct ResolvedSearch: Sendable, Hashable {
    public var fields: [String]
    public var language: String

    /// The `tsvector` the index holds and `?q=` matches: the fields' words, the first field's
    /// weighing most. The index and the query must spell it identically for the index to serve.
    public var document: String {
        let weights = ["A", "B", "C", "D"]
        return fields.enumerated().map { offset, field in
            "setweight(to_tsvector('\(language)', coalesce(\(field), '')), '\(weights[min(offset, 3)])')"
        }.joined(separator: " || ")
    }
}

public struct ResolvedIndex: Sendable, Hashable {
    public var name: String
    public var columns: [String]
    public var unique: Bool
    /// `deleted_at IS NULL` under soft delete for unique indexes.
    public var predicate: String?
}

public struct ResolvedPagination: Sendable, Hashable {
    public var style: PaginationStyle
    public var defaultLimit: Int
    public var maxLimit: Int
    public var sortKeys: [String]
    /// The default order: the first sort key, newest (largest) first.
    public var defaultSort: String
}

/// A custom action: `POST /api/v1/<resource>/{id}/<path>`, implemented by hand.
public struct ResolvedAction: Hashable, Sendable {
    public var name: String
    public var description: String?
    public var roles: [Role]
    public var ownRoles: Set<Role>
    public var input: [ResolvedField]

    /// The last path segment: the name in kebab case.
    public var path: String { Naming.kebabCase(name) }
}

/// Soft delete reaching children: a soft-deleted tenant resource whose ref to this soft-deleted
/// tenant resource says `on_delete: cascade`.
public struct ResolvedCascade: Sendable, Hashable {
    /// The child resource's name (`ArticleNote`).
    public var resource: String
    public var swiftName: String
    public var table: String
    /// The child's ref to the parent.
    public var field: String
}
