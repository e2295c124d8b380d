import Foundation
import Hummingbird
import PostgresNIO

/// Password reset and email verification, by single-use tokens sent by email (``AccountTokens``).
extension AuthRoutes {
    /// `POST /auth/password-reset`: emails a reset link (valid 1 h) to the account with this
    /// email. The answer is the same whether or not there is one, and when the account was sent
    /// its 3 links of the hour.
    func requestPasswordReset(_ request: Request, _ context: TrellisRequestContext) async throws -> Response {
        try request.rejectUnknownQueryParameters()
        var input = InputReader(try await request.jsonObject(context: context), fields: ["email"], serverOwned: [])
        let text = input.read("email", as: String.self, required: true)
        let email = text.flatMap(EmailAddress.init)
        if text != nil && email == nil { input.reject("email", StringFormat.email.message) }
        try input.finish()
        guard let email else { throw input.failure() }
        let origin = RequestOrigin(request, context: context)
        if let retryAfter = try await throttle.hit(["password-reset:ip:\(origin.ip ?? "unknown")"], logger: context.logger) {
            throw APIError.tooMany("password reset requests", retryAfter: retryAfter)
        }
        try await database.transaction(logger: context.logger) { connection in
            let account = try await first(
                connection.query("SELECT id, email FROM users WHERE lower(email) = \(email.value)", logger: context.logger).decode((UUID, String).self)
            )
            guard let (userID, address) = account else { return }
            try await AuditLog.record(.passwordResetRequested, userID: userID, origin: origin, on: connection, logger: context.logger)
            guard let token = try await AccountTokens.issue(.resetPassword, userID: userID, email: address, on: connection, logger: context.logger) else {
                return
            }
            try await EmailOutbox.enqueue(emails.passwordReset(to: address, token: token.value), on: connection, logger: context.logger)
        }
        return Response.data(
            ["message": "If an account has this email, a link to reset its password is on its way; it works for one hour."] as JSONValue,
            status: .accepted
        )
    }

    /// `POST /auth/password-reset/confirm`: sets a new password with the token from the email
    /// (once); every session of the account ends, and the account is told by email.
    func resetPassword(_ request: Request, _ context: TrellisRequestContext) async throws -> Response {
        try request.rejectUnknownQueryParameters()
        var input = InputReader(try await request.jsonObject(context: context), fields: ["token", "new_password"], serverOwned: [])
        let token = input.read("token", as: String.self, required: true, check: .length(min: 1, max: 512))
        let password = input.read("new_password", as: String.self, required: true)
        try input.finish()
        guard let token, let password else { throw input.failure() }
        let origin = RequestOrigin(request, context: context)
        if let retryAfter = try await throttle.hit(["password-reset:ip:\(origin.ip ?? "unknown")"], logger: context.logger) {
            throw APIError.tooMany("password reset attempts", retryAfter: retryAfter)
        }
        let hash = try await hasher.hash(password)
        try await database.transaction(logger: context.logger) { connection in
            guard let (userID, email) = try await AccountTokens.redeem(.resetPassword, token: token, on: connection, logger: context.logger) else {
                throw APIError.validation(["token": ["is invalid, used or expired; ask for a new link"]])
            }
            var errors = ValidationErrors()
            for problem in PasswordPolicy.problems(with: password, email: email) { errors.add("new_password", problem) }
            try errors.throwIfAny()
            try await connection.query(
                "UPDATE users SET password_hash = \(hash), updated_at = now() WHERE id = \(userID)", logger: context.logger
            )
            // Links sent before this one stop working too.
            try await connection.query(
                "UPDATE account_tokens SET used_at = now() WHERE user_id = \(userID) AND purpose = 'reset_password' AND used_at IS NULL",
                logger: context.logger
            )
            try await sessions.revokeAll(userID: userID, on: connection, logger: context.logger)
            try await AuditLog.record(.passwordReset, userID: userID, origin: origin, on: connection, logger: context.logger)
            try await EmailOutbox.enqueue(emails.passwordChanged(to: email, at: Date()), on: connection, logger: context.logger)
        }
        return Response(status: .noContent)
    }

    /// `POST /auth/verify-email`: confirms the account's email with the token from the email.
    func verifyEmail(_ request: Request, _ context: TrellisRequestContext) async throws -> Response {
        try request.rejectUnknownQueryParameters()
        var input = InputReader(try await request.jsonObject(context: context), fields: ["token"], serverOwned: [])
        let token = input.read("token", as: String.self, required: true, check: .length(min: 1, max: 512))
        try input.finish()
        guard let token else { throw input.failure() }
        let origin = RequestOrigin(request, context: context)
        let verifiedAt = try await database.transaction(logger: context.logger) { connection -> Timestamp in
            guard let (userID, _) = try await AccountTokens.redeem(.verifyEmail, token: token, on: connection, logger: context.logger) else {
                throw APIError.validation(["token": ["is invalid, used or expired; ask for a new link"]])
            }
            let at = try await first(
                connection.query(
                    "UPDATE users SET email_verified_at = coalesce(email_verified_at, now()) WHERE id = \(userID) RETURNING email_verified_at",
                    logger: context.logger
                ).decode(Timestamp.self)
            )
            try await AuditLog.record(.emailVerified, userID: userID, origin: origin, on: connection, logger: context.logger)
            return at ?? Timestamp.now()
        }
        return Response.data(["email_verified_at": .string(verifiedAt.description)] as JSONValue)
    }

    /// `POST /auth/verify-email/resend`: the signed-in user gets a new verification link, at most
    /// 3 an hour (429 beyond); 409 when the email is already verified.
    func resendVerification(_ request: Request, _ context: TrellisRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        try request.rejectUnknownQueryParameters()
        guard principal.apiKeyID == nil else { throw APIError(.forbidden, "Only a signed-in session can ask for a verification link.") }
        try await database.transaction(logger: context.logger) { connection in
            let account = try await first(
                connection.query("SELECT email, email_verified_at FROM users WHERE id = \(principal.userID)", logger: context.logger)
                    .decode((String, Timestamp?).self)
            )
            guard let (email, verifiedAt) = account else { throw APIError.unauthorized }
            guard verifiedAt == nil else { throw APIError(.conflict, "The email address is already verified.") }
            guard let token = try await AccountTokens.issue(.verifyEmail, userID: principal.userID, email: email, on: connection, logger: context.logger)
            else {
                throw APIError.tooMany("verification emails", retryAfter: 3600)
            }
            try await EmailOutbox.enqueue(emails.emailVerification(to: email, token: token.value), on: connection, logger: context.logger)
        }
        return Response(status: .accepted)
    }

    /// `POST /auth/email`: a signed-in session moves the account to another address, with its
    /// password. The new address must be verified again (a link is sent to it); the old one is
    /// told, with what to do if this wasn't its owner; links sent to the old one stop working.
    func changeEmail(_ request: Request, _ context: TrellisRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        try request.rejectUnknownQueryParameters()
        guard principal.apiKeyID == nil else { throw APIError(.forbidden, "Only a signed-in session can change the email address.") }
        var input = InputReader(try await request.jsonObject(context: context), fields: ["new_email", "password"], serverOwned: [])
        let text = input.read("new_email", as: String.self, required: true)
        let password = input.read("password", as: String.self, required: true)
        let newEmail = text.flatMap(EmailAddress.init)
        if text != nil && newEmail == nil { input.reject("new_email", StringFormat.email.message) }
        try input.finish()
        guard let newEmail, let password else { throw input.failure() }
        let (matches, oldEmail) = try await checkPassword(password, of: principal, context: context)
        guard matches else { throw APIError.validation(["password": ["is incorrect"]]) }
        let origin = RequestOrigin(request, context: context)
        let verifiedAt = try await database.transaction(logger: context.logger) { connection -> Timestamp? in
            try await SessionTokens.requireActiveSession(of: principal, on: connection, logger: context.logger)
            if oldEmail.lowercased() == newEmail.value {
                return try await first(
                    connection.query("SELECT email_verified_at FROM users WHERE id = \(principal.userID)", logger: context.logger)
                        .decode(Timestamp?.self)
                ) ?? nil
            }
            let taken = try await first(
                connection.query("SELECT 1::int4 FROM users WHERE lower(email) = \(newEmail.value)", logger: context.logger).decode(Int32.self)
            )
            guard taken == nil else {
                throw APIError(.conflict, "Another account has this email address.", details: ["new_email": ["is already registered"]])
            }
            try await connection.query(
                "UPDATE users SET email = \(newEmail.value), email_verified_at = NULL, updated_at = now() WHERE id = \(principal.userID)",
                logger: context.logger
            )
            try await AuditLog.record(
                .emailChanged, in: TenantScope(principal: principal), userID: principal.userID, origin: origin, on: connection, logger: context.logger
            )
            if let token = try await AccountTokens.issue(.verifyEmail, userID: principal.userID, email: newEmail.value, on: connection, logger: context.logger) {
                try await EmailOutbox.enqueue(emails.emailVerification(to: newEmail.value, token: token.value), on: connection, logger: context.logger)
            }
            try await EmailOutbox.enqueue(
                emails.emailChanged(to: oldEmail, newAddress: newEmail.value, at: Date()), on: connection, logger: context.logger
            )
            return nil
        }
        return Response.data(
            ["email": .string(newEmail.value), "email_verified_at": verifiedAt.map { .string($0.description) } ?? .null] as JSONValue
        )
    }
}
