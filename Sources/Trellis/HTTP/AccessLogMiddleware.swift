import Foundation
import Hummingbird
import Logging

/// One structured log line per request: method, path, status and duration.
///
/// Path segments that look like secrets (32+ characters that are not a UUID, such as an
/// invitation token) are logged as `[redacted]`.
public struct AccessLogMiddleware: RouterMiddleware {
    public typealias Context = TrellisRequestContext

    public init() {}

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let start = ContinuousClock.now
        let response = try await next(request, context)
        let elapsed = ContinuousClock.now - start
        let (seconds, attoseconds) = elapsed.components
        let milliseconds = Double(seconds) * 1000 + Double(attoseconds) / 1e15
        context.logger.info(
            "request",
            metadata: [
                "method": .string(request.method.rawValue),
                "path": .string(Self.redacted(request.uri.path)),
                "status": .stringConvertible(response.status.code),
                "duration_ms": .string(String(format: "%.2f", milliseconds)),
            ]
        )
        return response
    }

    static func redacted(_ path: String) -> String {
        path.split(separator: "/", omittingEmptySubsequences: false).map { segment in
            segment.count >= 32 && UUID(uuidString: String(segment)) == nil ? "[redacted]" : String(segment)
        }.joined(separator: "/")
    }
}
