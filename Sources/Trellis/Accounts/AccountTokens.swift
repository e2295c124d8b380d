import Foundation
import Logging
import PostgresNIO

/// Single-use tokens emailed to an account (`account_tokens`): email verification (24 h) and
/// password reset (1 h). A token is 256 random bits, only its SHA-256 stored; it works once, before
/// it expires, and only while the account's email is still the one it was sent to.
public enum AccountTokens {
    public enum Purpose: String, Sendable {
        case verifyEmail = "verify_email"
        case resetPassword = "reset_password"

        /// How long a token works.
        public var lifetime: Duration {
            switch self {
            case .verifyEmail: .seconds(24 * 3600)
            case .resetPassword: .seconds(3600)
            }
        }

        /// How many tokens an account may be sent per hour.
        public var perHour: Int { 3 }
    }

    /// A new token for `userID`, sent to `email`; nil when the account was sent ``Purpose/perHour``
    /// of them in the last hour.
    static func issue(
        _ purpose: Purpose, userID: UUID, email: String, on connection: PostgresConnection, logger: Logger
    ) async throws -> SecretToken? {
        // One issuer at a time per account and purpose, so the hourly limit holds.
        try await connection.query(
            "SELECT pg_advisory_xact_lock(hashtextextended(\(purpose.rawValue) || ':' || \(userID)::text, 0))", logger: logger
        )
        let recent = try await first(
            connection.query(
                """
                SELECT count(*) FROM account_tokens
                WHERE user_id = \(userID) AND purpose = \(purpose.rawValue) AND created_at > now() - interval '1 hour'
                """,
                logger: logger
            ).decode(Int64.self)
        ) ?? 0
        guard recent < purpose.perHour else { return nil }
        let token = SecretToken.generate()
        try await connection.query(
            """
            INSERT INTO account_tokens (id, user_id, purpose, token_hash, email, expires_at)
            VALUES (\(UUID.v7()), \(userID), \(purpose.rawValue), \(token.digest), \(email),
                    now() + make_interval(secs => \(Double(purpose.lifetime.components.seconds))))
            """,
            logger: logger
        )
        return token
    }

    /// Uses `token` (marks it used) and returns its account's id and email, when it is a `purpose`
    /// token that is unused, unexpired and sent to the account's current email; nil otherwise.
    static func redeem(_ purpose: Purpose, token: String, on connection: PostgresConnection, logger: Logger) async throws -> (UUID, String)? {
        try await first(
            connection.query(
                """
                UPDATE account_tokens t SET used_at = now()
                FROM users u
                WHERE t.token_hash = \(SecretToken.digest(of: token)) AND t.purpose = \(purpose.rawValue) AND t.used_at IS NULL
                    AND t.expires_at > now() AND u.id = t.user_id AND lower(u.email) = lower(t.email)
                RETURNING u.id, u.email
                """,
                logger: logger
            ).decode((UUID, String).self)
        )
    }
}
