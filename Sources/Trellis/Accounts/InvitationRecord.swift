import Foundation
import Logging
import PostgresNIO

/// A pending invitation as `/invitations` lists it:
/// `{"id", "email", "role", "invited_by", "expires_at", "created_at"}` (never the token).
struct InvitationRecord: Sendable {
    var id: UUID
    var email: String
    var role: Role
    var invitedBy: UUID
    var expiresAt: Timestamp
    var createdAt: Timestamp

    /// The SQL condition of a pending invitation (`i` is `invitations`): not accepted, declined or
    /// revoked, and not expired.
    static let pending = "i.accepted_at IS NULL AND i.declined_at IS NULL AND i.revoked_at IS NULL AND i.expires_at > now()"

    var json: JSONValue {
        .object([
            "id": .string(id.lowercasedString),
            "email": .string(email),
            "role": .string(role.rawValue),
            "invited_by": .string(invitedBy.lowercasedString),
            "expires_at": .string(expiresAt.description),
            "created_at": .string(createdAt.description),
        ])
    }

    /// The pending invitations of the caller's organization, oldest first.
    static func pending(in scope: TenantScope, on connection: PostgresConnection, logger: Logger) async throws -> [InvitationRecord] {
        let rows = try await connection.query(
            """
            SELECT i.id, i.email, i.role, i.invited_by, i.expires_at, i.created_at FROM invitations i
            WHERE i.org_id = \(scope.orgID) AND \(unescaped: pending) ORDER BY i.created_at, i.id
            """,
            logger: logger
        )
        var invitations: [InvitationRecord] = []
        for try await (id, email, role, invitedBy, expiresAt, createdAt) in rows.decode((UUID, String, String, UUID, Timestamp, Timestamp).self) {
            guard let role = Role(rawValue: role) else { continue }
            invitations.append(InvitationRecord(id: id, email: email, role: role, invitedBy: invitedBy, expiresAt: expiresAt, createdAt: createdAt))
        }
        return invitations
    }

    /// Revokes the pending invitation `id` of the caller's organization; false when it has none.
    static func revoke(_ id: UUID, in scope: TenantScope, on connection: PostgresConnection, logger: Logger) async throws -> Bool {
        try await first(
            connection.query(
                """
                UPDATE invitations i SET revoked_at = now()
                WHERE i.id = \(id) AND i.org_id = \(scope.orgID) AND \(unescaped: pending) RETURNING i.id
                """,
                logger: logger
            ).decode(UUID.self)
        ) != nil
    }
}

/// A pending invitation found by its token: what the invitee sees before accepting or declining,
/// `{"organization": {"name", "slug"}, "email", "role", "invited_by_name", "expires_at"}`.
struct InvitationOffer: Sendable {
    var id: UUID
    /// The organization the invitation is to, from its row: accepting joins it, so it is not a
    /// caller's ``TenantScope``.
    var orgID: UUID
    var organizationName: String
    var organizationSlug: String
    var email: String
    var role: Role
    var invitedByName: String
    var expiresAt: Timestamp

    var json: JSONValue {
        .object([
            "organization": .object(["name": .string(organizationName), "slug": .string(organizationSlug)]),
            "email": .string(email),
            "role": .string(role.rawValue),
            "invited_by_name": .string(invitedByName),
            "expires_at": .string(expiresAt.description),
        ])
    }

    /// The pending invitation whose token is `token`, or nil when it is unknown, expired, used or
    /// revoked, or when its inviter may no longer grant its role (``Role/grantableRoles``: removed,
    /// or demoted below admin, or below owner for an owner invitation). With `lock`, its row stays
    /// locked until the transaction ends.
    static func find(token: String, lock: Bool = false, on connection: PostgresConnection, logger: Logger) async throws -> InvitationOffer? {
        let rows = try await connection.query(
            """
            SELECT i.id, i.org_id, o.name, o.slug, i.email, i.role, u.name, i.expires_at
            FROM invitations i JOIN organizations o ON o.id = i.org_id JOIN users u ON u.id = i.invited_by
                JOIN memberships m ON m.org_id = i.org_id AND m.user_id = i.invited_by
                    AND (m.role = 'owner' OR (m.role = 'admin' AND i.role <> 'owner'))
            WHERE i.token_hash = \(SecretToken.digest(of: token)) AND \(unescaped: InvitationRecord.pending) \(unescaped: lock ? "FOR UPDATE OF i" : "")
            """,
            logger: logger
        )
        let row = try await first(rows.decode((UUID, UUID, String, String, String, String, String, Timestamp).self))
        guard let (id, orgID, organizationName, slug, email, roleName, inviter, expiresAt) = row, let role = Role(rawValue: roleName) else {
            return nil
        }
        return InvitationOffer(
            id: id, orgID: orgID, organizationName: organizationName, organizationSlug: slug, email: email, role: role,
            invitedByName: inviter, expiresAt: expiresAt
        )
    }
}
