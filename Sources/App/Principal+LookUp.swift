import Foundation
import Logging
import PostgresNIO
import Trellis

extension Principal {
    /// The principal of a user by email, in the first organization (by name) they belong to.
    public static func lookUp(email: String, client: PostgresClient, logger: Logger) async throws -> Principal? {
        let rows = try await client.query(
            """
            SELECT u.id, m.org_id, m.role FROM users u
            JOIN memberships m ON m.user_id = u.id
            JOIN organizations o ON o.id = m.org_id
            WHERE lower(u.email) = lower(\(email))
            ORDER BY o.name LIMIT 1
            """,
            logger: logger
        )
        for try await (userID, orgID, role) in rows.decode((UUID, UUID, String).self) {
            guard let role = Role(rawValue: role) else { return nil }
            return Principal(userID: userID, orgID: orgID, role: role)
        }
        return nil
    }
}

extension App {
    /// Every migration the app needs, the runtime's first.
    public static var allMigrations: [Migration] { type(of: api()).allMigrations }
}
