import HTTPTypes
import Hummingbird
import Metrics

/// The API-wide rate limit: each user or API key (``RequestLimits/authenticatedPerMinute``) and each
/// client IP without credentials (``RequestLimits/anonymousPerMinute``) gets a number of requests a
/// minute, counted across instances by a ``SharedRateCounter``.
///
/// Every answer carries `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset` (seconds
/// until the window ends), and the same as `X-RateLimit-Limit`, `X-RateLimit-Remaining` and
/// `X-RateLimit-Reset` (when it ends, in seconds since 1970); over the limit the answer is 429
/// `rate_limited` with `Retry-After`. A limit of 0 turns that class off. A request whose credentials
/// were refused counts as anonymous, then gets its 401 (``AuthenticationMiddleware``).
public struct APIRateLimitMiddleware: RouterMiddleware {
    public typealias Context = TrellisRequestContext

    let counter: SharedRateCounter
    let limits: RequestLimits
    let rejections: (authenticated: Counter, anonymous: Counter)

    public init(counter: SharedRateCounter, limits: RequestLimits) {
        self.counter = counter
        self.limits = limits
        self.rejections = (
            Counter(label: "trellis_rate_limit_rejections_total", dimensions: [("class", "authenticated")]),
            Counter(label: "trellis_rate_limit_rejections_total", dimensions: [("class", "anonymous")])
        )
    }

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let key: SharedRateCounter.Key
        let limit: Int
        if let principal = context.principal {
            key = principal.apiKeyID.map(SharedRateCounter.Key.apiKey) ?? .user(principal.userID)
            limit = limits.authenticatedPerMinute
        } else {
            key = .address(context.clientIP ?? "unknown")
            limit = limits.anonymousPerMinute
        }
        guard limit > 0 else {
            if let rejected = context.rejectedCredential { throw rejected }
            return try await next(request, context)
        }
        let decision = await counter.hit(key, limit: limit)
        let headers = Self.headers(decision)
        if decision.allowed, var rejected = context.rejectedCredential {
            rejected.headers.append(contentsOf: headers)
            throw rejected
        }
        guard decision.allowed else {
            (context.principal == nil ? rejections.anonymous : rejections.authenticated).increment()
            context.logger.notice("rate limited", metadata: ["limit": "\(limit)"])
            var error = APIError.tooMany("requests", retryAfter: decision.resetSeconds)
            error.headers.append(contentsOf: headers)
            throw error
        }
        do {
            var response = try await next(request, context)
            response.headers.append(contentsOf: headers)
            return response
        } catch {
            throw ErrorWithHeaders(error, headers: headers)
        }
    }

    static func headers(_ decision: SharedRateCounter.Decision) -> HTTPFields {
        [
            .rateLimitLimit: String(decision.limit), .rateLimitRemaining: String(decision.remaining),
            .rateLimitReset: String(decision.resetSeconds), .xRateLimitLimit: String(decision.limit),
            .xRateLimitRemaining: String(decision.remaining), .xRateLimitReset: String(decision.resetAt),
        ]
    }
}

/// An error thrown through a middleware that has headers for whatever answer it becomes
/// (``ErrorMiddleware`` renders `underlying` and adds them).
public struct ErrorWithHeaders: Error {
    public let underlying: any Error
    public let headers: HTTPFields

    public init(_ underlying: any Error, headers: HTTPFields) {
        self.underlying = underlying
        self.headers = headers
    }
}

extension HTTPField.Name {
    static let rateLimitLimit = HTTPField.Name("RateLimit-Limit")!
    static let rateLimitRemaining = HTTPField.Name("RateLimit-Remaining")!
    static let rateLimitReset = HTTPField.Name("RateLimit-Reset")!
    static let xRateLimitLimit = HTTPField.Name("X-RateLimit-Limit")!
    static let xRateLimitRemaining = HTTPField.Name("X-RateLimit-Remaining")!
    static let xRateLimitReset = HTTPField.Name("X-RateLimit-Reset")!
}
