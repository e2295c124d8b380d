import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import PostgresNIO
import Testing
import Trellis

/// Sign-up, sign-in, refresh rotation, sessions and organization switching over HTTP against the
/// real database. Each test signs up its own users (fixed emails) and names its own client IP.
@Suite struct AuthTests {
    static let password = "correct horse battery staple"

    struct Session {
        var access: String
        var refresh: String
    }

    static func ip(_ last: Int) -> HTTPFields { [.xForwardedFor: "203.0.113.\(last)"] }

    static func session(_ response: TestResponse) throws -> Session {
        let data = try response.data
        return Session(access: data["access_token"] as? String ?? "", refresh: data["refresh_token"] as? String ?? "")
    }

    static func signup(_ client: any TestClientProtocol, email: String, organization: String, ip: Int) async throws -> Session {
        let response = try await client.request(
            .post, "/api/v1/auth/signup", bearer: nil,
            json: #"{"email": "\#(email)", "password": "\#(password)", "name": "Test User", "organization_name": "\#(organization)"}"#,
            headers: Self.ip(ip)
        )
        #expect(response.status == .created, "\(response.text)")
        return try session(response)
    }

    static func refresh(_ client: any TestClientProtocol, _ token: String, ip: Int) async throws -> TestResponse {
        try await client.request(.post, "/api/v1/auth/refresh", bearer: nil, json: #"{"refresh_token": "\#(token)"}"#, headers: Self.ip(ip))
    }

    static func login(_ client: any TestClientProtocol, _ email: String, _ password: String, ip: Int) async throws -> TestResponse {
        try await client.request(
            .post, "/api/v1/auth/login", bearer: nil, json: #"{"email": "\#(email)", "password": "\#(password)"}"#, headers: Self.ip(ip)
        )
    }

    @Test func signupLoginAndMe() async throws {
        try await withApp { client, _ in
            let signedUp = try await Self.signup(client, email: "  Ada@Example.TEST ", organization: "Analytical Engines", ip: 1)
            let me = try await client.request(.get, "/api/v1/me", bearer: signedUp.access)
            #expect(me.status == .ok)
            let data = try me.data
            #expect((data["user"] as? [String: Any])?["email"] as? String == "ada@example.test")
            #expect((data["organization"] as? [String: Any])?["slug"] as? String == "analytical-engines")
            #expect(data["role"] as? String == "owner")
            #expect((data["memberships"] as? [Any])?.count == 1)

            let login = try await Self.login(client, "ADA@example.test", Self.password, ip: 1)
            #expect(login.status == .ok)
            #expect(try login.data["token_type"] as? String == "Bearer")
            #expect(try login.data["expires_in"] as? Int == 900)

            let duplicate = try await client.request(
                .post, "/api/v1/auth/signup", bearer: nil,
                json: #"{"email": "ada@example.test", "password": "\#(Self.password)", "name": "Ada", "organization_name": "Other"}"#,
                headers: Self.ip(1)
            )
            #expect(duplicate.status == .conflict)

            let (pool, _) = try await TestEnvironment.shared.client()
            let stored = try await pool.query("SELECT password_hash FROM users WHERE email = 'ada@example.test'", logger: TestEnvironment.shared.logger)
                .decode(String.self).reduce(into: [String]()) { $0.append($1) }
            #expect(stored.first?.hasPrefix("$argon2id$v=19$m=19456,t=2,p=1$") == true)
        }
    }

    @Test func organizationsWithOneNameGetDistinctSlugs() async throws {
        try await withApp { client, _ in
            func slug(_ session: Session) async throws -> String? {
                let me = try await client.request(.get, "/api/v1/me", bearer: session.access)
                return (try me.data["organization"] as? [String: Any])?["slug"] as? String
            }
            let first = try await Self.signup(client, email: "twin-1@example.test", organization: "Twin Peaks", ip: 5)
            let second = try await Self.signup(client, email: "twin-2@example.test", organization: "Twin Peaks", ip: 5)
            #expect(try await slug(first) == "twin-peaks")
            let suffixed = try #require(try await slug(second))
            #expect(suffixed.hasPrefix("twin-peaks-") && suffixed.count == "twin-peaks-".count + 8)
            // Signing up at once: both succeed, whichever commits second takes the suffix.
            let sessions = try await withThrowingTaskGroup(of: Session.self) { group in
                for number in 3...4 {
                    group.addTask { try await Self.signup(client, email: "twin-\(number)@example.test", organization: "Twin Lakes", ip: 5) }
                }
                return try await group.reduce(into: [Session]()) { $0.append($1) }
            }
            var slugs: Set<String> = []
            for session in sessions { slugs.insert(try await slug(session) ?? "") }
            #expect(slugs.count == 2 && slugs.contains("twin-lakes"))
        }
    }

    @Test func weakPasswordsAndBadEmailsAreRefused() async throws {
        try await withApp { client, _ in
            for (email, password, field) in [
                ("short@example.test", "too short", "password"),
                ("common@example.test", "password1234", "password"),
                ("not-an-email", Self.password, "email"),
            ] {
                let response = try await client.request(
                    .post, "/api/v1/auth/signup", bearer: nil,
                    json: #"{"email": "\#(email)", "password": "\#(password)", "name": "X", "organization_name": "X"}"#, headers: Self.ip(2)
                )
                #expect(response.status == .unprocessableContent)
                #expect((try response.error["details"] as? [String: Any])?[field] != nil, "\(response.text)")
            }
            let unicode = try await client.request(
                .post, "/api/v1/auth/signup", bearer: nil,
                json: #"{"email": "unicode@example.test", "password": "пароль-ключ-замок", "name": "U", "organization_name": "Unicode"}"#,
                headers: Self.ip(2)
            )
            #expect(unicode.status == .created)
        }
    }

    @Test func unknownEmailAndWrongPasswordAnswerAlike() async throws {
        try await withApp { client, _ in
            _ = try await Self.signup(client, email: "grace@example.test", organization: "Cobol", ip: 3)
            let wrong = try await Self.login(client, "grace@example.test", "not the password at all", ip: 3)
            let unknown = try await Self.login(client, "nobody@example.test", "not the password at all", ip: 3)
            #expect(wrong.status == .unauthorized && unknown.status == .unauthorized)
            #expect(try wrong.error["message"] as? String == unknown.error["message"] as? String)
            #expect(try wrong.error["code"] as? String == "unauthorized")
        }
    }

    @Test func signInIsThrottledPerAccountAndPerIP() async throws {
        try await Self.awaitRoomInTheRateLimitMinute()
        try await withApp { client, _ in
            _ = try await Self.signup(client, email: "throttled@example.test", organization: "Throttle", ip: 4)
            // Per account: 5 attempts a minute, whatever the address.
            for attempt in 0..<5 {
                let response = try await Self.login(client, "throttled@example.test", "wrong password here", ip: 10 + attempt)
                #expect(response.status == .unauthorized)
            }
            let limited = try await Self.login(client, "throttled@example.test", Self.password, ip: 20)
            #expect(limited.status == .tooManyRequests)
            #expect(Int(limited.headers[.retryAfter] ?? "") ?? 0 > 0)
            // Per address: 5 attempts a minute, whatever the account.
            for attempt in 0..<5 {
                _ = try await Self.login(client, "someone\(attempt)@example.test", "wrong password here", ip: 21)
            }
            #expect(try await Self.login(client, "someone-else@example.test", "wrong password here", ip: 21).status == .tooManyRequests)
        }
    }

    @Test func endedRateLimitWindowsAreSwept() async throws {
        let (pool, _) = try await TestEnvironment.shared.client()
        let logger = TestEnvironment.shared.logger
        try await pool.query(
            """
            INSERT INTO rate_limit_windows (key, window_start, hits) VALUES
                ('sweep:ended', date_trunc('minute', now()) - interval '3 minutes', 4),
                ('sweep:current', date_trunc('minute', now()), 2)
            """,
            logger: logger
        )
        #expect(try await RateLimitSweeper(client: pool, logger: logger).sweep() >= 1)
        let left = try await pool.query("SELECT key FROM rate_limit_windows WHERE key LIKE 'sweep:%'", logger: logger)
            .decode(String.self).reduce(into: [String]()) { $0.append($1) }
        // A window that started this minute survives unless the minute ended meanwhile.
        #expect(left == ["sweep:current"] || left.isEmpty)
        #expect(!left.contains("sweep:ended"))
    }

    /// Rate-limit windows are whole minutes of the database clock: a test that counts hits waits
    /// for a new minute when fewer than 15 seconds of this one remain, so its hits share a window.
    static func awaitRoomInTheRateLimitMinute() async throws {
        let (pool, _) = try await TestEnvironment.shared.client()
        let rows = try await pool.query(
            "SELECT extract(epoch FROM date_trunc('minute', now()) + interval '1 minute' - now())::float8",
            logger: TestEnvironment.shared.logger
        )
        for try await remaining in rows.decode(Double.self) where remaining < 15 {
            try await Task.sleep(for: .milliseconds(Int(remaining * 1000) + 100))
        }
    }

    @Test func refreshRotatesAndReuseRevokesTheSession() async throws {
        try await withApp { client, _ in
            let first = try await Self.signup(client, email: "rotate@example.test", organization: "Rotate", ip: 5)
            let rotated = try await Self.refresh(client, first.refresh, ip: 5)
            #expect(rotated.status == .ok)
            let second = try Self.session(rotated)
            #expect(second.refresh != first.refresh)
            // The old token again: reuse. 401, and the newest token of the family stops working.
            #expect(try await Self.refresh(client, first.refresh, ip: 5).status == .unauthorized)
            #expect(try await Self.refresh(client, second.refresh, ip: 5).status == .unauthorized)
            // A refresh token is not an access token.
            #expect(try await client.request(.get, "/api/v1/me", bearer: second.refresh).status == .unauthorized)
        }
    }

    @Test func parallelRefreshesOfOneTokenSucceedOnce() async throws {
        try await withApp(.live) { client, _ in
            let session = try await Self.signup(client, email: "parallel@example.test", organization: "Parallel", ip: 6)
            let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for _ in 0..<2 {
                    group.addTask { try await Self.refresh(client, session.refresh, ip: 6).status }
                }
                return try await group.reduce(into: [HTTPResponse.Status]()) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == .ok }.count == 1, "\(statuses)")
        }
    }

    @Test func logoutEndsTheSessionAndLogoutAllEndsEvery() async throws {
        try await withApp { client, _ in
            let one = try await Self.signup(client, email: "logout@example.test", organization: "Logout", ip: 7)
            #expect(try await client.request(.delete, "/api/v1/auth/logout", bearer: one.access).status == .noContent)
            #expect(try await Self.refresh(client, one.refresh, ip: 7).status == .unauthorized)

            let two = try Self.session(try await Self.login(client, "logout@example.test", Self.password, ip: 7))
            let three = try Self.session(try await Self.login(client, "logout@example.test", Self.password, ip: 7))
            #expect(try await client.request(.post, "/api/v1/auth/logout-all", bearer: two.access).status == .noContent)
            #expect(try await Self.refresh(client, three.refresh, ip: 7).status == .unauthorized)
        }
    }

    @Test func switchOrgNeedsMembershipAndRemovedMembersLoseRefresh() async throws {
        try await withApp { client, _ in
            let session = try await Self.signup(client, email: "switch@example.test", organization: "Home Org", ip: 8)
            let acme = Users.user(.owner, in: "acme").organization
            let denied = try await client.request(.post, "/api/v1/auth/switch-org", bearer: session.access, json: #"{"org_id": "\#(acme)"}"#)
            #expect(denied.status == .forbidden)

            let (pool, _) = try await TestEnvironment.shared.client()
            let logger = TestEnvironment.shared.logger
            try await pool.query(
                "INSERT INTO memberships (org_id, user_id, role) SELECT \(TestEnvironment.emptyOrganization), id, 'member' FROM users WHERE email = 'switch@example.test'",
                logger: logger
            )
            let switched = try await client.request(
                .post, "/api/v1/auth/switch-org", bearer: session.access, json: #"{"org_id": "\#(TestEnvironment.emptyOrganization)"}"#
            )
            #expect(switched.status == .ok)
            let initech = try Self.session(switched)
            let me = try await client.request(.get, "/api/v1/me", bearer: initech.access)
            #expect((try me.data["organization"] as? [String: Any])?["slug"] as? String == "initech")
            #expect(try me.data["role"] as? String == "member")

            try await pool.query(
                "DELETE FROM memberships WHERE org_id = \(TestEnvironment.emptyOrganization) AND user_id = (SELECT id FROM users WHERE email = 'switch@example.test')",
                logger: logger
            )
            #expect(try await Self.refresh(client, initech.refresh, ip: 8).status == .unauthorized)
            let audited = try await MembersAndInvitationsTests.column(
                """
                SELECT count(*)::int4 FROM audit_logs a JOIN users u ON u.id = a.user_id
                WHERE u.email = 'switch@example.test' AND a.action = 'refresh.membership_ended'
                """,
                as: Int32.self
            )
            #expect(audited == [1])
        }
    }

    @Test func passwordChangeNeedsTheCurrentOneAndEndsOtherSessions() async throws {
        try await withApp { client, _ in
            let current = try await Self.signup(client, email: "password@example.test", organization: "Passwords", ip: 9)
            let other = try Self.session(try await Self.login(client, "password@example.test", Self.password, ip: 9))
            let wrong = try await client.request(
                .post, "/api/v1/auth/password", bearer: current.access,
                json: #"{"current_password": "definitely not it", "new_password": "a brand new passphrase"}"#
            )
            #expect(wrong.status == .unprocessableContent)
            let changed = try await client.request(
                .post, "/api/v1/auth/password", bearer: current.access,
                json: #"{"current_password": "\#(Self.password)", "new_password": "a brand new passphrase"}"#
            )
            #expect(changed.status == .noContent)
            #expect(try await Self.refresh(client, other.refresh, ip: 9).status == .unauthorized)
            #expect(try await Self.refresh(client, current.refresh, ip: 9).status == .ok)
            #expect(try await Self.login(client, "password@example.test", "a brand new passphrase", ip: 9).status == .ok)
        }
    }

    @Test func auditRowsRecordEventsWithoutSecrets() async throws {
        try await withApp { client, _ in
            let session = try await Self.signup(client, email: "audit@example.test", organization: "Audit", ip: 30)
            _ = try await Self.login(client, "audit@example.test", "wrong password here", ip: 30)
            let (pool, _) = try await TestEnvironment.shared.client()
            let rows = try await pool.query(
                """
                SELECT a.action, coalesce(a.ip, ''), concat_ws('|', a.action, a.ip, a.user_agent, a.request_id)
                FROM audit_logs a JOIN users u ON u.id = a.user_id WHERE u.email = 'audit@example.test' ORDER BY a.created_at
                """,
                logger: TestEnvironment.shared.logger
            ).decode((String, String, String).self).reduce(into: [(String, String, String)]()) { $0.append($1) }
            #expect(rows.map(\.0) == ["signup", "login.failed"])
            #expect(rows.allSatisfy { $0.1 == "203.0.113.30" })
            for secret in [Self.password, session.access, session.refresh, "wrong password here"] {
                #expect(!rows.contains { $0.2.contains(secret) })
            }
        }
    }

    @Test func forgedExpiredAndMisdirectedTokensGet401() async throws {
        try await withApp { client, tokens in
            let session = try await Self.signup(client, email: "forged@example.test", organization: "Forged", ip: 31)
            let genuine = try await client.request(.get, "/api/v1/me", bearer: session.access)
            #expect(genuine.status == .ok)
            let principal = try await tokens.verify(session.access)
            let configuration = TestEnvironment.authConfiguration
            let key = try #require(configuration.signingKeys.first)

            let otherKey = AuthConfiguration(signingKeys: [.init(id: key.id, secret: "another-secret-another-secret-another")])
            var otherAudience = configuration
            otherAudience.audience = "some-other-api"
            let parts = session.access.split(separator: ".").map(String.init)
            let payload = Self.base64URLDecode(parts[1])
            let promoted = payload.replacingOccurrences(of: "\"owner\"", with: "\"admin\"")
            let forged: [String: String] = [
                "wrong key": try await AccessTokens(configuration: otherKey).issue(for: principal),
                "wrong audience": try await AccessTokens(configuration: otherAudience).issue(for: principal),
                "expired": try await tokens.issue(for: principal, now: Date(timeIntervalSinceNow: -3600)),
                "tampered": [parts[0], Self.base64URLEncode(promoted), parts[2]].joined(separator: "."),
                "alg none": [Self.base64URLEncode(#"{"alg":"none","typ":"JWT"}"#), parts[1], ""].joined(separator: "."),
                "refresh token": session.refresh,
            ]
            for (name, token) in forged.sorted(by: { $0.key < $1.key }) {
                #expect(try await client.request(.get, "/api/v1/me", bearer: token).status == .unauthorized, "\(name)")
            }
        }
    }

    static func base64URLEncode(_ text: String) -> String {
        Data(text.utf8).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func base64URLDecode(_ text: String) -> String {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        return String(decoding: Data(base64Encoded: base64) ?? Data(), as: UTF8.self)
    }
}
