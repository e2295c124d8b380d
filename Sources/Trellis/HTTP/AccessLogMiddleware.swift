import Foundation
import Hummingbird
import Logging

/// One structured log line per request, `request`, with the method, the route template (`route`,
/// `/api/v1/projects/{id}`), the path, the status, `duration_ms`, the client IP and, once
/// authenticated, `user_id`, `org_id` and `api_key_id`; the request id comes with the logger.
///
/// Path segments that look like secrets (32+ characters that are not a UUID, such as an
/// invitation token) are logged as `[redacted]`.
public struct AccessLogMiddleware: RouterMiddleware {
    public typealias Context = TrellisRequestContext

    public init() {}

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        guard context.logger.logLevel <= .info else { return try await next(request, context) }
        let start = ContinuousClock.now
        let response = try await next(request, context)
        let (seconds, attoseconds) = (ContinuousClock.now - start).components
        let milliseconds = ((Double(seconds) * 1000 + Double(attoseconds) / 1e15) * 100).rounded() / 100
        var metadata: Logger.Metadata = [
            "method": .string(request.method.rawValue),
            "route": .string(context.endpointPath ?? "unmatched"),
            "path": .string(Self.redacted(request.uri.path)),
            "status": .stringConvertible(Int(response.status.code)),
            "duration_ms": .stringConvertible(milliseconds),
        ]
        if let ip = context.clientIP { metadata["client_ip"] = .string(ip) }
        if let caller = context.observation.callerIDs {
            metadata["user_id"] = .string(caller.userID.lowercasedString)
            metadata["org_id"] = .string(caller.orgID.lowercasedString)
            if let key = caller.apiKeyID { metadata["api_key_id"] = .string(key.lowercasedString) }
        }
        context.logger.info("request", metadata: metadata)
        return response
    }

    static func redacted(_ path: String) -> String {
        path.split(separator: "/", omittingEmptySubsequences: false).map { segment in
            segment.count >= 32 && UUID(uuidString: String(segment)) == nil ? "[redacted]" : String(segment)
        }.joined(separator: "/")
    }
}
