import Trellis

/// What one spec promises about its resource, as its generated tests check it over HTTP.
///
/// The generator writes one per spec (`ResourceContract.taskItem` for `specs/tasks.yaml`), from
/// the spec alone: it does not look at the code the routes were generated into, so the tests keep
/// judging the routes while that code changes.
public struct ResourceContract: Sendable {
    /// Who shares the rows.
    public enum Tenancy: Sendable, Hashable {
        /// Every row belongs to one organization; others answer as if it did not exist.
        case organization
        /// One table for every organization (`tenancy: none`).
        case shared
    }

    /// The API name (`Task`).
    public var name: String
    /// The spec the contract comes from (`specs/tasks.yaml`), for failure messages.
    public var specFile: String
    /// The collection's path (`/api/v1/tasks`).
    public var path: String
    public var table: String
    public var tenancy: Tenancy
    /// Whether DELETE hides rows (`deleted_at`) and `POST {path}/{id}/restore` brings them back.
    public var softDelete: Bool
    /// Whether a PATCH, DELETE or restore without `If-Match` answers 428 (`concurrency: required`).
    public var requiresIfMatch: Bool
    /// The fields, in spec order.
    public var fields: [FieldContract]
    /// Keys the server writes; a body that sends one is refused.
    public var serverOwned: [String]
    /// The keys a list may be sorted by (`?sort=key` or `?sort=-key`).
    public var sortKeys: [String]
    /// The largest `limit` a list accepts.
    public var maxLimit: Int
    /// The roles allowed each action.
    public var permissions: [ResourceAction: Set<Role>]
    /// The scope an API key needs for `list` and `read` (`read:tasks`).
    public var readScope: String
    /// The scope an API key needs for every other action (`write:tasks`).
    public var writeScope: String
    /// The operators each filterable field accepts (`?due_on__gte=`).
    public var filters: [String: [FilterOperator]]
    /// The fields `?q=` searches.
    public var searchFields: [String]
    /// The relations `?include=` embeds, by name, with the ref field each follows.
    public var includes: [String: String]
    /// The refs the resource is nested under, with the parent's collection path
    /// (`project_id` -> `/api/v1/projects`, for `/api/v1/projects/{id}/tasks`).
    public var parents: [String: String]
    /// The actions only platform administrators may perform (the writes of a shared resource).
    public var platformAdminActions: Set<ResourceAction>
    /// Numbered pages (`?page=&per_page=`, `meta.total`) rather than cursors.
    public var offsetPages: Bool
    /// The resources nested under this one that `?include=` embeds, by include name.
    public var children: [String: ChildInclude]
    /// The roles of each action limited to the rows they own (`{ member: own }`).
    public var ownRows: [ResourceAction: Set<Role>]
    /// The field naming a row's owner, when some role is limited to its own rows.
    public var owner: String?
    /// The spec's custom actions.
    public var customActions: [ActionContract]
    /// The soft-deleted children that hide and come back with a row: `Child.ref_id` (the child
    /// resource and its ref to this one).
    public var softDeleteCascades: [String]

    public init(
        name: String, specFile: String, path: String, table: String, tenancy: Tenancy, softDelete: Bool,
        requiresIfMatch: Bool = false, fields: [FieldContract], serverOwned: [String], sortKeys: [String], maxLimit: Int,
        permissions: [ResourceAction: Set<Role>], readScope: String, writeScope: String,
        filters: [String: [FilterOperator]] = [:], searchFields: [String] = [], includes: [String: String] = [:],
        parents: [String: String] = [:], platformAdminActions: Set<ResourceAction> = [], offsetPages: Bool = false,
        children: [String: ChildInclude] = [:], ownRows: [ResourceAction: Set<Role>] = [:], owner: String? = nil,
        customActions: [ActionContract] = [], softDeleteCascades: [String] = []
    ) {
        self.customActions = customActions
        self.softDeleteCascades = softDeleteCascades
        self.children = children
        self.ownRows = ownRows
        self.owner = owner
        self.offsetPages = offsetPages
        self.platformAdminActions = platformAdminActions
        self.filters = filters
        self.searchFields = searchFields
        self.includes = includes
        self.parents = parents
        self.name = name
        self.specFile = specFile
        self.path = path
        self.table = table
        self.tenancy = tenancy
        self.softDelete = softDelete
        self.requiresIfMatch = requiresIfMatch
        self.fields = fields
        self.serverOwned = serverOwned
        self.sortKeys = sortKeys
        self.maxLimit = maxLimit
        self.permissions = permissions
        self.readScope = readScope
        self.writeScope = writeScope
    }

    /// Fields a client sends on create (not written by the server).
    public var writableFields: [FieldContract] { fields.filter { !$0.setByServer } }

    /// Fields a PATCH may change.
    public var mutableFields: [FieldContract] { fields.filter { !$0.setByServer && !$0.immutable } }

    /// The actions the resource serves: PATCH only with a mutable field, restore only under soft delete.
    public var actions: [ResourceAction] {
        ResourceAction.allCases.filter { action in
            switch action {
            case .update: !mutableFields.isEmpty
            case .restore: softDelete
            default: true
            }
        }
    }

    /// The roles allowed `action`.
    public func roles(for action: ResourceAction) -> Set<Role> { permissions[action] ?? [] }

    /// The most powerful role allowed `action`, or nil when no role is.
    public func strongestRole(for action: ResourceAction) -> Role? {
        Role.allCases.first { roles(for: action).contains($0) }
    }

    /// Whether anyone may perform `action`: a role, or a platform administrator.
    public func canPerform(_ action: ResourceAction) -> Bool {
        strongestRole(for: action) != nil || platformAdminActions.contains(action)
    }

    /// The scope an API key needs for `action`.
    public func scope(for action: ResourceAction) -> String { action.isRead ? readScope : writeScope }

    /// The field named `name`.
    public func field(_ name: String) -> FieldContract? { fields.first { $0.name == name } }

    /// `Task (specs/tasks.yaml)`, as failure messages name the resource.
    var title: String { "\(name) (\(specFile))" }
}

/// A resource nested under another, as `?include=` embeds it: `ChildInclude("Task", through: "project_id")`.
public struct ChildInclude: Sendable {
    /// The child resource's API name.
    public var resource: String
    /// Its ref to the parent.
    public var field: String

    public init(_ resource: String, through field: String) {
        self.resource = resource
        self.field = field
    }
}

/// A custom action of a resource: `POST /{id}/<path>`, who may perform it, and its body's fields.
public struct ActionContract: Sendable {
    public var name: String
    public var path: String
    public var roles: Set<Role>
    /// The roles among ``roles`` that perform it only on the rows they own.
    public var ownRoles: Set<Role>
    public var input: [FieldContract]

    public init(_ name: String, path: String, roles: Set<Role>, ownRoles: Set<Role> = [], input: [FieldContract] = []) {
        self.name = name
        self.path = path
        self.roles = roles
        self.ownRoles = ownRoles
        self.input = input
    }
}
