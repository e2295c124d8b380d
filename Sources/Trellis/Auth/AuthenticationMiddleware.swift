import Hummingbird

/// Reads `Authorization: Bearer <access JWT | API key>` into the context's principal.
///
/// A missing header leaves the principal empty (handlers answer 401 where they need one); a header
/// that is present but invalid is refused at once with 401.
public struct AuthenticationMiddleware: RouterMiddleware {
    public typealias Context = TrellisRequestContext

    let tokens: AccessTokens
    /// Where API keys are looked up; nil accepts access tokens only.
    let database: Database?

    public init(tokens: AccessTokens, database: Database? = nil) {
        self.tokens = tokens
        self.database = database
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
        let credential = String(header.dropFirst(prefix.count))
        var context = context
        if let database, APIKey.looksLikeKey(credential) {
            guard let principal = try await APIKey.authenticate(credential, client: database.client, logger: context.logger) else {
                throw APIError.unauthorized
            }
            context.principal = principal
        } else {
            context.principal = try await tokens.verify(credential)
        }
        if let principal = context.principal {
            context.observation.authenticated(principal)
            context.logger[metadataKey: "user_id"] = .string(principal.userID.uuidString.lowercased())
            context.logger[metadataKey: "org_id"] = .string(principal.orgID.uuidString.lowercased())
        }
        return try await next(request, context)
    }
}
