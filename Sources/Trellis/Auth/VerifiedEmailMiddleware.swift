import HTTPTypes
import Hummingbird

/// Wraps the generated routes of an API with ``EmailVerificationRule/requiredForWrites``: a
/// create, update, delete, restore or action (any method but GET and HEAD) by an account whose
/// email is not verified answers 403 before the route runs. Reads pass; an anonymous request goes
/// on to the route, which answers 401.
struct VerifiedEmailMiddleware: RouterMiddleware {
    typealias Context = TrellisRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if request.method != .get && request.method != .head, let principal = context.principal, !principal.emailVerified {
            throw APIError(
                .forbidden,
                "Verify your email address before changing data: follow the link sent to it, or ask for a new one (POST /api/v1/auth/verify-email/resend).",
                details: ["email": ["is not verified"]]
            )
        }
        return try await next(request, context)
    }
}
