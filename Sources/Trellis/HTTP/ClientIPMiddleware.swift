import Foundation
import HTTPTypes
import Hummingbird

/// Sets ``TrellisRequestContext/clientIP`` from `X-Forwarded-For` when the server runs behind
/// `trustedProxyHops` proxies that append to it; otherwise the socket's peer address stays.
///
/// Only the entries the trusted proxies appended are believed (counting from the right), so a
/// client cannot pick its own address to dodge per-IP limits.
public struct ClientIPMiddleware: RouterMiddleware {
    public typealias Context = TrellisRequestContext

    public let trustedProxyHops: Int

    public init(trustedProxyHops: Int) {
        self.trustedProxyHops = trustedProxyHops
    }

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        guard trustedProxyHops > 0, let header = request.headers[.xForwardedFor] else {
            return try await next(request, context)
        }
        let entries = header.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard entries.count >= trustedProxyHops else { return try await next(request, context) }
        var context = context
        context.clientIP = String(entries[entries.count - trustedProxyHops].prefix(64))
        return try await next(request, context)
    }
}

extension HTTPField.Name {
    /// `X-Forwarded-For`.
    public static let xForwardedFor = HTTPField.Name("X-Forwarded-For")!
}
