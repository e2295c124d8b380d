import Foundation

extension Role {
    /// The roles this role may give others by invitation: owners any, admins any but owner,
    /// members and viewers none.
    public var grantableRoles: [Role] {
        switch self {
        case .owner: Role.allCases
        case .admin: [.admin, .member, .viewer]
        case .member, .viewer: []
        }
    }
}

/// The authenticated caller: a user acting in one organization with one role.
///
/// Tenancy comes from here and only from here: generated statements take a ``TenantScope`` made
/// from the principal, never from the request body or the URL. Only the Trellis package makes
/// principals (from a verified access token or API key, and for its own tools and tests).
public struct Principal: Sendable, Hashable {
    public let userID: UUID
    public let orgID: UUID
    public let role: Role
    /// The sign-in session the access token belongs to (`sid`); logout revokes it.
    public let sessionID: UUID?
    /// Set when the caller authenticated with an API key: the key's id and scopes. A key acts for
    /// its organization with the role of the member who created it, limited to its scopes.
    public let apiKeyID: UUID?
    public let scopes: Set<String>?
    /// Whether the user is a platform administrator (`users.platform_admin`, granted with
    /// `Server platform-admin grant`): the only callers who may write the rows every organization
    /// shares (`tenancy: none`). Read when a session starts or refreshes; never set for an API key.
    public let isPlatformAdmin: Bool
    /// Whether the user's email address is verified (`users.email_verified_at`), read when a
    /// session starts or refreshes, or (for an API key) from its creator; what an API with
    /// ``EmailVerificationRule/requiredForWrites`` checks before a write.
    public let emailVerified: Bool

    package init(
        userID: UUID, orgID: UUID, role: Role, sessionID: UUID? = nil, apiKeyID: UUID? = nil, scopes: Set<String>? = nil,
        isPlatformAdmin: Bool = false, emailVerified: Bool = true
    ) {
        self.userID = userID
        self.orgID = orgID
        self.role = role
        self.sessionID = sessionID
        self.apiKeyID = apiKeyID
        self.scopes = scopes
        self.isPlatformAdmin = isPlatformAdmin && apiKeyID == nil
        self.emailVerified = emailVerified
    }
}
