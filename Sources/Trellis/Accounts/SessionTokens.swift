import Foundation
import Logging
import NIOCore
import PostgresNIO

/// What sign-in, refresh and switch-org answer: `{"access_token", "refresh_token", "token_type",
/// "expires_in"}`.
public struct TokenPair: Sendable, JSONWritable {
    public var accessToken: String
    public var refreshToken: String
    public var expiresIn: Int

    public func writeJSON(into buffer: inout ByteBuffer) {
        buffer.writeStaticString(#"{"access_token":"#)
        buffer.writeJSONString(accessToken)
        buffer.writeStaticString(#","refresh_token":"#)
        buffer.writeJSONString(refreshToken)
        buffer.writeStaticString(#","token_type":"Bearer","expires_in":"#)
        buffer.writeString(String(expiresIn))
        buffer.writeStaticString("}")
    }
}

/// Starts sessions and rotates their refresh tokens (RFC 9700 §4.14: each refresh token works
/// once; presenting a used one revokes its whole session).
public struct SessionTokens: Sendable {
    public let tokens: AccessTokens
    /// How long a refresh token stays usable: 7 days.
    public let refreshLifetime: TimeInterval

    public init(tokens: AccessTokens, refreshLifetime: TimeInterval = 7 * 24 * 3600) {
        self.tokens = tokens
        self.refreshLifetime = refreshLifetime
    }

    /// A new session for `userID` in `orgID` with `role`, and its first token pair.
    ///
    /// `orgID` is the organization the new principal will act in, so it cannot come from a
    /// principal: the caller chose it (sign-up's new organization, sign-in's membership, an
    /// accepted invitation's, a switch's after its membership check).
    public func start(
        userID: UUID, orgID: UUID, role: Role, origin: RequestOrigin, on connection: PostgresConnection, logger: Logger
    ) async throws -> TokenPair {
        let sessionID = UUID.v7()
        let rows = try await connection.query(
            """
            INSERT INTO sessions (id, user_id, org_id, ip, user_agent)
            VALUES (\(sessionID), \(userID), \(orgID), \(origin.ip), \(origin.userAgent))
            RETURNING (SELECT platform_admin FROM users WHERE id = \(userID)), (SELECT email_verified_at IS NOT NULL FROM users WHERE id = \(userID))
            """,
            logger: logger
        )
        var (isPlatformAdmin, emailVerified) = (false, false)
        for try await (admin, verified) in rows.decode((Bool?, Bool?).self) { (isPlatformAdmin, emailVerified) = (admin ?? false, verified ?? false) }
        let principal = Principal(
            userID: userID, orgID: orgID, role: role, sessionID: sessionID, isPlatformAdmin: isPlatformAdmin, emailVerified: emailVerified
        )
        return try await issue(principal, on: connection, logger: logger)
    }

    /// A fresh refresh token in the principal's session, and an access token for the principal.
    func issue(_ principal: Principal, on connection: PostgresConnection, logger: Logger) async throws -> TokenPair {
        guard let sessionID = principal.sessionID else { throw APIError.unauthorized }
        let refresh = SecretToken.generate()
        let expiresAt = Date().addingTimeInterval(refreshLifetime)
        try await connection.query(
            "INSERT INTO refresh_tokens (token_hash, session_id, expires_at) VALUES (\(refresh.digest), \(sessionID), \(expiresAt))",
            logger: logger
        )
        let access = try await tokens.issue(for: principal)
        return TokenPair(accessToken: access, refreshToken: refresh.value, expiresIn: Int(tokens.configuration.accessTokenLifetime))
    }

    /// What presenting a refresh token leads to. The organization ids are the session row's, for
    /// the audit trail.
    public enum Rotation: Sendable {
        case rotated(TokenPair, Principal)
        /// Unknown, expired, revoked, or being rotated by a concurrent request right now.
        case invalid
        /// Already used: the session is now revoked.
        case reused(userID: UUID, orgID: UUID, sessionID: UUID)
        /// The user is no longer a member of the session's organization: the session is now revoked.
        case membershipEnded(userID: UUID, orgID: UUID, sessionID: UUID)
    }

    /// Rotates `token` inside the caller's transaction. The row lock (`FOR UPDATE NOWAIT`) makes
    /// two concurrent refreshes of one token give exactly one success: the other finds it locked
    /// and gets ``Rotation/invalid`` without revoking anything.
    public func rotate(_ token: String, on connection: PostgresConnection, logger: Logger) async throws -> Rotation {
        let digest = SecretToken.digest(of: token)
        let row: (UUID, Date?, Date, UUID, UUID, Date?, Bool, Bool)?
        do {
            row = try await first(
                connection.query(
                    """
                    SELECT r.session_id, r.used_at, r.expires_at, s.user_id, s.org_id, s.revoked_at, u.platform_admin,
                        u.email_verified_at IS NOT NULL
                    FROM refresh_tokens r JOIN sessions s ON s.id = r.session_id JOIN users u ON u.id = s.user_id
                    WHERE r.token_hash = \(digest) FOR UPDATE OF r NOWAIT
                    """,
                    logger: logger
                ).decode((UUID, Date?, Date, UUID, UUID, Date?, Bool, Bool).self)
            )
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == "55P03" {
            return .invalid
        }
        guard let (sessionID, usedAt, expiresAt, userID, orgID, revokedAt, isPlatformAdmin, emailVerified) = row, revokedAt == nil,
            expiresAt > Date()
        else {
            return .invalid
        }
        if usedAt != nil {
            try await revoke(sessionID: sessionID, on: connection, logger: logger)
            return .reused(userID: userID, orgID: orgID, sessionID: sessionID)
        }
        try await connection.query("UPDATE refresh_tokens SET used_at = now() WHERE token_hash = \(digest)", logger: logger)
        guard let role = try await Memberships.role(of: userID, in: orgID, on: connection, logger: logger) else {
            try await revoke(sessionID: sessionID, on: connection, logger: logger)
            return .membershipEnded(userID: userID, orgID: orgID, sessionID: sessionID)
        }
        let principal = Principal(
            userID: userID, orgID: orgID, role: role, sessionID: sessionID, isPlatformAdmin: isPlatformAdmin, emailVerified: emailVerified
        )
        return .rotated(try await issue(principal, on: connection, logger: logger), principal)
    }

    /// 401 unless the principal's session is still active (not revoked); locks it until the
    /// transaction ends. Whatever mints a credential from an access token (a session, an API key,
    /// an invitation, a new password) checks this first, so a token whose session ended (logout,
    /// reuse, password change, removal) cannot outlive it. Principals without a session (API keys,
    /// operator tokens from `Server token`) pass.
    public static func requireActiveSession(of principal: Principal, on connection: PostgresConnection, logger: Logger) async throws {
        guard let sessionID = principal.sessionID else { return }
        let active = try await first(
            connection.query(
                """
                SELECT 1::int4 FROM sessions WHERE id = \(sessionID) AND user_id = \(principal.userID) AND revoked_at IS NULL
                FOR UPDATE
                """,
                logger: logger
            ).decode(Int32.self)
        )
        guard active != nil else { throw APIError(.unauthorized, "This session has ended; sign in again.") }
    }

    public func revoke(sessionID: UUID, on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("UPDATE sessions SET revoked_at = now() WHERE id = \(sessionID) AND revoked_at IS NULL", logger: logger)
    }

    /// Revokes every session of `userID` except `keeping`.
    public func revokeAll(userID: UUID, keeping: UUID? = nil, on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query(
            """
            UPDATE sessions SET revoked_at = now()
            WHERE user_id = \(userID) AND revoked_at IS NULL AND id IS DISTINCT FROM \(keeping)
            """,
            logger: logger
        )
    }
}

/// The first element of a row sequence, draining the rest (errors arrive with the rows).
func first<Element>(_ sequence: AsyncThrowingMapSequence<PostgresRowSequence, Element>) async throws -> Element? {
    var result: Element?
    for try await element in sequence where result == nil { result = element }
    return result
}
