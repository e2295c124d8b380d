/// How a resource's list endpoint pages.
///
/// Defaults: `style: cursor`, `default_limit: 20`, `max_limit: 100`, `sort: [created_at]`
/// (`[id]` when `timestamps: false`). A client sorts with `?sort=key` or `?sort=-key`; the id
/// breaks ties so pages stay stable while rows are inserted.
public struct PaginationSpec: Hashable, Sendable {
    public var defaultLimit: Int
    public var maxLimit: Int
    /// Allowed sort keys; the first is the default (descending, newest first).
    public var sort: [Located<String>]

    public init(defaultLimit: Int = 20, maxLimit: Int = 100, sort: [Located<String>] = []) {
        self.defaultLimit = defaultLimit
        self.maxLimit = maxLimit
        self.sort = sort
    }
}

/// The actions a generated resource exposes.
public enum Action: String, Hashable, Sendable, CaseIterable {
    case list
    case read
    case create
    case update
    case delete
    case restore
}

/// Which roles may perform each action.
///
/// Defaults: `list` and `read` for every role; `create` and `update` for member, admin and owner;
/// `delete` and `restore` for admin and owner.
public struct PermissionsSpec: Hashable, Sendable {
    public var roles: [Action: [Role]]

    public static let defaults: [Action: [Role]] = [
        .list: [.owner, .admin, .member, .viewer],
        .read: [.owner, .admin, .member, .viewer],
        .create: [.owner, .admin, .member],
        .update: [.owner, .admin, .member],
        .delete: [.owner, .admin],
        .restore: [.owner, .admin],
    ]

    public init(roles: [Action: [Role]] = [:]) {
        self.roles = Self.defaults.merging(roles) { _, given in given }
    }

    public func allowed(_ action: Action) -> [Role] { roles[action] ?? [] }
}
