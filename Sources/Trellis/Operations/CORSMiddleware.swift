import Foundation
import HTTPTypes
import Hummingbird

/// The browser origins allowed to call the API with credentials (`CORS_ORIGINS`).
public struct CORSOrigins: Sendable, Equatable {
    /// Exact origins (`https://app.example.com`, scheme and host lowercased, port only when not the default).
    public var allowed: Set<String>
    /// `*`: every origin, echoed back (credentialed requests cannot use a literal `*`). Development only.
    public var allowsAny: Bool

    public init(allowed: Set<String> = [], allowsAny: Bool = false) {
        self.allowed = allowed
        self.allowsAny = allowsAny
    }

    /// Why a `CORS_ORIGINS` value was refused.
    public struct Problem: Error, Sendable {
        public var problem: String
    }

    /// Parses `https://app.example.com,http://localhost:5173`; `*` only in development.
    public init(parsing text: String, environment: DeploymentEnvironment) throws(Problem) {
        self.init()
        for entry in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !entry.isEmpty {
            if entry == "*" {
                guard environment == .development else {
                    throw Problem(problem: "may be * only when TRELLIS_ENV=development; list the web app's origins, such as https://app.example.com")
                }
                allowsAny = true
                continue
            }
            guard let origin = Self.normalized(entry) else {
                throw Problem(problem: "must list origins such as https://app.example.com (scheme, host and optional port; no path), got '\(entry)'")
            }
            allowed.insert(origin)
        }
    }

    /// Whether a request's `Origin` may call the API.
    public func allows(_ origin: String) -> Bool {
        if allowsAny { return origin != "null" }
        return allowed.contains(origin) || Self.normalized(origin).map(allowed.contains) == true
    }

    /// `scheme://host[:port]` lowercased, the default port dropped; nil for anything else.
    static func normalized(_ text: String) -> String? {
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(), ["http", "https"].contains(scheme),
            let host = components.host?.lowercased(), !host.isEmpty, components.path.isEmpty || components.path == "/",
            components.query == nil, components.fragment == nil, components.user == nil
        else { return nil }
        let port = components.port.flatMap { (scheme == "https" && $0 == 443) || (scheme == "http" && $0 == 80) ? nil : $0 }
        return "\(scheme)://\(host)" + (port.map { ":\($0)" } ?? "")
    }
}

/// CORS for an allowlist: a request from an allowed origin gets `Access-Control-Allow-Origin` (its
/// origin), credentials allowed and the headers a client reads exposed; a preflight from one is
/// answered 204 and cached for a day. A request from any other origin gets no CORS header at all,
/// so the browser keeps the answer from the page.
///
/// (Hummingbird's `CORSMiddleware` answers every preflight, naming the allowed methods and headers
/// even to origins it does not allow, and its list is variadic; this one is a dozen lines more.)
public struct CORSMiddleware: RouterMiddleware {
    public typealias Context = TrellisRequestContext

    let origins: CORSOrigins

    public init(origins: CORSOrigins) {
        self.origins = origins
    }

    /// The methods and request headers a preflight allows.
    static let allowedMethods = "GET, POST, PUT, PATCH, DELETE"
    static let allowedHeaders = "Authorization, Content-Type, Accept, Idempotency-Key, If-Match, If-None-Match, X-Request-ID, traceparent, tracestate"
    /// The response headers a page may read.
    static let exposedHeaders =
        "X-Request-ID, ETag, Location, Retry-After, Idempotent-Replayed, RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset, "
        + "X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset"

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        guard let origin = request.headers[.origin], origins.allows(origin) else {
            // The answer depends on Origin whenever some origin is allowed: caches must key on it.
            guard origins.allowsAny || !origins.allowed.isEmpty else { return try await next(request, context) }
            var response = try await next(request, context)
            response.headers[values: .vary].append("Origin")
            return response
        }
        if request.method == .options, request.headers[.accessControlRequestMethod] != nil {
            return Response(
                status: .noContent,
                headers: [
                    .accessControlAllowOrigin: origin, .accessControlAllowCredentials: "true",
                    .accessControlAllowMethods: Self.allowedMethods, .accessControlAllowHeaders: Self.allowedHeaders,
                    .accessControlMaxAge: "86400", .vary: "Origin, Access-Control-Request-Method, Access-Control-Request-Headers",
                ]
            )
        }
        var response = try await next(request, context)
        response.headers[.accessControlAllowOrigin] = origin
        response.headers[.accessControlAllowCredentials] = "true"
        response.headers[.accessControlExposeHeaders] = Self.exposedHeaders
        response.headers[values: .vary].append("Origin")
        return response
    }
}
