import Foundation
import Logging
import PostgresNIO

/// A member of an organization as `/members` shows it:
/// `{"user": {"id", "email", "name"}, "role", "joined_at"}`.
struct MemberRecord: Sendable {
    var userID: UUID
    var email: String
    var name: String
    var role: Role
    var joinedAt: Timestamp

    var json: JSONValue {
        .object([
            "user": .object(["id": .string(userID.lowercasedString), "email": .string(email), "name": .string(name)]),
            "role": .string(role.rawValue),
            "joined_at": .string(joinedAt.description),
        ])
    }

    /// Every member of the caller's organization, oldest first.
    static func all(in scope: TenantScope, on connection: PostgresConnection, logger: Logger) async throws -> [MemberRecord] {
        try await decode(
            connection.query(
                """
                SELECT u.id, u.email, u.name, m.role, m.created_at FROM memberships m JOIN users u ON u.id = m.user_id
                WHERE m.org_id = \(scope.orgID) ORDER BY m.created_at, u.id
                """,
                logger: logger
            )
        )
    }

    /// The member `userID` of the caller's organization, or nil when they are not one.
    static func find(_ userID: UUID, in scope: TenantScope, on connection: PostgresConnection, logger: Logger) async throws -> MemberRecord? {
        try await decode(
            connection.query(
                """
                SELECT u.id, u.email, u.name, m.role, m.created_at FROM memberships m JOIN users u ON u.id = m.user_id
                WHERE m.org_id = \(scope.orgID) AND m.user_id = \(userID)
                """,
                logger: logger
            )
        ).first
    }

    private static func decode(_ rows: PostgresRowSequence) async throws -> [MemberRecord] {
        var members: [MemberRecord] = []
        for try await (id, email, name, role, joinedAt) in rows.decode((UUID, String, String, String, Timestamp).self) {
            guard let role = Role(rawValue: role) else { continue }
            members.append(MemberRecord(userID: id, email: email, name: name, role: role, joinedAt: joinedAt))
        }
        return members
    }
}

/// The checks membership changes share, made inside their transaction.
enum MemberAccess {
    /// The caller's role now (the membership, not the token, which may be minutes old): 403 when
    /// they are no longer a member or their role is not among `roles`.
    static func currentRole(
        of principal: Principal, among roles: [Role] = Role.allCases, on connection: PostgresConnection, logger: Logger
    ) async throws -> Role {
        guard let role = try await Memberships.role(of: principal.userID, in: principal.orgID, on: connection, logger: logger),
            roles.contains(role)
        else { throw APIError.forbidden }
        return role
    }

    /// Locks the caller's organization's row until the transaction ends, so changes to its members
    /// run one at a time and two owners demoting each other cannot both pass the last-owner check.
    /// (`NO KEY UPDATE` leaves inserts that only reference the organization unblocked.)
    static func lockOrganization(_ scope: TenantScope, on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("SELECT id FROM organizations WHERE id = \(scope.orgID) FOR NO KEY UPDATE", logger: logger)
    }

    /// After `userID`'s role in the caller's organization became `role` (nil: they left): revokes
    /// the pending invitations they sent there that the new role cannot grant, and, when they left,
    /// their API keys there.
    static func revokeWhatTheyNoLongerHold(
        _ userID: UUID, in scope: TenantScope, role: Role?, on connection: PostgresConnection, logger: Logger
    ) async throws {
        let grantable = (role?.grantableRoles ?? []).map(\.rawValue)
        try await connection.query(
            """
            UPDATE invitations i SET revoked_at = now()
            WHERE i.org_id = \(scope.orgID) AND i.invited_by = \(userID) AND i.role <> ALL(\(grantable))
                AND \(unescaped: InvitationRecord.pending)
            """,
            logger: logger
        )
        if role == nil {
            try await connection.query(
                "UPDATE api_keys SET revoked_at = now() WHERE org_id = \(scope.orgID) AND created_by = \(userID) AND revoked_at IS NULL",
                logger: logger
            )
        }
    }

    /// 409 unless the caller's organization has an owner besides the one about to stop being one.
    static func requireAnotherOwner(in scope: TenantScope, on connection: PostgresConnection, logger: Logger) async throws {
        let owners = try await first(
            connection.query("SELECT count(*)::int4 FROM memberships WHERE org_id = \(scope.orgID) AND role = 'owner'", logger: logger)
                .decode(Int32.self)
        )
        if (owners ?? 0) <= 1 {
            throw APIError(.conflict, "The organization's last owner cannot leave or stop being an owner; make someone else an owner first.")
        }
    }
}
