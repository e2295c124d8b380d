/// Who may perform one action on a resource: the roles of a signed-in member, and the scope an
/// API key needs on top (`read:projects`, `write:projects`; a key with `*` has every scope).
public struct Permission: Sendable, Hashable {
    public var roles: [Role]
    public var scope: String

    public init(roles: [Role], scope: String) {
        self.roles = roles
        self.scope = scope
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
        let principal = try requireRole(in: permission.roles)
        guard principal.allows(scope: permission.scope) else {
            throw APIError(.forbidden, "This API key does not have the scope \(permission.scope).")
        }
        return principal
    }
}
