import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import PostgresNIO
import Testing
import Trellis

/// API keys over HTTP: created once, listed by prefix, acting with the creator's role limited to
/// their scopes, revocable, expiring.
@Suite struct APIKeyTests {
    static func createKey(
        _ client: any TestClientProtocol, as session: AuthTests.Session, scopes: [String], expiresAt: String? = nil
    ) async throws -> TestResponse {
        let scopeList = scopes.map { "\"\($0)\"" }.joined(separator: ", ")
        let expiry = expiresAt.map { #", "expires_at": "\#($0)""# } ?? ""
        return try await client.request(
            .post, "/api/v1/api-keys", bearer: session.access, json: #"{"name": "CI", "scopes": [\#(scopeList)]\#(expiry)}"#
        )
    }

    @Test func aViewersReadKeyListsButCannotCreate() async throws {
        try await withApp { client, _ in
            let owner = try await AuthTests.signup(client, email: "key-owner@example.test", organization: "Keys Inc", ip: 40)
            let viewer = try await AuthTests.signup(client, email: "key-viewer@example.test", organization: "Viewer Home", ip: 41)
            let (pool, _) = try await TestEnvironment.shared.client()
            let logger = TestEnvironment.shared.logger
            try await pool.query(
                """
                INSERT INTO memberships (org_id, user_id, role)
                SELECT m.org_id, v.id, 'viewer' FROM memberships m JOIN users o ON o.id = m.user_id, users v
                WHERE o.email = 'key-owner@example.test' AND v.email = 'key-viewer@example.test'
                """,
                logger: logger
            )
            let me = try await client.request(.get, "/api/v1/me", bearer: owner.access)
            let orgID = try #require((try me.data["organization"] as? [String: Any])?["id"] as? String)
            let switched = try await client.request(.post, "/api/v1/auth/switch-org", bearer: viewer.access, json: #"{"org_id": "\#(orgID)"}"#)
            let viewerInKeys = try AuthTests.session(switched)

            let created = try await Self.createKey(client, as: viewerInKeys, scopes: ["read:projects"])
            #expect(created.status == .created)
            let key = try #require(try created.data["key"] as? String)
            #expect(key.hasPrefix("sk_test_") && key.count == "sk_test_".count + 43)
            #expect(try created.data["prefix"] as? String == String(key.prefix(16)))

            #expect(try await client.request(.get, "/api/v1/projects", bearer: key).status == .ok)
            let denied = try await client.request(.post, "/api/v1/projects", bearer: key, json: #"{"name": "X", "slug": "x"}"#)
            #expect(denied.status == .forbidden)
            #expect(try await client.request(.get, "/api/v1/tasks", bearer: key).status == .forbidden, "no read:tasks scope")

            // The owner's key with every scope can create; keys cannot manage keys.
            let ownerKey = try #require(try await Self.createKey(client, as: owner, scopes: ["*"]).data["key"] as? String)
            let project = try await client.request(.post, "/api/v1/projects", bearer: ownerKey, json: #"{"name": "Via key", "slug": "via-key"}"#)
            #expect(project.status == .created)
            #expect(try await client.request(.get, "/api/v1/api-keys", bearer: ownerKey).status == .forbidden)

            // Listed without the key; the owner sees both, the viewer only their own.
            let listed = try await client.request(.get, "/api/v1/api-keys", bearer: owner.access)
            #expect(!listed.text.contains(key) && !listed.text.contains(ownerKey))
            #expect((try listed.json["data"] as? [Any])?.count == 2)
            #expect((try await client.request(.get, "/api/v1/api-keys", bearer: viewerInKeys.access).json["data"] as? [Any])?.count == 1)

            // Only the digest is stored.
            let stored = try await pool.query("SELECT count(*)::int8 FROM api_keys WHERE encode(key_hash, 'escape') LIKE '%sk_test_%'", logger: logger)
                .decode(Int.self).reduce(0, +)
            #expect(stored == 0)
        }
    }

    @Test func revokedExpiredAndUnknownKeysAreRefused() async throws {
        try await withApp { client, _ in
            let owner = try await AuthTests.signup(client, email: "key-revoke@example.test", organization: "Revoke Keys", ip: 42)
            let created = try await Self.createKey(client, as: owner, scopes: ["read:projects"])
            let key = try #require(try created.data["key"] as? String)
            let id = try #require(try created.data["id"] as? String)
            #expect(try await client.request(.get, "/api/v1/projects", bearer: key).status == .ok)
            #expect(try await client.request(.delete, "/api/v1/api-keys/\(id)", bearer: owner.access).status == .noContent)
            #expect(try await client.request(.get, "/api/v1/projects", bearer: key).status == .unauthorized)
            #expect(try await client.request(.get, "/api/v1/projects", bearer: "sk_live_notakeyatall").status == .unauthorized)

            let expiring = try await Self.createKey(client, as: owner, scopes: ["read:projects"], expiresAt: "2099-01-01T00:00:00Z")
            let expiringKey = try #require(try expiring.data["key"] as? String)
            let (pool, _) = try await TestEnvironment.shared.client()
            try await pool.query(
                "UPDATE api_keys SET expires_at = now() - interval '1 second' WHERE prefix = \(String(expiringKey.prefix(16)))",
                logger: TestEnvironment.shared.logger
            )
            #expect(try await client.request(.get, "/api/v1/projects", bearer: expiringKey).status == .unauthorized)

            let invalid = try await Self.createKey(client, as: owner, scopes: ["admin:everything"])
            #expect(invalid.status == .unprocessableContent)
            #expect(try await Self.createKey(client, as: owner, scopes: ["read:projects"], expiresAt: "2001-01-01T00:00:00Z").status == .unprocessableContent)
        }
    }

    /// Authenticating records the key's use, at most once a minute, in the same statement.
    @Test func useIsRecordedAtMostOnceAMinute() async throws {
        try await withApp { client, _ in
            let owner = try await AuthTests.signup(client, email: "key-used@example.test", organization: "Used Keys", ip: 43)
            let created = try await Self.createKey(client, as: owner, scopes: ["read:projects"])
            let key = try #require(try created.data["key"] as? String)
            #expect(try created.data["last_used_at"] is NSNull)
            let (pool, _) = try await TestEnvironment.shared.client()
            let logger = TestEnvironment.shared.logger
            let prefix = String(key.prefix(16))
            func lastUsed() async throws -> Date? {
                try await pool.query("SELECT last_used_at FROM api_keys WHERE prefix = \(prefix)", logger: logger)
                    .decode(Date?.self).reduce(nil) { $1 }
            }

            #expect(try await client.request(.get, "/api/v1/projects", bearer: key).status == .ok)
            let first = try #require(try await lastUsed())
            #expect(try await client.request(.get, "/api/v1/projects", bearer: key).status == .ok)
            #expect(try await lastUsed() == first, "a second use within the minute writes nothing")

            // A use recorded more than a minute ago is recorded again.
            try await pool.query("UPDATE api_keys SET last_used_at = last_used_at - interval '2 minutes' WHERE prefix = \(prefix)", logger: logger)
            #expect(try await client.request(.get, "/api/v1/projects", bearer: key).status == .ok)
            let again = try #require(try await lastUsed())
            #expect(again >= first, "the backdated use is stamped again")
        }
    }
}
