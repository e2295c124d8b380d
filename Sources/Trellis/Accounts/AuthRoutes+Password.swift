import Foundation
import Hummingbird
import PostgresNIO

/// `POST /auth/password`: a signed-in session changes its user's password.
extension AuthRoutes {
    /// Needs the current password (attempts are throttled per user like sign-in, and failures are
    /// audited) and a session that is still active; API keys cannot change passwords. Every other
    /// session of the user ends, and the user is told by email.
    func changePassword(_ request: Request, _ context: TrellisRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        try request.rejectUnknownQueryParameters()
        guard let sessionID = principal.sessionID else { throw APIError(.forbidden, "Only a signed-in session can change the password.") }
        var input = InputReader(try await request.jsonObject(context: context), fields: ["current_password", "new_password"], serverOwned: [])
        let current = input.read("current_password", as: String.self, required: true)
        let new = input.read("new_password", as: String.self, required: true)
        try input.finish()
        guard let current, let new else { throw input.failure() }
        let scope = TenantScope(principal: principal)
        let origin = RequestOrigin(request, context: context)
        let (currentMatches, email) = try await checkPassword(current, of: principal, context: context)
        var errors = ValidationErrors()
        if !currentMatches {
            errors.add("current_password", "is incorrect")
            // On a connection of its own: the request fails, and the failed attempt must stay recorded.
            try await database.client.withConnection { connection in
                try await AuditLog.record(
                    .passwordChangeFailed, in: scope, userID: principal.userID, subjectID: sessionID, origin: origin, on: connection,
                    logger: context.logger
                )
            }
        }
        for problem in PasswordPolicy.problems(with: new, email: email) { errors.add("new_password", problem) }
        try errors.throwIfAny()
        let hash = try await hasher.hash(new)
        try await database.transaction(logger: context.logger) { connection in
            try await SessionTokens.requireActiveSession(of: principal, on: connection, logger: context.logger)
            try await connection.query(
                "UPDATE users SET password_hash = \(hash), updated_at = now() WHERE id = \(principal.userID)", logger: context.logger
            )
            try await sessions.revokeAll(userID: principal.userID, keeping: sessionID, on: connection, logger: context.logger)
            try await AuditLog.record(
                .passwordChanged, in: scope, userID: principal.userID, origin: origin, on: connection, logger: context.logger
            )
            try await EmailOutbox.enqueue(emails.passwordChanged(to: email, at: Date()), on: connection, logger: context.logger)
        }
        return Response(status: .noContent)
    }

    /// Whether `password` is the signed-in user's, and their email. Only for a session still
    /// active (an ended one learns nothing, not even whether a guess was right), and throttled per
    /// user like sign-in (429 beyond): what a password change and an email change ask first.
    func checkPassword(_ password: String, of principal: Principal, context: TrellisRequestContext) async throws -> (matches: Bool, email: String) {
        try await database.withConnection(logger: context.logger) { connection in
            try await SessionTokens.requireActiveSession(of: principal, on: connection, logger: context.logger)
        }
        if let retryAfter = try await throttle.hit(["password:user:\(principal.userID)"], logger: context.logger) {
            throw APIError.tooMany("password attempts", retryAfter: retryAfter)
        }
        let stored = try await database.withConnection(logger: context.logger) { connection in
            try await first(
                connection.query("SELECT password_hash, email FROM users WHERE id = \(principal.userID)", logger: context.logger)
                    .decode((String?, String).self)
            )
        }
        guard let (hash, email) = stored else { throw APIError.unauthorized }
        guard let hash else { return (false, email) }
        return (try await hasher.verify(password, against: hash), email)
    }
}
