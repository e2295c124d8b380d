import Foundation
import Logging
import PostgresNIO

/// Reads of `memberships`, the source of truth for who may act in which organization.
public enum Memberships {
    /// The role of `userID` in `orgID`, or nil when they are not a member.
    ///
    /// `orgID` is a bare id because this is the check that vouches for one: a principal's current
    /// role, or a membership not yet in a principal (a session's on refresh, an invitation's, an
    /// organization being switched to).
    public static func role(of userID: UUID, in orgID: UUID, on connection: PostgresConnection, logger: Logger) async throws -> Role? {
        let rows = try await connection.query(
            "SELECT role FROM memberships WHERE user_id = \(userID) AND org_id = \(orgID)", logger: logger
        )
        return try await first(rows.decode(String.self)).flatMap(Role.init(rawValue:))
    }

    /// The organization a sign-in starts in: the user's oldest membership.
    static func defaultOrganization(of userID: UUID, on connection: PostgresConnection, logger: Logger) async throws -> (UUID, Role)? {
        let rows = try await connection.query(
            "SELECT org_id, role FROM memberships WHERE user_id = \(userID) ORDER BY created_at, org_id LIMIT 1", logger: logger
        )
        return try await first(rows.decode((UUID, String).self)).flatMap { org, role in Role(rawValue: role).map { (org, $0) } }
    }
}
