import Hummingbird
import Logging
import NIOCore
import PostgresNIO
import ServiceLifecycle

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
    /// `TRELLIS_ENV`: production unless told otherwise.
    public var environment: DeploymentEnvironment
    /// The API-wide request limits (`RATE_LIMIT_PER_MINUTE`, `RATE_LIMIT_ANONYMOUS_PER_MINUTE`).
    public var requestLimits: RequestLimits
    /// The browser origins allowed to call the API (`CORS_ORIGINS`); empty allows none.
    public var corsOrigins: CORSOrigins
    /// The bearer token `/metrics` asks for (`METRICS_TOKEN`); nil leaves `/metrics` unmounted.
    public var metricsToken: String?
    /// How the server drains on SIGTERM (`SHUTDOWN_DELAY_SECONDS`, `SHUTDOWN_GRACE_SECONDS`).
    public var shutdown: ShutdownOptions
    /// The connections of the pool the server runs on (`DATABASE_POOL_SIZE`): at most half of them
    /// serve requests sent with an `Idempotency-Key` at once.
    public var databasePoolSize: Int
    /// How long a request may wait for a database connection before the database counts as down
    /// (`DATABASE_LEASE_TIMEOUT_SECONDS`, 5 s by default; ``DatabaseAvailability``).
    public var databaseLeaseTimeout: Duration
    /// Where PostgreSQL listens (from `DATABASE_URL`), to tell a busy pool from a lost database.
    public var databaseEndpoint: DatabaseEndpoint?
    /// Which URLs webhook endpoints may have (`WEBHOOK_ALLOW_PRIVATE_URLS`; allowed in development).
    public var webhookURLPolicy: WebhookURLPolicy
    /// How email is sent (`MAIL_FROM`, `SMTP_URL`, `POSTMARK_SERVER_TOKEN`); the mailbox by default.
    public var mail: MailOptions

    public init(
        trustedProxyHops: Int = 0, loginAttemptsPerMinute: Int = 5, apiKeysPerMinute: Int = 10,
        passwordHasher: PasswordHasher = PasswordHasher(),
        apiKeyEnvironment: APIKey.Environment = .test, appURL: String? = nil, idempotencyKeyTTL: Duration = .seconds(24 * 3600),
        auditRetention: Duration = .seconds(90 * 86400), environment: DeploymentEnvironment = .production,
        requestLimits: RequestLimits = RequestLimits(), corsOrigins: CORSOrigins = CORSOrigins(), metricsToken: String? = nil,
        shutdown: ShutdownOptions = ShutdownOptions(), databasePoolSize: Int = 20, databaseLeaseTimeout: Duration = .seconds(5)
    ) {
        self.trustedProxyHops = trustedProxyHops
        self.loginAttemptsPerMinute = loginAttemptsPerMinute
        self.apiKeysPerMinute = apiKeysPerMinute
        self.passwordHasher = passwordHasher
        self.apiKeyEnvironment = apiKeyEnvironment
        self.appURL = appURL
        self.idempotencyKeyTTL = idempotencyKeyTTL
        self.auditRetention = auditRetention
        self.environment = environment
        self.requestLimits = requestLimits
        self.corsOrigins = corsOrigins
        self.metricsToken = metricsToken
        self.shutdown = shutdown
        self.databasePoolSize = databasePoolSize
        self.databaseLeaseTimeout = databaseLeaseTimeout
        self.databaseEndpoint = nil
        self.webhookURLPolicy = WebhookURLPolicy(allowsPrivateURLs: environment == .development)
        self.mail = MailOptions()
    }

    /// The account emails, linking to ``appURL``.
    public var accountEmails: AccountEmails { AccountEmails(templates: mail.templates, appURL: appURL) }
}

/// Builds the HTTP application around a generated API.
///
/// Request flow: (a span, with tracing on) -> RequestID -> client IP -> AccessLog -> metrics (with
/// `METRICS_TOKEN`) -> CORS -> security headers -> errors -> routes, so error answers carry the CORS
/// and security headers too. `/api/v1` adds the database gate, authentication, the API rate limit
/// and idempotency keys (``IdempotencyMiddleware``) and holds the account endpoints the API lists
/// (``TrellisAPI/accountEndpoints``) and the generated routes. `/health`, `/ready`,
/// `/openapi.json`, `/docs` and `/metrics` (its own token) need no access token. A request that no
/// route matches answers 405 when its path is served with other methods, else 404.
public enum TrellisServer {
    /// The router with every route and middleware, for in-process tests and for ``makeServices``.
    /// `rateCounter` counts the API rate limit (a new one when nil); `state` says when the server drains.
    public static func makeRouter<API: TrellisAPI>(
        api: API, database: Database, tokens: AccessTokens, options: ServerOptions = ServerOptions(),
        webhooks: IncomingWebhooks = IncomingWebhooks([]), rateCounter: SharedRateCounter? = nil, state: ServerState = ServerState(),
        logger: Logger = Logger(label: "trellis")
    ) -> Router<TrellisRequestContext> {
        let router = Router(context: TrellisRequestContext.self)
        if TrellisTracing.isEnabled { router.add(middleware: TracingMiddleware()) }
        router.add(middleware: RequestIDMiddleware())
        router.add(middleware: ClientIPMiddleware(trustedProxyHops: options.trustedProxyHops))
        router.add(middleware: AccessLogMiddleware())
        if options.metricsToken != nil {
            _ = TrellisMetrics.registry
            router.add(middleware: MetricsMiddleware())
        }
        router.add(middleware: CORSMiddleware(origins: options.corsOrigins))
        router.add(middleware: SecurityHeadersMiddleware(trustedProxyHops: options.trustedProxyHops))
        router.add(middleware: ErrorMiddleware(constraints: API.constraints, availability: state.database))
        HealthRoutes(
            database: database, migrationIDs: Set(API.allMigrations.map(\.id)), state: state, timeout: options.databaseLeaseTimeout
        ).add(to: router)
        if let token = options.metricsToken { MetricsRoutes(token: token, database: database).add(to: router) }
        let document = ByteBuffer(string: API.openAPIJSON)
        router.get("/openapi.json") { _, _ in Response.json(document) }
        DocsRoutes(assets: DocsAssets.installed).add(to: router)
        if options.environment == .development { MailboxRoutes(database: database).add(to: router) }
        webhooks.addRoutes(to: router, database: database)
        let counter = rateCounter ?? SharedRateCounter(client: database.client, logger: logger)
        let group = router.group("/api/v1")
            .add(middleware: DatabaseAvailabilityMiddleware(availability: state.database))
            .add(middleware: AuthenticationMiddleware(tokens: tokens, database: database, defersRejection: true))
            .add(middleware: APIRateLimitMiddleware(counter: counter, limits: options.requestLimits))
            .add(middleware: IdempotencyMiddleware(
                database: database, ttl: options.idempotencyKeyTTL, maxInFlight: max(1, options.databasePoolSize / 2)
            ))
        addAccountRoutes(API.accountEndpoints, to: group, database: database, tokens: tokens, options: options)
        if API.emailVerification == .requiredForWrites {
            api.addRoutes(to: group.group().add(middleware: VerifiedEmailMiddleware()), database: database)
        } else {
            api.addRoutes(to: group, database: database)
        }
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
                    throttle: RateLimiter(client: database.client, limit: options.loginAttemptsPerMinute), emails: options.accountEmails
                ).add(to: group)
            case .me:
                MeRoutes(database: database).add(to: group)
            case .members:
                MembersRoutes(database: database).add(to: group)
            case .invitations:
                InvitationRoutes(
                    database: database, sessions: SessionTokens(tokens: tokens), hasher: options.passwordHasher, emails: options.accountEmails
                ).add(to: group)
            case .auditLogs:
                AuditLogRoutes(database: database).add(to: group)
            case .webhookEndpoints:
                WebhookEndpointRoutes(database: database, policy: options.webhookURLPolicy).add(to: group)
            case .admin:
                AdminRoutes(database: database).add(to: group)
            case .apiKeys:
                APIKeyRoutes(
                    database: database, environment: options.apiKeyEnvironment,
                    throttle: RateLimiter(client: database.client, limit: options.apiKeysPerMinute)
                ).add(to: group)
            }
        }
    }

    /// The server's services: the HTTP application (with the PostgreSQL pool, the database monitor
    /// and, unless ``JobOptions/runsInServe`` is false, the ``JobRunner`` as its own services) and
    /// the ``DrainingService``. Run them with ``run(api:client:tokens:options:jobs:webhooks:jobOptions:host:port:logger:services:)``
    /// or in a service group of your own, in this order.
    ///
    /// On graceful shutdown (SIGTERM) the draining service stops first: `/ready` answers 503 at once
    /// and the listener stays open for ``ShutdownOptions/delay``; then the listener closes, requests
    /// in flight and running jobs finish, and the pool closes last.
    public static func makeServices<API: TrellisAPI>(
        api: API, client: PostgresClient, tokens: AccessTokens, options: ServerOptions = ServerOptions(), jobs: JobRegistry = JobRegistry(),
        webhooks: IncomingWebhooks = IncomingWebhooks([]), jobOptions: JobOptions = JobOptions(), host: String, port: Int, logger: Logger
    ) -> [any Service] {
        let state = ServerState()
        let database = Database(client: client)
        let router = makeRouter(api: api, database: database, tokens: tokens, options: options, webhooks: webhooks, state: state, logger: logger)
        if options.mail.transport == nil && options.environment == .production {
            logger.warning("no email transport (SMTP_URL or POSTMARK_SERVER_TOKEN): emails stay in the database and nobody receives them")
        }
        var application = Application(
            router: router,
            configuration: .init(address: .hostname(host, port: port), serverName: "Trellis"),
            logger: logger
        )
        application.addServices(
            client,
            DatabaseAvailabilityMonitor(
                availability: state.database, client: client, leaseTimeout: options.databaseLeaseTimeout, endpoint: options.databaseEndpoint,
                logger: logger
            )
        )
        if jobOptions.runsInServe {
            application.addServices(
                JobRunner(
                    registry: jobRegistry(jobs, webhooks: webhooks, options: options, jobOptions: jobOptions), database: database, options: jobOptions,
                    availability: state.database, logger: logger
                ),
                WebhookDispatcher(client: client, availability: state.database, logger: logger)
            )
        }
        return [application, DrainingService(state: state, delay: options.shutdown.delay, logger: logger)]
    }

    /// `jobs` with the jobs every server runs: maintenance (``MaintenanceJobs``), email
    /// (``EmailDelivery``), webhook deliveries (``WebhookDelivery``) and the processing of the
    /// webhooks the app receives (``IncomingWebhooks``).
    public static func jobRegistry(
        _ jobs: JobRegistry, webhooks: IncomingWebhooks = IncomingWebhooks([]), options: ServerOptions, jobOptions: JobOptions
    ) -> JobRegistry {
        var registry = MaintenanceJobs.registry(auditRetention: options.auditRetention, jobRetention: jobOptions.retention)
        registry.merge(EmailDelivery(options: options.mail).jobs)
        registry.merge(WebhookDelivery(policy: options.webhookURLPolicy, appURL: options.appURL).jobs)
        registry.merge(webhooks.jobs)
        registry.merge(jobs)
        return registry
    }

    /// Runs jobs only (`Server worker`), until SIGTERM or SIGINT: the pool, a ``JobRunner`` and the
    /// ``WebhookDispatcher``.
    /// Running jobs get ``ShutdownOptions/grace`` to finish; those still running then are released.
    public static func runWorker(
        client: PostgresClient, options: ServerOptions = ServerOptions(), jobs: JobRegistry, webhooks: IncomingWebhooks = IncomingWebhooks([]),
        jobOptions: JobOptions, logger: Logger, services: [any Service] = []
    ) async throws {
        let runner = JobRunner(
            registry: jobRegistry(jobs, webhooks: webhooks, options: options, jobOptions: jobOptions), database: Database(client: client),
            options: jobOptions, logger: logger
        )
        var configuration = ServiceGroupConfiguration(
            services: services + [client, runner, WebhookDispatcher(client: client, logger: logger)], gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger
        )
        configuration.maximumGracefulShutdownDuration = options.shutdown.grace
        try await ServiceGroup(configuration: configuration).run()
    }

    /// Serves until SIGTERM or SIGINT, then drains (``makeServices``): requests in flight and
    /// running jobs get ``ShutdownOptions/grace`` to finish after the listener closes; requests
    /// still running then are cancelled, jobs released. `services` (the trace exporter) start first and stop last.
    public static func run<API: TrellisAPI>(
        api: API, client: PostgresClient, tokens: AccessTokens, options: ServerOptions = ServerOptions(), jobs: JobRegistry = JobRegistry(),
        webhooks: IncomingWebhooks = IncomingWebhooks([]), jobOptions: JobOptions = JobOptions(), host: String, port: Int, logger: Logger,
        services: [any Service] = []
    ) async throws {
        let served = makeServices(
            api: api, client: client, tokens: tokens, options: options, jobs: jobs, webhooks: webhooks, jobOptions: jobOptions, host: host,
            port: port, logger: logger
        )
        var configuration = ServiceGroupConfiguration(
            services: services + served,
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger
        )
        configuration.maximumGracefulShutdownDuration = options.shutdown.delay + options.shutdown.grace
        try await ServiceGroup(configuration: configuration).run()
    }
}
