import Hummingbird

/// Where a request came from, as the audit trail and sessions record it.
public struct RequestOrigin: Sendable, Hashable {
    public var ip: String?
    public var userAgent: String?
    public var requestID: String?

    public init(ip: String? = nil, userAgent: String? = nil, requestID: String? = nil) {
        self.ip = ip
        self.userAgent = userAgent
        self.requestID = requestID
    }

    public init(_ request: Request, context: TrellisRequestContext) {
        self.init(
            ip: context.clientIP, userAgent: request.headers[.userAgent].map { String($0.prefix(500)) },
            requestID: context.requestID
        )
    }
}
