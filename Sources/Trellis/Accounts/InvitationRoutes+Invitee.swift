import Foundation
import Hummingbird
import Logging
import NIOCore
import PostgresNIO

/// What the invitee does with the token from the email: preview, accept, decline. None needs a
/// bearer token; an unknown, expired, used or revoked token is 404 for all three.
extension InvitationRoutes {
    func preview(_ request: Request, _ context: TrellisRequestContext) async throws -> Response {
        try request.rejectUnknownQueryParameters()
        let token = context.parameters.get("id") ?? ""
        let offer = try await database.client.withConnection { connection in
            try await InvitationOffer.find(token: token, on: connection, logger: context.logger)
        }
        guard let offer else { throw APIError.notFound("invitation") }
        return Response.data(offer.json)
    }

    /// Joins the organization and answers a token pair for it. The organization is the
    /// invitation's (`offer.orgID`, from its row), not the caller's.
    ///
    /// With a bearer token, its user must be the invited email (else 403). Without one, the invited
    /// email must have no account yet (else 401: sign in first, so nobody takes over an account
    /// without its password), and the body's `name` and `password` create it.
    func accept(_ request: Request, _ context: TrellisRequestContext) async throws -> Response {
        try request.rejectUnknownQueryParameters()
        let token = context.parameters.get("id") ?? ""
        let logger = context.logger
        let body = try await request.optionalJSONObject(context: context)
        guard let offer = try await database.withConnection(logger: logger, { try await InvitationOffer.find(token: token, on: $0, logger: logger) })
        else { throw APIError.notFound("invitation") }

        // The new account's password is hashed before the transaction: argon2id takes a while.
        var newAccount: (name: String, hash: String)?
        if let principal = context.principal {
            guard principal.apiKeyID == nil else { throw APIError(.forbidden, "Accept an invitation as a signed-in user, not with an API key.") }
        } else {
            if try await accountExists(offer.email, logger: logger) {
                throw APIError(
                    .unauthorized, "An account with this email already exists; sign in and accept with its access token.",
                    headers: [.wwwAuthenticate: "Bearer"]
                )
            }
            var input = InputReader(body, fields: ["name", "password"], serverOwned: [])
            let name = input.read("name", as: String.self, required: true, check: .length(min: 1, max: 200))
            let password = input.read("password", as: String.self, required: true)
            if let password {
                for problem in PasswordPolicy.problems(with: password, email: offer.email) { input.reject("password", problem) }
            }
            try input.finish()
            guard let name, let password else { throw input.failure() }
            newAccount = (name, try await hasher.hash(password))
        }

        let origin = RequestOrigin(request, context: context)
        let principal = context.principal
        let account = newAccount
        let pair = try await database.transaction(logger: logger) { connection in
            guard let offer = try await InvitationOffer.find(token: token, lock: true, on: connection, logger: logger) else {
                throw APIError.notFound("invitation")
            }
            let userID: UUID
            if let principal {
                try await SessionTokens.requireActiveSession(of: principal, on: connection, logger: logger)
                let email = try await first(
                    connection.query("SELECT lower(email) FROM users WHERE id = \(principal.userID)", logger: logger).decode(String.self)
                )
                guard email == offer.email.lowercased() else { throw APIError(.forbidden, "This invitation is for another email address.") }
                userID = principal.userID
            } else if let account {
                userID = UUID.v7()
                try await connection.query(
                    "INSERT INTO users (id, email, name, password_hash) VALUES (\(userID), \(offer.email), \(account.name), \(account.hash))",
                    logger: logger
                )
            } else {
                throw APIError.unauthorized
            }
            if try await Memberships.role(of: userID, in: offer.orgID, on: connection, logger: logger) != nil {
                throw APIError(.conflict, "You are already a member of this organization.")
            }
            try await connection.query(
                "INSERT INTO memberships (org_id, user_id, role) VALUES (\(offer.orgID), \(userID), \(offer.role.rawValue))", logger: logger
            )
            try await connection.query("UPDATE invitations SET accepted_at = now() WHERE id = \(offer.id)", logger: logger)
            try await AuditLog.record(
                .invitationAccepted, userID: userID, orgID: offer.orgID, subjectID: offer.id, origin: origin, on: connection, logger: logger
            )
            return try await sessions.start(userID: userID, orgID: offer.orgID, role: offer.role, origin: origin, on: connection, logger: logger)
        }
        return Response.credentials(pair)
    }

    /// Audited in the invitation's organization, from its row: the invitee is not a member.
    func decline(_ request: Request, _ context: TrellisRequestContext) async throws -> Response {
        try request.rejectUnknownQueryParameters()
        let token = context.parameters.get("id") ?? ""
        let origin = RequestOrigin(request, context: context)
        try await database.transaction(logger: context.logger) { connection in
            let row = try await first(
                connection.query(
                    """
                    UPDATE invitations i SET declined_at = now()
                    WHERE i.token_hash = \(SecretToken.digest(of: token)) AND \(unescaped: InvitationRecord.pending) RETURNING i.id, i.org_id
                    """,
                    logger: context.logger
                ).decode((UUID, UUID).self)
            )
            guard let (id, orgID) = row else { throw APIError.notFound("invitation") }
            try await AuditLog.record(
                .invitationDeclined, userID: context.principal?.userID, orgID: orgID, subjectID: id, origin: origin, on: connection,
                logger: context.logger
            )
        }
        return Response(status: .noContent)
    }

    private func accountExists(_ email: String, logger: Logger) async throws -> Bool {
        try await database.withConnection(logger: logger) { connection in
            try await first(
                connection.query("SELECT 1::int4 FROM users WHERE lower(email) = \(email.lowercased())", logger: logger).decode(Int32.self)
            ) != nil
        }
    }
}
