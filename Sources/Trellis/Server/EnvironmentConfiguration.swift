import Foundation
import PostgresNIO

/// Reads the server's configuration from environment variables, failing with the variable's name.
/// ``ConfigurationVariable/all`` lists every variable with its default and meaning (as
/// `.env.example` does).
public struct EnvironmentConfiguration: Sendable {
    public var values: [String: String]

    public init(_ values: [String: String] = ProcessInfo.processInfo.environment) {
        self.values = values
    }

    public func required(_ name: String) throws(ConfigurationError) -> String {
        guard let value = values[name], !value.isEmpty else {
            throw ConfigurationError(variable: name, problem: "is not set")
        }
        return value
    }

    public func database() throws(ConfigurationError) -> PostgresClient.Configuration {
        try PostgresClient.Configuration(url: try required("DATABASE_URL"), variable: "DATABASE_URL")
    }

    /// The pool `Server serve` runs: ``database()`` with `DATABASE_POOL_SIZE` connections (default
    /// twice the processor count), all opened at start and kept (`minimumConnections` equal to it) with
    /// no keep-alive query, so that a request schedules no pool timer; `DATABASE_STATEMENT_TIMEOUT_SECONDS`
    /// (default 15) as every session's `statement_timeout`; `DATABASE_LEASE_TIMEOUT_SECONDS` (default 5)
    /// to open a connection (and, in ``serverOptions()``, to wait for one: ``DatabaseAvailability``).
    /// The sessions are named `trellis <host> <pid>` (`application_name`), which `/metrics` counts by.
    ///
    /// postgres-nio 1.33.2 arms two timers each time a released connection goes idle, which under load is
    /// about once per request: a keep-alive (30 s) and, for a connection above `minimumConnections`, an idle
    /// timeout (60 s). The next lease cancels them, but each is a `ContinuousClock.sleep` in
    /// `ConnectionPool.runTimer`, and a cancelled `Task.sleep` leaves its wake-up task queued until the original
    /// deadline (swiftlang/swift#60441, Swift 6.3): ~600 bytes of resident memory per timer held 30-60 s, so
    /// memory grew by hundreds of MB under load and throughput fell. Connections below `minimumConnections`
    /// get no idle timer and a nil keep-alive behavior arms no keep-alive timer. The cost: the connections
    /// stay open while idle, and a connection that a NAT or firewall drops silently is only found when a
    /// query on it fails, after TCP's retransmission timeout (one PostgreSQL closes is replaced at once).
    public func servingDatabase() throws(ConfigurationError) -> PostgresClient.Configuration {
        var configuration = try database()
        let pool = try integer("DATABASE_POOL_SIZE", in: 1...1000, "a number of connections") ?? Self.defaultPoolSize
        configuration.options.maximumConnections = pool
        configuration.options.minimumConnections = pool
        configuration.options.keepAliveBehavior = nil
        configuration.options.connectTimeout = .seconds(try leaseTimeoutSeconds())
        let statementTimeout = try integer("DATABASE_STATEMENT_TIMEOUT_SECONDS", in: 0...3600, "a number of seconds (0: none)") ?? 15
        configuration.options.additionalStartupParameters += [
            ("statement_timeout", "\(statementTimeout)s"),
            ("application_name", "trellis \(ProcessInfo.processInfo.hostName.prefix(40)) \(ProcessInfo.processInfo.processIdentifier)"),
        ]
        return configuration
    }

    /// `DATABASE_LEASE_TIMEOUT_SECONDS`: 5 unless set.
    func leaseTimeoutSeconds() throws(ConfigurationError) -> Int {
        try integer("DATABASE_LEASE_TIMEOUT_SECONDS", in: 1...300, "a number of seconds") ?? 5
    }

    /// Twice the processor count: a request holds a connection only while its statements run.
    public static var defaultPoolSize: Int { max(2, ProcessInfo.processInfo.activeProcessorCount * 2) }

    public func auth() throws(ConfigurationError) -> AuthConfiguration {
        let secret = try required("JWT_SECRET")
        guard secret.utf8.count >= 32 else {
            throw ConfigurationError(variable: "JWT_SECRET", problem: "must be at least 32 bytes (use `openssl rand -hex 32`)")
        }
        let currentID = values["JWT_KEY_ID"].flatMap { $0.isEmpty ? nil : $0 } ?? "main"
        var keys: [AuthConfiguration.SigningKey] = []
        for entry in (values["JWT_PREVIOUS_KEYS"] ?? "").split(separator: ",") {
            let parts = entry.split(separator: "=", maxSplits: 1)
            guard parts.count == 2, !parts[0].isEmpty, parts[1].utf8.count >= 32 else {
                throw ConfigurationError(variable: "JWT_PREVIOUS_KEYS", problem: "must be kid=secret pairs separated by commas, secrets of 32+ bytes")
            }
            keys.append(.init(id: String(parts[0]), secret: String(parts[1])))
        }
        keys.append(.init(id: currentID, secret: secret))
        return AuthConfiguration(
            signingKeys: keys, currentKeyID: currentID, issuer: values["JWT_ISSUER"] ?? "trellis",
            audience: values["JWT_AUDIENCE"] ?? "trellis-api"
        )
    }
}

extension EnvironmentConfiguration {
    /// The options of ``ServerOptions`` from their variables (`.env.example` lists each with its
    /// default and meaning); a value out of range fails with the variable's name.
    public func serverOptions() throws(ConfigurationError) -> ServerOptions {
        var options = ServerOptions()
        if let hops = try integer("TRUSTED_PROXY_HOPS", in: 0...10, "a number of proxies") { options.trustedProxyHops = hops }
        if let attempts = try integer("LOGIN_ATTEMPTS_PER_MINUTE", in: 1...10_000, "a number") { options.loginAttemptsPerMinute = attempts }
        if let text = value("API_KEY_ENVIRONMENT") {
            guard let environment = APIKey.Environment(rawValue: text) else {
                throw ConfigurationError(variable: "API_KEY_ENVIRONMENT", problem: "must be live or test")
            }
            options.apiKeyEnvironment = environment
        }
        if let text = value("APP_URL") {
            let trimmed = text.hasSuffix("/") ? String(text.dropLast()) : text
            guard let url = URL(string: trimmed), ["http", "https"].contains(url.scheme ?? ""), url.host?.isEmpty == false,
                url.query == nil, url.fragment == nil
            else {
                throw ConfigurationError(variable: "APP_URL", problem: "must be an http:// or https:// address such as https://app.example.com")
            }
            options.appURL = trimmed
        }
        if let hours = try integer("IDEMPOTENCY_KEY_TTL_HOURS", in: 1...720, "a number of hours") {
            options.idempotencyKeyTTL = .seconds(hours * 3600)
        }
        if let days = try integer("AUDIT_RETENTION_DAYS", in: 1...3650, "a number of days") { options.auditRetention = .seconds(days * 86400) }
        options.environment = try deploymentEnvironment()
        options.webhookURLPolicy = WebhookURLPolicy(allowsPrivateURLs: options.environment == .development)
        if let text = value("WEBHOOK_ALLOW_PRIVATE_URLS") {
            switch text.lowercased() {
            case "true", "1", "yes": options.webhookURLPolicy.allowsPrivateURLs = true
            case "false", "0", "no": options.webhookURLPolicy.allowsPrivateURLs = false
            default: throw ConfigurationError(variable: "WEBHOOK_ALLOW_PRIVATE_URLS", problem: "must be true or false, got '\(text)'")
            }
        }
        if let limit = try integer("RATE_LIMIT_PER_MINUTE", in: 0...100_000_000, "a number of requests (0: no limit)") {
            options.requestLimits.authenticatedPerMinute = limit
        }
        if let limit = try integer("RATE_LIMIT_ANONYMOUS_PER_MINUTE", in: 0...100_000_000, "a number of requests (0: no limit)") {
            options.requestLimits.anonymousPerMinute = limit
        }
        if let text = value("CORS_ORIGINS") {
            do {
                options.corsOrigins = try CORSOrigins(parsing: text, environment: options.environment)
            } catch {
                throw ConfigurationError(variable: "CORS_ORIGINS", problem: error.problem)
            }
        }
        if let token = value("METRICS_TOKEN") {
            guard token.utf8.count >= 16 else {
                throw ConfigurationError(variable: "METRICS_TOKEN", problem: "must be at least 16 characters (use `openssl rand -hex 16`)")
            }
            options.metricsToken = token
        }
        if let seconds = try integer("SHUTDOWN_DELAY_SECONDS", in: 0...300, "a number of seconds") { options.shutdown.delay = .seconds(seconds) }
        options.databaseLeaseTimeout = .seconds(try leaseTimeoutSeconds())
        options.mail = try mailOptions()
        if let seconds = try integer("SHUTDOWN_GRACE_SECONDS", in: 1...3600, "a number of seconds") { options.shutdown.grace = .seconds(seconds) }
        return options
    }

    /// `TRELLIS_ENV`: `production` (the default) or `development`.
    public func deploymentEnvironment() throws(ConfigurationError) -> DeploymentEnvironment {
        guard let text = value("TRELLIS_ENV") else { return .production }
        guard let environment = DeploymentEnvironment(rawValue: text) else {
            throw ConfigurationError(variable: "TRELLIS_ENV", problem: "must be production or development")
        }
        return environment
    }

    /// The variable's value; nil when it is unset or empty.
    func value(_ name: String) -> String? {
        guard let text = values[name], !text.isEmpty else { return nil }
        return text
    }

    /// The variable as a whole number in `range`; nil when it is unset or empty.
    func integer(_ name: String, in range: ClosedRange<Int>, _ what: String) throws(ConfigurationError) -> Int? {
        guard let text = value(name) else { return nil }
        guard let number = Int(text), range.contains(number) else {
            throw ConfigurationError(variable: name, problem: "must be \(what) from \(range.lowerBound) to \(range.upperBound), got '\(text)'")
        }
        return number
    }
}

extension PostgresClient {
    /// Runs a client for the duration of `body` (for commands that are not long-running services).
    public static func withRunning<Result: Sendable>(
        _ configuration: PostgresClient.Configuration, logger: Logger,
        _ body: @Sendable (PostgresClient) async throws -> Result
    ) async throws -> Result {
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            return try await body(client)
        }
    }
}
