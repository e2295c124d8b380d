import Foundation
import HTTPTypes
import Hummingbird

/// Conservative security headers on every answer.
///
/// A JSON API loads nothing and may not be framed: `Content-Security-Policy: default-src 'none';
/// frame-ancestors 'none'` unless a route set its own (the docs page does), `Permissions-Policy`
/// turning off the powerful features, `nosniff`, `DENY` framing, no referrer, and `no-store` unless
/// a route chose its caching. `Strict-Transport-Security` is sent when the request came over HTTPS,
/// which the server learns from a trusted proxy's `X-Forwarded-Proto` (the server itself speaks
/// plain HTTP behind a TLS-terminating proxy).
public struct SecurityHeadersMiddleware: RouterMiddleware {
    public typealias Context = TrellisRequestContext

    /// Proxies in front of the server (`TRUSTED_PROXY_HOPS`): with none, `X-Forwarded-Proto` is ignored.
    let trustedProxyHops: Int

    public init(trustedProxyHops: Int = 0) {
        self.trustedProxyHops = trustedProxyHops
    }

    static let contentSecurityPolicy = "default-src 'none'; frame-ancestors 'none'"
    static let permissionsPolicy = "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), payment=(), usb=()"
    static let strictTransportSecurity = "max-age=31536000; includeSubDomains"

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        var response = try await next(request, context)
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[.xFrameOptions] = "DENY"
        response.headers[.referrerPolicy] = "no-referrer"
        response.headers[.cacheControl] = response.headers[.cacheControl] ?? "no-store"
        response.headers[.contentSecurityPolicy] = response.headers[.contentSecurityPolicy] ?? Self.contentSecurityPolicy
        response.headers[.permissionsPolicy] = Self.permissionsPolicy
        if cameOverHTTPS(request) {
            response.headers[.strictTransportSecurity] = Self.strictTransportSecurity
        }
        return response
    }

    /// The scheme the nearest trusted proxy saw: the last `X-Forwarded-Proto` entry it appended.
    func cameOverHTTPS(_ request: Request) -> Bool {
        guard trustedProxyHops > 0, let header = request.headers[.xForwardedProto] else { return false }
        return header.split(separator: ",").last?.trimmingCharacters(in: .whitespaces).lowercased() == "https"
    }
}

extension HTTPField.Name {
    static let xContentTypeOptions = HTTPField.Name("X-Content-Type-Options")!
    static let xFrameOptions = HTTPField.Name("X-Frame-Options")!
    static let referrerPolicy = HTTPField.Name("Referrer-Policy")!
    static let permissionsPolicy = HTTPField.Name("Permissions-Policy")!
    /// `X-Forwarded-Proto`, set by a TLS-terminating proxy.
    public static let xForwardedProto = HTTPField.Name("X-Forwarded-Proto")!
}
