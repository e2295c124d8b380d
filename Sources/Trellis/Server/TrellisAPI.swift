import Hummingbird

/// What the build plugin generates from a project's specs, as the server needs it.
public protocol TrellisAPI: Sendable {
    /// The project's migrations, oldest first (the runtime's own ``CoreMigrations`` run before them).
    static var migrations: [Migration] { get }
    /// The OpenAPI 3.1 document, as JSON.
    static var openAPIJSON: String { get }
    /// Constraint names of the generated schema, for turning violations into 409/422.
    static var constraints: ConstraintCatalog { get }
    /// The built-in account endpoint groups the server mounts under `/api/v1` (`accounts:` in the
    /// project file); every group unless the generated API says otherwise. The account tables and
    /// token verification stay either way.
    static var accountEndpoints: Set<AccountGroup> { get }
    /// Whether the generated routes refuse writes from accounts whose email is not verified
    /// (`email_verification:` in the project file); not unless the generated API says so.
    static var emailVerification: EmailVerificationRule { get }

    /// Adds every generated route to `group` (mounted at `/api/v1`).
    func addRoutes(to group: RouterGroup<TrellisRequestContext>, database: Database)
}

extension TrellisAPI {
    /// Core migrations followed by the project's.
    public static var allMigrations: [Migration] { CoreMigrations.all + migrations }

    /// Every group.
    public static var accountEndpoints: Set<AccountGroup> { Set(AccountGroup.allCases) }

    /// Unverified accounts write like verified ones.
    public static var emailVerification: EmailVerificationRule { .optional }
}
