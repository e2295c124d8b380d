import Foundation
import PostgresNIO

/// Reads the server's configuration from environment variables, failing with the variable's name.
///
/// | variable | meaning | default |
/// |---|---|---|
/// | `DATABASE_URL` | `postgres://user:password@host:5432/database` | required |
/// | `JWT_SECRET` | HS256 signing secret, at least 32 bytes | required |
/// | `JWT_KEY_ID` | the `kid` of `JWT_SECRET` | `main` |
/// | `JWT_PREVIOUS_KEYS` | older keys still accepted: `kid=secret,kid=secret` | none |
/// | `JWT_ISSUER` / `JWT_AUDIENCE` | expected `iss` / `aud` | `trellis` / `trellis-api` |
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

    /// The pool `Server serve` runs: ``database()`` with all `maximumConnections` (20) opened at start and
    /// kept (`minimumConnections` equal to it) and no keep-alive query, so that a request schedules no pool timer.
    ///
    /// postgres-nio 1.33.2 arms two timers each time a released connection goes idle, which under load is
    /// about once per request: a keep-alive (30 s) and, for a connection above `minimumConnections`, an idle
    /// timeout (60 s). The next lease cancels them, but each is a `ContinuousClock.sleep` in
    /// `ConnectionPool.runTimer`, and a cancelled `Task.sleep` leaves its wake-up task queued until the original
    /// deadline (swiftlang/swift#60441, Swift 6.3): ~600 bytes of resident memory per timer held 30-60 s, so
    /// memory grew by hundreds of MB under load and throughput fell. Connections below `minimumConnections`
    /// get no idle timer and a nil keep-alive behavior arms no keep-alive timer. The cost: 20 connections
    /// stay open while idle, and a connection that a NAT or firewall drops silently is only found when a
    /// query on it fails, after TCP's retransmission timeout (one PostgreSQL closes is replaced at once).
    public func servingDatabase() throws(ConfigurationError) -> PostgresClient.Configuration {
        var configuration = try database()
        configuration.options.minimumConnections = configuration.options.maximumConnections
        configuration.options.keepAliveBehavior = nil
        return configuration
    }

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
    /// `TRUSTED_PROXY_HOPS` (default 0: trust no `X-Forwarded-For`), `LOGIN_ATTEMPTS_PER_MINUTE`
    /// (per IP and per account, default 5), `API_KEY_ENVIRONMENT` (`live` or `test`, the default)
    /// `APP_URL` (an `http(s)://` address for links in emails), `IDEMPOTENCY_KEY_TTL_HOURS` (how long
    /// an answer is replayed, default 24) and `AUDIT_RETENTION_DAYS` (how long audit rows and change
    /// events are kept, default 90).
    public func serverOptions() throws(ConfigurationError) -> ServerOptions {
        var options = ServerOptions()
        if let text = values["TRUSTED_PROXY_HOPS"], !text.isEmpty {
            guard let hops = Int(text), (0...10).contains(hops) else {
                throw ConfigurationError(variable: "TRUSTED_PROXY_HOPS", problem: "must be a number of proxies from 0 to 10")
            }
            options.trustedProxyHops = hops
        }
        if let text = values["LOGIN_ATTEMPTS_PER_MINUTE"], !text.isEmpty {
            guard let attempts = Int(text), (1...10_000).contains(attempts) else {
                throw ConfigurationError(variable: "LOGIN_ATTEMPTS_PER_MINUTE", problem: "must be a number from 1 to 10000")
            }
            options.loginAttemptsPerMinute = attempts
        }
        if let text = values["API_KEY_ENVIRONMENT"], !text.isEmpty {
            guard let environment = APIKey.Environment(rawValue: text) else {
                throw ConfigurationError(variable: "API_KEY_ENVIRONMENT", problem: "must be live or test")
            }
            options.apiKeyEnvironment = environment
        }
        if let text = values["APP_URL"], !text.isEmpty {
            let trimmed = text.hasSuffix("/") ? String(text.dropLast()) : text
            guard let url = URL(string: trimmed), ["http", "https"].contains(url.scheme ?? ""), url.host?.isEmpty == false,
                url.query == nil, url.fragment == nil
            else {
                throw ConfigurationError(variable: "APP_URL", problem: "must be an http:// or https:// address such as https://app.example.com")
            }
            options.appURL = trimmed
        }
        if let text = values["IDEMPOTENCY_KEY_TTL_HOURS"], !text.isEmpty {
            guard let hours = Int(text), (1...720).contains(hours) else {
                throw ConfigurationError(variable: "IDEMPOTENCY_KEY_TTL_HOURS", problem: "must be a number of hours from 1 to 720")
            }
            options.idempotencyKeyTTL = .seconds(hours * 3600)
        }
        if let text = values["AUDIT_RETENTION_DAYS"], !text.isEmpty {
            guard let days = Int(text), (1...3650).contains(days) else {
                throw ConfigurationError(variable: "AUDIT_RETENTION_DAYS", problem: "must be a number of days from 1 to 3650")
            }
            options.auditRetention = .seconds(days * 86400)
        }
        return options
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
