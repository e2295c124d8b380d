import Hummingbird

/// Reads `Authorization: Bearer <access JWT>` into the context's principal.
///
/// A missing header leaves the principal empty (handlers answer 401 where they need one); a header
/// that is present but invalid is refused at once with 401.
public struct AuthenticationMiddleware: RouterMiddleware {
    public typealias Context = TrellisRequestContext

    let tokens: AccessTokens

    public init(tokens: AccessTokens) {
        self.tokens = tokens
    }

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        guard let header = request.headers[.authorization] else {
            return try await next(request, context)
        }
        let prefix = "bearer "
        guard header.count > prefix.count, header.prefix(prefix.count).lowercased() == prefix else {
            throw APIError.unauthorized
        }
        var context = context
        context.principal = try await tokens.verify(String(header.dropFirst(prefix.count)))
        return try await next(request, context)
    }
}
