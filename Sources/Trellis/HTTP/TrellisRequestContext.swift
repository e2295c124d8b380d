import Hummingbird
import Logging

/// The request context of every Trellis route: the request id and, once authenticated, the principal.
public struct TrellisRequestContext: RequestContext, Sendable {
    public var coreContext: CoreRequestContextStorage
    /// The `X-Request-ID` of this request, accepted from the client or generated.
    public var requestID: String
    /// Who is calling; set by ``AuthenticationMiddleware``.
    public var principal: Principal?
    /// The peer's IP address (the socket's; a proxy's own address when behind one).
    public var clientIP: String?

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.requestID = ""
        self.principal = nil
        self.clientIP = source.channel.remoteAddress?.ipAddress
    }

    /// Request bodies over 1 MiB are refused with 413.
    public var maxUploadSize: Int { 1 << 20 }

    /// The principal, or 401 when the request is not authenticated.
    public func requirePrincipal() throws(APIError) -> Principal {
        guard let principal else { throw APIError.unauthorized }
        return principal
    }

    /// The principal, provided its role is among `roles`: 401 without one, 403 with another role.
    public func requireRole(in roles: [Role]) throws(APIError) -> Principal {
        let principal = try requirePrincipal()
        guard roles.contains(principal.role) else { throw APIError.forbidden }
        return principal
    }
}
