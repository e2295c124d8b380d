/// How a resource's list endpoint pages.
///
/// Defaults: `style: cursor`, `default_limit: 20`, `max_limit: 100`, `sort: [created_at]`
/// (`[id]` when `timestamps: false`). A client sorts with `?sort=key` or `?sort=-key`; the id
/// breaks ties so pages stay stable while rows are inserted.
public struct PaginationSpec: Hashable, Sendable {
    /// `cursor` (keyset pages, `?limit=&cursor=`) or `offset` (numbered pages with a total,
    /// `?page=&per_page=`).
    public var style: PaginationStyle
    public var defaultLimit: Int
    public var maxLimit: Int
    /// Allowed sort keys; the first is the default (descending, newest first).
    public var sort: [Located<String>]

    public init(style: PaginationStyle = .cursor, defaultLimit: Int = 20, maxLimit: Int = 100, sort: [Located<String>] = []) {
        self.style = style
        self.defaultLimit = defaultLimit
        self.maxLimit = maxLimit
        self.sort = sort
    }
}

/// How a list pages.
public enum PaginationStyle: String, Hashable, Sendable, CaseIterable {
    case cursor
    case offset
}

/// The actions a generated resource exposes.
public enum Action: String, Hashable, Sendable, CaseIterable {
    case list
    case read
    case create
    case update
    case delete
    case restore

    /// List and read; every other action writes.
    public var isRead: Bool { self == .list || self == .read }
}

/// Which roles may perform each action.
///
/// Defaults: `list` and `read` for every role; `create` and `update` for member, admin and owner;
/// `delete` and `restore` for admin and owner.
///
/// A `tenancy: none` resource is every organization's: every signed-in member reads it, and only
/// platform administrators write it; its spec may only say that no one may (`delete: []`).
public struct PermissionsSpec: Hashable, Sendable {
    public var roles: [Action: [Role]]
    /// The roles of each action that act only on rows they own (`{ member: own }`), among its `roles`.
    public var ownRows: [Action: Set<Role>]
    /// Where the spec names each action, for the actions it names.
    public var locations: [Action: SourceLocation]
    /// Where each `{ role: own }` entry is, for messages about it.
    public var ownLocations: [Action: SourceLocation]

    public static let defaults: [Action: [Role]] = [
        .list: [.owner, .admin, .member, .viewer],
        .read: [.owner, .admin, .member, .viewer],
        .create: [.owner, .admin, .member],
        .update: [.owner, .admin, .member],
        .delete: [.owner, .admin],
        .restore: [.owner, .admin],
    ]

    public init(
        roles: [Action: [Role]] = [:], ownRows: [Action: Set<Role>] = [:], locations: [Action: SourceLocation] = [:],
        ownLocations: [Action: SourceLocation] = [:]
    ) {
        self.roles = Self.defaults.merging(roles) { _, given in given }
        self.ownRows = ownRows.filter { !$0.value.isEmpty }
        self.locations = locations
        self.ownLocations = ownLocations
    }

    /// Whether some role performs some action only on the rows it owns.
    public var limitsToOwnRows: Bool { !ownRows.isEmpty }

    /// The write actions of a shared resource that platform administrators perform: every one the
    /// spec does not close with an empty list.
    public func platformAdminActions(for tenancy: Tenancy) -> Set<Action> {
        guard tenancy == .none else { return [] }
        return Set(Action.allCases.filter { !$0.isRead && !(locations[$0] != nil && allowed($0).isEmpty) })
    }

    public func allowed(_ action: Action) -> [Role] { roles[action] ?? [] }
}
