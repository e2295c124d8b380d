import Foundation
import Hummingbird
import Logging
import PostgresNIO
import TrellisAccountsAPI

/// `/invitations`: admins and owners invite people by email; invitees preview, accept or decline
/// with the token from the email (see `InvitationRoutes+Invitee.swift`).
///
/// An invitation's token is 256 random bits, shown only in the email (queued in `email_outbox`)
/// and stored as its SHA-256 digest; it works for 7 days and once. Only owners invite owners.
/// One pending invitation per email and organization (`invitations_pending_key`).
public struct InvitationRoutes: Sendable {
    public let database: Database
    public let sessions: SessionTokens
    public let hasher: PasswordHasher
    /// The invitation email, linking to `APP_URL` (relative links without it).
    public let emails: AccountEmails

    static let read = Permission(roles: [.owner, .admin], scope: "read:invitations")
    static let manage = Permission(roles: [.owner, .admin], scope: "write:invitations")

    public init(database: Database, sessions: SessionTokens, hasher: PasswordHasher, emails: AccountEmails) {
        self.database = database
        self.sessions = sessions
        self.hasher = hasher
        self.emails = emails
    }

    /// `GET` and `DELETE invitations/:id` share one route node, so the token routes name their
    /// token `id` too: there `id` is the token from the email, not the invitation's id.
    public func add(to group: RouterGroup<TrellisRequestContext>) {
        group.on(.listInvitations) { request, context in try await list(request, context) }
        group.on(.createInvitation) { request, context in try await create(request, context) }
        group.on(.revokeInvitation) { request, context in try await revoke(request, context) }
        group.on(.getInvitationByToken) { request, context in try await preview(request, context) }
        group.on(.acceptInvitation) { request, context in try await accept(request, context) }
        group.on(.declineInvitation) { request, context in try await decline(request, context) }
    }

    func list(_ request: Request, _ context: TrellisRequestContext) async throws -> Response {
        let principal = try context.require(Self.read)
        let scope = TenantScope(principal: principal)
        try request.rejectUnknownQueryParameters()
        let invitations = try await database.client.withConnection { connection in
            _ = try await MemberAccess.currentRole(of: principal, among: Self.read.roles, on: connection, logger: context.logger)
            return try await InvitationRecord.pending(in: scope, on: connection, logger: context.logger)
        }
        return Response.data(JSONValue.array(invitations.map(\.json)))
    }

    func create(_ request: Request, _ context: TrellisRequestContext) async throws -> Response {
        let principal = try context.require(Self.manage)
        let scope = TenantScope(principal: principal)
        try request.rejectUnknownQueryParameters()
        var input = InputReader(
            try await request.jsonObject(context: context), fields: ["email", "role"],
            serverOwned: ["id", "invited_by", "expires_at", "created_at"]
        )
        let emailText = input.read("email", as: String.self, required: true)
        let role = input.readRole("role")
        let address = emailText.flatMap(EmailAddress.init)
        if emailText != nil && address == nil { input.reject("email", StringFormat.email.message) }
        try input.finish()
        guard let address, let role else { throw input.failure() }
        let token = SecretToken.generate()
        let origin = RequestOrigin(request, context: context)
        let logger = context.logger
        let invitation = try await database.transaction(logger: logger) { connection in
            try await SessionTokens.requireActiveSession(of: principal, on: connection, logger: logger)
            let callerRole = try await MemberAccess.currentRole(of: principal, among: Self.manage.roles, on: connection, logger: logger)
            guard callerRole.grantableRoles.contains(role) else { throw APIError(.forbidden, "Only owners can invite owners.") }
            try await Self.requireInvitable(address, to: scope, on: connection, logger: logger)
            let row = try await first(
                connection.query(
                    """
                    INSERT INTO invitations (id, org_id, email, role, invited_by, token_hash, expires_at)
                    VALUES (\(UUID.v7()), \(scope.orgID), \(address.value), \(role.rawValue), \(principal.userID), \(token.digest),
                            now() + interval '7 days')
                    RETURNING id, expires_at, created_at
                    """,
                    logger: logger
                ).decode((UUID, Timestamp, Timestamp).self)
            )
            guard let (id, expiresAt, createdAt) = row else { throw APIError(.internalError, "An unexpected error occurred.") }
            let invitation = InvitationRecord(
                id: id, email: address.value, role: role, invitedBy: principal.userID, expiresAt: expiresAt, createdAt: createdAt
            )
            let message = try await email(for: invitation, token: token.value, in: scope, on: connection, logger: logger)
            try await EmailOutbox.enqueue(message, on: connection, logger: logger)
            try await AuditLog.record(
                .invitationCreated, in: scope, userID: principal.userID, apiKeyID: principal.apiKeyID, subjectID: id,
                origin: origin, on: connection, logger: logger
            )
            return invitation
        }
        return Response.data(invitation.json, status: .created)
    }

    func revoke(_ request: Request, _ context: TrellisRequestContext) async throws -> Response {
        let principal = try context.require(Self.manage)
        let scope = TenantScope(principal: principal)
        try request.rejectUnknownQueryParameters()
        let id = try context.resourceID()
        let origin = RequestOrigin(request, context: context)
        try await database.transaction(logger: context.logger) { connection in
            _ = try await MemberAccess.currentRole(of: principal, among: Self.manage.roles, on: connection, logger: context.logger)
            guard try await InvitationRecord.revoke(id, in: scope, on: connection, logger: context.logger) else {
                throw APIError.notFound("invitation")
            }
            try await AuditLog.record(
                .invitationRevoked, in: scope, userID: principal.userID, apiKeyID: principal.apiKeyID, subjectID: id,
                origin: origin, on: connection, logger: context.logger
            )
        }
        return Response(status: .noContent)
    }

    /// 409 when `address` already belongs to a member of the caller's organization or has a pending
    /// invitation there. An expired invitation still counted by `invitations_pending_key` is revoked
    /// first, so a new one can take its place.
    static func requireInvitable(_ address: EmailAddress, to scope: TenantScope, on connection: PostgresConnection, logger: Logger) async throws {
        let member = try await first(
            connection.query(
                """
                SELECT 1::int4 FROM memberships m JOIN users u ON u.id = m.user_id
                WHERE m.org_id = \(scope.orgID) AND lower(u.email) = \(address.value)
                """,
                logger: logger
            ).decode(Int32.self)
        )
        if member != nil {
            throw APIError(.conflict, "This email already belongs to a member of the organization.", details: ["email": ["is already a member"]])
        }
        try await connection.query(
            """
            UPDATE invitations SET revoked_at = now()
            WHERE org_id = \(scope.orgID) AND lower(email) = \(address.value) AND accepted_at IS NULL AND declined_at IS NULL
                AND revoked_at IS NULL AND expires_at <= now()
            """,
            logger: logger
        )
        let pending = try await first(
            connection.query(
                "SELECT 1::int4 FROM invitations i WHERE i.org_id = \(scope.orgID) AND lower(i.email) = \(address.value) AND \(unescaped: InvitationRecord.pending)",
                logger: logger
            ).decode(Int32.self)
        )
        if pending != nil {
            throw APIError(
                .conflict, "This email already has a pending invitation; revoke it to send a new one.",
                details: ["email": ["already has a pending invitation"]]
            )
        }
    }

    /// The invitation email: who invited whom to the caller's organization, the accept link (which
    /// carries the token) and when it expires.
    func email(
        for invitation: InvitationRecord, token: String, in scope: TenantScope, on connection: PostgresConnection, logger: Logger
    ) async throws -> OutgoingEmail {
        let names = try await first(
            connection.query(
                "SELECT u.name, o.name FROM users u, organizations o WHERE u.id = \(invitation.invitedBy) AND o.id = \(scope.orgID)",
                logger: logger
            ).decode((String, String).self)
        )
        let (inviter, organization) = names ?? ("A member", "an organization")
        return emails.invitation(
            to: invitation.email, organization: organization, inviter: inviter, token: token, expiresAt: invitation.expiresAt.date
        )
    }
}
