import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import PostgresNIO
import Testing
import Trellis

/// What an access token of an ended session, an API key, or a guessing client cannot do with
/// credentials: mint sessions, change passwords, probe accounts. Client IPs 203.0.113.60-69.
@Suite struct EndedSessionsAndCredentialsTests {
    static let newPassword = "a brand new passphrase"

    static func changePassword(_ client: any TestClientProtocol, _ bearer: String, current: String) async throws -> TestResponse {
        try await client.request(
            .post, "/api/v1/auth/password", bearer: bearer,
            json: #"{"current_password": "\#(current)", "new_password": "\#(newPassword)"}"#
        )
    }

    @Test func anEndedSessionsAccessTokenMintsNothing() async throws {
        try await withApp { client, _ in
            let session = try await AuthTests.signup(client, email: "ended@example.test", organization: "Ended", ip: 60)
            let me = try await client.request(.get, "/api/v1/me", bearer: session.access)
            let orgID = try #require((try me.data["organization"] as? [String: Any])?["id"] as? String)
            #expect(try await client.request(.post, "/api/v1/auth/logout-all", bearer: session.access).status == .noContent)

            // The access token still verifies for its last minutes, but its session is over.
            let switched = try await client.request(.post, "/api/v1/auth/switch-org", bearer: session.access, json: #"{"org_id": "\#(orgID)"}"#)
            #expect(switched.status == .unauthorized)
            #expect(!switched.text.contains("refresh_token"))
            #expect(try await Self.changePassword(client, session.access, current: AuthTests.password).status == .unauthorized)
            #expect(try await Self.changePassword(client, session.access, current: "a wrong guess").status == .unauthorized)
            #expect(try await APIKeyTests.createKey(client, as: session, scopes: ["*"]).status == .unauthorized)
            let invited = try await MembersAndInvitationsTests.invite(client, session.access, "ended-invitee@example.test", role: .admin)
            #expect(invited.status == .unauthorized)
            #expect(try await AuthTests.login(client, "ended@example.test", AuthTests.password, ip: 60).status == .ok, "password unchanged")
        }
    }

    @Test func passwordChangesAreThrottledAuditedAndNotForKeys() async throws {
        try await AuthTests.awaitRoomInTheRateLimitMinute()
        try await withApp { client, _ in
            let session = try await AuthTests.signup(client, email: "guess@example.test", organization: "Guess", ip: 61)
            let key = try #require(try await APIKeyTests.createKey(client, as: session, scopes: ["*"]).data["key"] as? String)
            let byKey = try await Self.changePassword(client, key, current: AuthTests.password)
            #expect(byKey.status == .forbidden)

            for _ in 0..<5 {
                #expect(try await Self.changePassword(client, session.access, current: "a wrong guess, again").status == .unprocessableContent)
            }
            let limited = try await Self.changePassword(client, session.access, current: AuthTests.password)
            #expect(limited.status == .tooManyRequests)
            #expect(Int(limited.headers[.retryAfter] ?? "") ?? 0 > 0)
            let failures = try await MembersAndInvitationsTests.column(
                """
                SELECT count(*)::int4 FROM audit_logs a JOIN users u ON u.id = a.user_id
                WHERE u.email = 'guess@example.test' AND a.action = 'password.change_failed'
                """,
                as: Int32.self
            )
            #expect(failures == [5])
            #expect(try await AuthTests.login(client, "guess@example.test", AuthTests.password, ip: 61).status == .ok, "password unchanged")
        }
    }

    @Test func apiKeyCreationIsThrottledPerUser() async throws {
        try await AuthTests.awaitRoomInTheRateLimitMinute()
        try await withApp { client, _ in
            let session = try await AuthTests.signup(client, email: "many-keys@example.test", organization: "Many Keys", ip: 65)
            for _ in 0..<10 {
                #expect(try await APIKeyTests.createKey(client, as: session, scopes: ["read:projects"]).status == .created)
            }
            let limited = try await APIKeyTests.createKey(client, as: session, scopes: ["read:projects"])
            #expect(limited.status == .tooManyRequests)
            #expect(Int(limited.headers[.retryAfter] ?? "") ?? 0 > 0)
        }
    }

    @Test func signInRefusesOverlongEmailsAndNeverMatchesTheDummyHash() async throws {
        try await withApp { client, _ in
            let long = String(repeating: "x", count: 10_000) + "@example.test"
            let overlong = try await AuthTests.login(client, long, AuthTests.password, ip: 62)
            #expect(overlong.status == .unprocessableContent)
            #expect((try overlong.error["details"] as? [String: Any])?["email"] != nil)

            // The initech owner has no password: the dummy hash's own password must not sign in.
            let passwordless = try await AuthTests.login(client, "owner@initech.test", "trellis dummy password for timing", ip: 63)
            let unknown = try await AuthTests.login(client, "no-such-user@example.test", "trellis dummy password for timing", ip: 63)
            #expect(passwordless.status == .unauthorized && unknown.status == .unauthorized)
            #expect(try passwordless.error["message"] as? String == unknown.error["message"] as? String)
        }
    }

    @Test func signInUpgradesHashesMadeWithOlderParameters() async throws {
        try await withApp { client, _ in
            _ = try await AuthTests.signup(client, email: "rehash@example.test", organization: "Rehash", ip: 64)
            let weak = try await PasswordHasher(memoryKiB: 4096, iterations: 1).hash(AuthTests.password)
            try await MembersAndInvitationsTests.execute("UPDATE users SET password_hash = \(weak) WHERE email = 'rehash@example.test'")
            #expect(try await AuthTests.login(client, "rehash@example.test", AuthTests.password, ip: 64).status == .ok)
            let stored = try await MembersAndInvitationsTests.column(
                "SELECT password_hash FROM users WHERE email = 'rehash@example.test'", as: String.self
            )
            #expect(stored.first?.hasPrefix("$argon2id$v=19$m=19456,t=2,p=1$") == true)
            #expect(try await AuthTests.login(client, "rehash@example.test", AuthTests.password, ip: 64).status == .ok)
        }
    }
}
