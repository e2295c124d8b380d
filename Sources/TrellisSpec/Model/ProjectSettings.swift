/// What a project sets for itself as a whole, in the optional project file beside its specs
/// (`specs/trellis.yaml`):
///
/// ```yaml
/// accounts: [me, members, api-keys]   # true (the default): every group; false: none
/// email_verification: required_for_writes   # optional (the default)
/// ```
public struct ProjectSettings: Hashable, Sendable {
    /// The built-in account endpoint groups the app serves and its OpenAPI document describes.
    /// An app that brings its own sign-in leaves `auth` (or every group) out; the account tables
    /// and token verification stay, since principals, tenancy and permissions rest on them.
    public var accounts: Set<AccountGroup>
    /// Whether writes through the generated API need a verified email address.
    public var emailVerification: EmailVerificationRule

    /// The settings of a project without a project file, unless told otherwise.
    public init(accounts: Set<AccountGroup> = Set(AccountGroup.allCases), emailVerification: EmailVerificationRule = .optional) {
        self.accounts = accounts
        self.emailVerification = emailVerification
    }
}
