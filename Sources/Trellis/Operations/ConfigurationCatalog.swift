/// Every environment variable a Trellis server reads, with its default and meaning: what
/// `.env.example` lists (a test keeps the two in step) and what `Server config` prints.
public struct ConfigurationVariable: Sendable, Equatable {
    public var name: String
    /// The value used when the variable is unset, as text; nil when it is required or has no value.
    public var defaultValue: String?
    public var meaning: String
    /// Printed masked (`Server config`).
    public var isSecret: Bool
    public var isRequired: Bool

    public init(_ name: String, default defaultValue: String? = nil, _ meaning: String, secret: Bool = false, required: Bool = false) {
        self.name = name
        self.defaultValue = defaultValue
        self.meaning = meaning
        self.isSecret = secret
        self.isRequired = required
    }
}

extension ConfigurationVariable {
    /// The variables of `Server serve`, in the order `.env.example` lists them.
    public static let all: [ConfigurationVariable] = [
        .init("DATABASE_URL", "postgres://user:password@host:5432/database (the password is masked when printed)", required: true),
        .init("JWT_SECRET", "HS256 signing secret for access tokens, at least 32 bytes (openssl rand -hex 32)", secret: true, required: true),
        .init("JWT_KEY_ID", default: "main", "the kid of JWT_SECRET"),
        .init("JWT_PREVIOUS_KEYS", "older signing keys still accepted while tokens signed with them live: kid=secret,kid=secret", secret: true),
        .init("JWT_ISSUER", default: "trellis", "the iss of access tokens"),
        .init("JWT_AUDIENCE", default: "trellis-api", "the aud of access tokens"),
        .init("TRELLIS_ENV", default: "production", "production or development (development allows CORS_ORIGINS=*)"),
        .init("LOG_FORMAT", default: "json", "json (one object per line) or text (for a terminal)"),
        .init("LOG_LEVEL", default: "info", "trace, debug, info, notice, warning, error or critical"),
        .init("DATABASE_POOL_SIZE", default: "2 x processors", "PostgreSQL connections, all opened at start"),
        .init("DATABASE_LEASE_TIMEOUT_SECONDS", default: "5", "how long a request may wait for a connection before the database counts as down (503)"),
        .init("DATABASE_STATEMENT_TIMEOUT_SECONDS", default: "15", "statement_timeout of every session; 0 for none (a timed-out request answers 503)"),
        .init("TRUSTED_PROXY_HOPS", default: "0", "proxies in front that append X-Forwarded-For (1 behind one Caddy or load balancer)"),
        .init("CORS_ORIGINS", "browser origins allowed to call the API, comma-separated (https://app.example.com); none by default"),
        .init("METRICS_TOKEN", "bearer token for GET /metrics, 16+ characters; /metrics is off when unset", secret: true),
        .init("RATE_LIMIT_PER_MINUTE", default: "1000", "API requests a minute per user or API key; 0 for no limit"),
        .init("RATE_LIMIT_ANONYMOUS_PER_MINUTE", default: "100", "API requests a minute per client IP without credentials; 0 for no limit"),
        .init("LOGIN_ATTEMPTS_PER_MINUTE", default: "5", "sign-in attempts a minute per IP and per account"),
        .init("API_KEY_ENVIRONMENT", default: "test", "live or test: the prefix of new API keys (sk_live_, sk_test_)"),
        .init("APP_URL", "the web app's address for links in emails (https://app.example.com); relative links when unset"),
        .init("IDEMPOTENCY_KEY_TTL_HOURS", default: "24", "how long an answer to a request with an Idempotency-Key is replayed"),
        .init("AUDIT_RETENTION_DAYS", default: "90", "how long audit rows and change events are kept"),
        .init("SHUTDOWN_DELAY_SECONDS", default: "0", "after SIGTERM, how long /ready answers 503 while requests are still accepted"),
        .init("SHUTDOWN_GRACE_SECONDS", default: "30", "after the listener closes, how long requests in flight may take to finish"),
        .init("SERVE_RUNS_JOBS", default: "true", "whether Server serve runs the job workers too; false leaves them to Server worker"),
        .init("JOB_CONCURRENCY", default: "default=10,mailers=5,webhooks=10,maintenance=1", "the queues a process serves and how many jobs of each run at once"),
        .init("JOB_RESCUE_AFTER_SECONDS", default: "60", "a running job whose worker sent no heartbeat this long is run again"),
        .init("JOB_RETENTION_DAYS", default: "7", "how long completed and discarded jobs are kept"),
        .init("MAIL_FROM", default: "Trellis <no-reply@localhost>", "the sender of every email: an address or Name <address>"),
        .init("MAIL_PRODUCT_NAME", default: "Trellis", "the product name the email templates use"),
        .init("SMTP_URL", "send email over SMTP: smtp://user:password@host:587 (STARTTLS) or smtps://...:465; ?ca_file=, ?security=none", secret: true),
        .init("POSTMARK_SERVER_TOKEN", "send email through Postmark's HTTP API instead (where SMTP is blocked)", secret: true),
        .init("POSTMARK_API_URL", default: "https://api.postmarkapp.com", "Postmark's API address"),
        .init("WEBHOOK_ALLOW_PRIVATE_URLS", default: "false (true in development)", "let webhook endpoints use http and private, loopback or link-local addresses"),
        .init("OTEL_EXPORTER_OTLP_ENDPOINT", "an OTLP/HTTP collector (http://localhost:4318): traces are exported there; off when unset"),
        .init("OTEL_EXPORTER_OTLP_PROTOCOL", default: "http/protobuf", "http/protobuf or http/json"),
        .init("OTEL_SERVICE_NAME", default: "trellis", "the service.name of the spans"),
        .init("DOCS_ASSETS_DIR", "the Swagger UI folder /docs serves; found in .venv when unset, else the page loads it from a CDN"),
    ]
}

extension EnvironmentConfiguration {
    /// Validates every variable (failing with the first bad one's name), then lists each with its
    /// effective value: the environment's, else the default. Secrets and the database password are masked.
    public func describe() throws(ConfigurationError) -> [(name: String, value: String, source: String)] {
        _ = try database()
        _ = try servingDatabase()
        _ = try auth()
        _ = try serverOptions()
        _ = try logOptions()
        _ = try jobOptions()
        return ConfigurationVariable.all.map { variable in
            guard let text = value(variable.name) else {
                if variable.name == "DATABASE_POOL_SIZE" { return (variable.name, "\(Self.defaultPoolSize) (2 x processors)", "default") }
                return (variable.name, variable.defaultValue ?? "(unset)", "default")
            }
            if variable.isSecret { return (variable.name, "******** (\(text.utf8.count) bytes)", "environment") }
            if variable.name == "DATABASE_URL" { return (variable.name, Self.maskingPassword(text), "environment") }
            return (variable.name, text, "environment")
        }
    }

    /// The URL with its password replaced by `********`.
    static func maskingPassword(_ url: String) -> String {
        guard let scheme = url.range(of: "://"), let at = url[scheme.upperBound...].lastIndex(of: "@"),
            let colon = url[scheme.upperBound..<at].firstIndex(of: ":")
        else { return url }
        return String(url[..<url.index(after: colon)]) + "********" + String(url[at...])
    }
}
