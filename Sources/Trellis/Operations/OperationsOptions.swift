/// Where a server runs. Development relaxes what would be a mistake in production: `CORS_ORIGINS=*`.
public enum DeploymentEnvironment: String, Sendable, CaseIterable {
    case development
    case production
}

/// The API-wide request limits, per minute and shared by every instance through PostgreSQL
/// (``APIRateLimitMiddleware``). Sign-in has its own, tighter limit (`LOGIN_ATTEMPTS_PER_MINUTE`).
public struct RequestLimits: Sendable, Equatable {
    /// Requests per minute for each user or API key (`RATE_LIMIT_PER_MINUTE`, default 1000).
    public var authenticatedPerMinute: Int
    /// Requests per minute for each client IP without credentials (`RATE_LIMIT_ANONYMOUS_PER_MINUTE`, default 100).
    public var anonymousPerMinute: Int

    public init(authenticatedPerMinute: Int = 1000, anonymousPerMinute: Int = 100) {
        self.authenticatedPerMinute = authenticatedPerMinute
        self.anonymousPerMinute = anonymousPerMinute
    }
}

extension RequestLimits {
    /// No API-wide limit (sign-in keeps its own).
    public static let off = RequestLimits(authenticatedPerMinute: 0, anonymousPerMinute: 0)
}

extension ServerOptions {
    /// `ServerOptions()` without the API rate limit: for tests, which send thousands of requests a
    /// minute as the same users and from one address.
    public static var unlimited: ServerOptions { ServerOptions(requestLimits: .off) }
}

/// How the server stops on SIGTERM (``DrainingService``).
public struct ShutdownOptions: Sendable, Equatable {
    /// How long `/ready` answers 503 while requests are still accepted, so that a load balancer
    /// stops sending new ones before the listener closes (`SHUTDOWN_DELAY_SECONDS`, default 0).
    public var delay: Duration
    /// How long requests in flight may take to finish once the listener is closed
    /// (`SHUTDOWN_GRACE_SECONDS`, default 30); those still running then are cancelled.
    public var grace: Duration

    public init(delay: Duration = .zero, grace: Duration = .seconds(30)) {
        self.delay = delay
        self.grace = grace
    }
}
