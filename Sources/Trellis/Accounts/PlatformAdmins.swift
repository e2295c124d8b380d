import Foundation
import Logging
import PostgresNIO

/// The users who may write the rows every organization shares (`tenancy: none`): a flag on
/// `users`, set by an operator (`Server platform-admin grant --email ...`), never through the API.
///
/// A grant reaches the user's access tokens when their session next starts or refreshes; a revoke
/// also ends every session of the user, so they sign in again without it. Access tokens already
/// issued keep the flag until they expire (the access-token lifetime). Both are audited.
public enum PlatformAdmins {
    /// Sets the flag of the user with `email` (any case); false when there is no such user.
    public static func set(_ isPlatformAdmin: Bool, email: String, on database: Database, logger: Logger) async throws -> Bool {
        try await database.transaction(logger: logger) { connection in
            let rows = try await connection.query(
                "UPDATE users SET platform_admin = \(isPlatformAdmin), updated_at = now() WHERE lower(email) = lower(\(email)) RETURNING id",
                logger: logger
            )
            var userID: UUID?
            for try await id in rows.decode(UUID.self) { userID = id }
            guard let userID else { return false }
            if !isPlatformAdmin {
                // Their sessions end, so no refresh mints another token with the flag; an access
                // token already issued lasts until it expires (15 minutes), as for every change.
                try await connection.query(
                    "UPDATE sessions SET revoked_at = now() WHERE user_id = \(userID) AND revoked_at IS NULL", logger: logger
                )
            }
            try await AuditLog.record(
                isPlatformAdmin ? .platformAdminGranted : .platformAdminRevoked, subjectID: userID, origin: RequestOrigin(),
                on: connection, logger: logger
            )
            return true
        }
    }
}
