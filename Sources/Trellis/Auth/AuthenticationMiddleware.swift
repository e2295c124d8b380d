import Hummingbird
import Logging

/// Reads `Authorization: Bearer <access JWT | API key>` into the context's principal.
///
/// A missing header leaves the principal empty (handlers answer 401 where they need one); a header
/// that is present but invalid is refused with 401: at once, or, with `defersRejection`, by the
/// ``APIRateLimitMiddleware`` after it, once the request has counted against its client IP (else a
/// made-up token would be a way around the anonymous limit).
public struct AuthenticationMiddleware: RouterMiddleware {
    public typealias Context = TrellisRequestContext

    let tokens: AccessTokens
    /// Where API keys are looked up; nil accepts access tokens only.
    let database: Database?
    let defersRejection: Bool

    public init(tokens: AccessTokens, database: Database? = nil, defersRejection: Bool = false) {
        self.tokens = tokens
        self.database = database
        self.defersRejection = defersRejection
    }

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        guard let header = request.headers[.authorization] else {
            return try await next(request, context)
        }
        var context = context
        do {
            context.principal = try await principal(from: header, logger: context.logger)
        } catch let error as APIError where defersRejection {
            context.rejectedCredential = error
            return try await next(request, context)
        }
        if let principal = context.principal {
            context.observation.authenticated(principal)
            context.logger[metadataKey: "user_id"] = .string(principal.userID.lowercasedString)
            context.logger[metadataKey: "org_id"] = .string(principal.orgID.lowercasedString)
        }
        return try await next(request, context)
    }

    /// Who the `Authorization` header names; 401 when it names no one.
    private func principal(from header: String, logger: Logger) async throws -> Principal {
        let prefix = "bearer "
        guard header.count > prefix.count, header.prefix(prefix.count).lowercased() == prefix else {
            throw APIError.unauthorized
        }
        let credential = String(header.dropFirst(prefix.count))
        if let database, APIKey.looksLikeKey(credential) {
            guard let principal = try await APIKey.authenticate(credential, client: database.client, logger: logger) else {
                throw APIError.unauthorized
            }
            return principal
        }
        return try await tokens.verify(credential)
    }
}
