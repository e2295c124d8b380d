import Hummingbird
import Logging
import NIOCore
import PostgresNIO

/// What a deployment tunes beyond the database and the signing keys.
public struct ServerOptions: Sendable {
    /// Proxies in front of the server that append to `X-Forwarded-For` (`TRUSTED_PROXY_HOPS`).
    public var trustedProxyHops: Int
    /// Sign-in attempts allowed per minute, per IP and per account (and password-change attempts
    /// per user).
    public var loginAttemptsPerMinute: Int
    /// API keys a user may create per minute.
    public var apiKeysPerMinute: Int
    public var passwordHasher: PasswordHasher
    /// The kind of API key issued (`sk_live_` or `sk_test_`; `API_KEY_ENVIRONMENT`).
    public var apiKeyEnvironment: APIKey.Environment
    /// The web app's address, for links in emails (`APP_URL`, no trailing slash); nil writes
    /// relative links.
    public var appURL: String?
    /// How long the answer to a request sent with an `Idempotency-Key` is replayed
    /// (`IDEMPOTENCY_KEY_TTL_HOURS`, 24 hours by default).
    public var idempotencyKeyTTL: Duration
    /// How long audit rows and change events are kept (`AUDIT_RETENTION_DAYS`, 90 days by default).
    public var auditRetention: Duration

    public init(
        trustedProxyHops: Int = 0, loginAttemptsPerMinute: Int = 5, apiKeysPerMinute: Int = 10,
        passwordHasher: PasswordHasher = PasswordHasher(),
        apiKeyEnvironment: APIKey.Environment = .test, appURL: String? = nil, idempotencyKeyTTL: Duration = .seconds(24 * 3600),
        auditRetention: Duration = .seconds(90 * 86400)
    ) {
        self.trustedProxyHops = trustedProxyHops
        self.loginAttemptsPerMinute = loginAttemptsPerMinute
        self.apiKeysPerMinute = apiKeysPerMinute
        self.passwordHasher = passwordHasher
        self.apiKeyEnvironment = apiKeyEnvironment
        self.appURL = appURL
        self.idempotencyKeyTTL = idempotencyKeyTTL
        self.auditRetention = auditRetention
    }
}

/// Builds the HTTP application around a generated API.
///
/// Request flow: RequestID -> AccessLog -> errors -> security headers -> routes; `/api/v1` adds
/// authentication and idempotency keys (``IdempotencyMiddleware``) and holds the account endpoints
/// the API lists (``TrellisAPI/accountEndpoints``) and the generated routes. `/health`, `/ready` and `/openapi.json` need no token. A request that no route
/// matches answers 405 when its path is served with other methods, else 404.
public enum TrellisServer {
    /// The router with every route and middleware, for in-process tests and for ``makeApplication``.
    public static func makeRouter<API: TrellisAPI>(
        api: API, database: Database, tokens: AccessTokens, options: ServerOptions = ServerOptions()
    ) -> Router<TrellisRequestContext> {
        let router = Router(context: TrellisRequestContext.self)
        router.add(middleware: RequestIDMiddleware())
        router.add(middleware: ClientIPMiddleware(trustedProxyHops: options.trustedProxyHops))
        router.add(middleware: AccessLogMiddleware())
        router.add(middleware: ErrorMiddleware(constraints: API.constraints))
        router.add(middleware: SecurityHeadersMiddleware())
        HealthRoutes(database: database, migrationIDs: Set(API.allMigrations.map(\.id))).add(to: router)
        let document = ByteBuffer(string: API.openAPIJSON)
        router.get("/openapi.json") { _, _ in Response.json(document) }
        let group = router.group("/api/v1")
            .add(middleware: AuthenticationMiddleware(tokens: tokens, database: database))
            .add(middleware: IdempotencyMiddleware(database: database, ttl: options.idempotencyKeyTTL))
        addAccountRoutes(API.accountEndpoints, to: group, database: database, tokens: tokens, options: options)
        api.addRoutes(to: group, database: database)
        // Last, so that it wraps only the not-found responder (see the middleware).
        router.add(middleware: MethodNotAllowedMiddleware(routes: router.routes))
        return router
    }

    /// Mounts the built-in account endpoints of `groups`; a path of a group left out answers 404.
    static func addAccountRoutes(
        _ groups: Set<AccountGroup>, to group: RouterGroup<TrellisRequestContext>, database: Database, tokens: AccessTokens,
        options: ServerOptions
    ) {
        for account in AccountGroup.allCases where groups.contains(account) {
            switch account {
            case .auth:
                AuthRoutes(
                    database: database, sessions: SessionTokens(tokens: tokens), hasher: options.passwordHasher,
                    throttle: RateLimiter(client: database.client, limit: options.loginAttemptsPerMinute)
                ).add(to: group)
            case .me:
                MeRoutes(database: database).add(to: group)
            case .members:
                MembersRoutes(database: database).add(to: group)
            case .invitations:
                InvitationRoutes(
                    database: database, sessions: SessionTokens(tokens: tokens), hasher: options.passwordHasher, appURL: options.appURL
                ).add(to: group)
            case .auditLogs:
                AuditLogRoutes(database: database).add(to: group)
            case .apiKeys:
                APIKeyRoutes(
                    database: database, environment: options.apiKeyEnvironment,
                    throttle: RateLimiter(client: database.client, limit: options.apiKeysPerMinute)
                ).add(to: group)
            }
        }
    }

    /// The application: HTTP server plus the PostgreSQL pool and the rate-limit sweeper as services,
    /// shut down gracefully on SIGTERM/SIGINT (in-flight requests finish, then the pool closes).
    public static func makeApplication<API: TrellisAPI>(
        api: API, client: PostgresClient, tokens: AccessTokens, options: ServerOptions = ServerOptions(), host: String, port: Int,
        logger: Logger
    ) -> some ApplicationProtocol {
        let router = makeRouter(api: api, database: Database(client: client), tokens: tokens, options: options)
        var application = Application(
            router: router,
            configuration: .init(address: .hostname(host, port: port), serverName: "Trellis"),
            logger: logger
        )
        application.addServices(
            client, RateLimitSweeper(client: client, logger: logger),
            RetentionSweeper(client: client, auditRetention: options.auditRetention, logger: logger)
        )
        return application
    }
}
