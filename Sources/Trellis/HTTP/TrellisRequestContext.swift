import Foundation
import Hummingbird
import Logging
import Synchronization

/// The request context of every Trellis route: the request id and, once authenticated, the principal.
public struct TrellisRequestContext: RequestContext, Sendable {
    public var coreContext: CoreRequestContextStorage
    /// The `X-Request-ID` of this request, accepted from the client or generated.
    public var requestID: String
    /// Who is calling; set by ``AuthenticationMiddleware``.
    public var principal: Principal?
    /// The peer's IP address (the socket's; a proxy's own address when behind one).
    public var clientIP: String?
    /// The 401 an invalid `Authorization` header earned, until the rate limit has counted the
    /// request (``AuthenticationMiddleware``, `defersRejection`).
    public var rejectedCredential: APIError?
    /// What the access log reports about the request, filled in by the middleware that learns it.
    public let observation = RequestObservation()

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.requestID = ""
        self.principal = nil
        self.rejectedCredential = nil
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

/// What a request's access-log line reports that only an inner middleware learns: who the caller
/// is. Shared by every copy of the request's context (a middleware passes a changed copy inward,
/// and the access log, further out, keeps the original).
public final class RequestObservation: Sendable {
    private let caller = Mutex<(userID: UUID, orgID: UUID, apiKeyID: UUID?)?>(nil)

    public init() {}

    /// Records the authenticated caller.
    public func authenticated(_ principal: Principal) {
        caller.withLock { $0 = (principal.userID, principal.orgID, principal.apiKeyID) }
    }

    /// The caller, once authenticated.
    public var callerIDs: (userID: UUID, orgID: UUID, apiKeyID: UUID?)? {
        caller.withLock { $0 }
    }
}
