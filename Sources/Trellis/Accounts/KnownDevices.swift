import Crypto
import Foundation
import Logging
import PostgresNIO

/// The devices each user has signed in from (`user_devices`), told apart by a hash of their
/// `User-Agent` without its digits: enough to notice a new browser or machine, which the user is
/// emailed about, while a browser's updates (new version numbers) stay the same device.
enum KnownDevices {
    /// Records a sign-in of `userID` from `origin`'s device; true when the user had signed in
    /// before, but never from this device.
    static func record(userID: UUID, origin: RequestOrigin, on connection: PostgresConnection, logger: Logger) async throws -> Bool {
        let family = (origin.userAgent ?? "").filter { !$0.isNumber }
        let digest = SHA256.hash(data: Data(family.utf8)).prefix(16).map { String(format: "%02x", $0) }.joined()
        let rows = try await connection.query(
            """
            WITH seen AS (
                INSERT INTO user_devices (user_id, fingerprint) VALUES (\(userID), \(digest))
                ON CONFLICT (user_id, fingerprint) DO UPDATE SET last_seen_at = now()
                RETURNING (xmax = 0) AS inserted
            )
            SELECT inserted AND EXISTS (SELECT 1 FROM user_devices WHERE user_id = \(userID) AND fingerprint <> \(digest)) FROM seen
            """,
            logger: logger
        )
        var isNew = false
        for try await flag in rows.decode(Bool.self) { isNew = flag }
        return isNew
    }
}
