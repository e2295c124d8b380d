import Foundation
import Logging
import PostgresNIO

/// API keys: `sk_live_` or `sk_test_` plus 32 random bytes in base62, shown once, stored as
/// SHA-256 with a display prefix.
public enum APIKey {
    /// The key types; the server issues the one its deployment is configured for.
    public enum Environment: String, Sendable, CaseIterable {
        case live
        case test

        public var prefix: String { "sk_\(rawValue)_" }
    }

    /// A new key of `environment`.
    public static func generate(_ environment: Environment) -> SecretToken {
        SecretToken(value: environment.prefix + base62(SecretToken.randomBytes(32)))
    }

    /// Whether a bearer credential is an API key rather than an access token.
    public static func looksLikeKey(_ credential: String) -> Bool {
        Environment.allCases.contains { credential.hasPrefix($0.prefix) }
    }

    /// What lists show: the type prefix and the first 8 characters of the secret part.
    public static func displayPrefix(of key: String) -> String {
        String(key.prefix("sk_live_".count + 8))
    }

    /// `read:<resource>`, `write:<resource>` or `*`; a resource name is ASCII: a lowercase letter,
    /// then lowercase letters, digits, `-` and `_` (the document's `ApiKeyScope` pattern).
    public static func isValidScope(_ scope: String) -> Bool {
        if scope == "*" { return true }
        let parts = scope.split(separator: ":", maxSplits: 1)
        guard parts.count == 2, ["read", "write"].contains(parts[0]), let first = parts[1].first, ("a"..."z").contains(first) else { return false }
        return parts[1].allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" || $0 == "_" }
    }

    /// The principal a key acts as: its creator's current role in its organization, limited to its
    /// scopes. nil for an unknown, revoked or expired key, or one whose creator left the organization.
    ///
    /// One prepared statement: it finds the key and, at most once a minute per key (not once per
    /// request), records that it was used.
    public static func authenticate(_ key: String, client: PostgresClient, logger: Logger) async throws -> Principal? {
        guard let (id, orgID, userID, roleName, scopes, verified) = try await client.first(
            Authentication(digest: SecretToken.digest(of: key)), logger: logger
        ),
            let role = Role(rawValue: roleName)
        else { return nil }
        return Principal(userID: userID, orgID: orgID, role: role, apiKeyID: id, scopes: Set(scopes), emailVerified: verified)
    }

    struct Authentication: PostgresPreparedStatement {
        static let name = "api_keys.authenticate"
        static let sql = """
            WITH found AS (
                SELECT k.id, k.org_id, k.created_by, m.role, k.scopes, u.email_verified_at IS NOT NULL AS verified FROM api_keys k
                JOIN memberships m ON m.org_id = k.org_id AND m.user_id = k.created_by
                JOIN users u ON u.id = k.created_by
                WHERE k.key_hash = $1 AND k.revoked_at IS NULL AND (k.expires_at IS NULL OR k.expires_at > now())
            ), used AS (
                UPDATE api_keys SET last_used_at = now()
                WHERE id IN (SELECT id FROM found) AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')
            )
            SELECT id, org_id, created_by, role, scopes, verified FROM found
            """
        typealias Row = (UUID, UUID, UUID, String, [String], Bool)

        var digest: ByteBuffer

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 1)
            bindings.append(digest)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Row {
            try row.decode(Row.self)
        }
    }

    /// Base62 (0-9, A-Z, a-z) of `bytes` read as one big-endian number.
    static func base62(_ bytes: [UInt8]) -> String {
        let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
        var number = bytes.drop { $0 == 0 }.map(Int.init)
        var digits: [Character] = []
        while !number.isEmpty {
            var remainder = 0
            var quotient: [Int] = []
            for byte in number {
                let value = remainder * 256 + byte
                let digit = value / 62
                remainder = value % 62
                if !quotient.isEmpty || digit > 0 { quotient.append(digit) }
            }
            digits.append(alphabet[remainder])
            number = quotient
        }
        return String(digits.reversed()).leftPadded(to: 43, with: "0")
    }
}

extension String {
    fileprivate func leftPadded(to length: Int, with character: Character) -> String {
        count >= length ? self : String(repeating: character, count: length - count) + self
    }
}
