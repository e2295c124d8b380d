/// Who may perform one action on a resource: the roles of a signed-in member, and the scope an
/// API key needs on top (`read:projects`, `write:projects`; a key with `*` has every scope); or,
/// for the rows every organization shares, platform administrators alone.
public struct Permission: Sendable, Hashable {
    public var roles: [Role]
    /// The roles among ``roles`` that act only on the rows they own (the spec's `{ member: own }`):
    /// the resource's ``Resource/owner`` field names the caller.
    public var ownRowsOnly: Set<Role>
    public var scope: String
    /// Only a signed-in platform administrator, whatever their role, and never an API key.
    public var platformAdminsOnly: Bool

    public init(roles: [Role], ownRowsOnly: Set<Role> = [], scope: String) {
        self.roles = roles
        self.ownRowsOnly = ownRowsOnly
        self.scope = scope
        self.platformAdminsOnly = false
    }

    /// Whether `principal` acts only on the rows it owns under this permission.
    public func limitsToOwnRows(_ principal: Principal) -> Bool {
        ownRowsOnly.contains(principal.role)
    }

    /// Writes to a `tenancy: none` resource: its rows are every organization's, so no
    /// organization role may change them.
    public static func platformAdmins(scope: String) -> Permission {
        var permission = Permission(roles: [], scope: scope)
        permission.platformAdminsOnly = true
        return permission
    }

    /// Whether `principal` may act under this permission.
    public func allows(_ principal: Principal) -> Bool {
        if platformAdminsOnly { return principal.isPlatformAdmin && principal.apiKeyID == nil }
        return roles.contains(principal.role) && principal.allows(scope: scope)
    }
}

extension Principal {
    /// Whether the principal may use `scope`: always for a signed-in user, per scope for an API key.
    public func allows(scope: String) -> Bool {
        guard let scopes else { return true }
        return scopes.contains("*") || scopes.contains(scope)
    }
}

extension TrellisRequestContext {
    /// The principal, provided its role is allowed and, for an API key, it holds the scope:
    /// 401 without a principal, 403 otherwise.
    public func require(_ permission: Permission) throws(APIError) -> Principal {
        if permission.platformAdminsOnly {
            let principal = try requirePrincipal()
            guard permission.allows(principal) else {
                throw APIError(.forbidden, "Only a platform administrator may change what every organization shares.")
            }
            return principal
        }
        let principal = try requireRole(in: permission.roles)
        guard principal.allows(scope: permission.scope) else {
            throw APIError(.forbidden, "This API key does not have the scope \(permission.scope).")
        }
        return principal
    }
}
