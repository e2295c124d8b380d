import App
import AppAPI
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import PostgresNIO
import Testing
import Trellis

/// `Idempotency-Key` over HTTP against PostgreSQL: Stripe's semantics, on generated and built-in
/// routes alike.
@Suite struct IdempotencyTests {
    /// Writes happen in Globex: Acme's seeded rows are counted by other tests.
    static let owner = Users.principal(.owner, in: "globex")

    static func keyed(_ key: String) -> HTTPFields { [.idempotencyKey: key] }

    static func count(_ sql: PostgresQuery) async throws -> Int {
        let (client, _) = try await TestEnvironment.shared.client()
        var count = 0
        for try await value in try await client.query(sql, logger: TestEnvironment.shared.logger).decode(Int64.self) { count = Int(value) }
        return count
    }

    @Test func aRetriedCreateMakesOneRowAndReplaysItsAnswer() async throws {
        try await withApp { client, tokens in
            let body = #"{"name": "Idempotent launch", "slug": "idempotent-launch"}"#
            let first = try await client.request(.post, "/api/v1/projects", as: Self.owner, tokens: tokens, json: body, headers: Self.keyed("create-once-1"))
            #expect(first.status == .created)
            #expect(first.headers[.idempotentReplayed] == nil)
            let again = try await client.request(.post, "/api/v1/projects", as: Self.owner, tokens: tokens, json: body, headers: Self.keyed("create-once-1"))
            #expect(again.status == .created)
            #expect(again.headers[.idempotentReplayed] == "true")
            #expect(again.text == first.text)
            #expect(again.headers[.location] == first.headers[.location])
            #expect(again.headers[.eTag] == first.headers[.eTag])
            #expect(try await Self.count("SELECT count(*) FROM projects WHERE slug = 'idempotent-launch'") == 1)

            let other = try await client.request(
                .post, "/api/v1/projects", as: Self.owner, tokens: tokens, json: #"{"name": "Another", "slug": "idempotent-other"}"#,
                headers: Self.keyed("create-once-1")
            )
            #expect(other.status == .unprocessableContent)
            #expect(try other.error["code"] as? String == "idempotency_key_reused")
            #expect(try await Self.count("SELECT count(*) FROM projects WHERE slug = 'idempotent-other'") == 0)
        }
    }

    @Test func aRefusedRequestIsNotStoredSoItsCorrectionRuns() async throws {
        try await withApp { client, tokens in
            let invalid = try await client.request(
                .post, "/api/v1/projects", as: Self.owner, tokens: tokens, json: #"{"name": "", "slug": "idempotent-fixed"}"#,
                headers: Self.keyed("fix-and-retry")
            )
            #expect(invalid.status == .unprocessableContent)
            #expect(try invalid.error["code"] as? String == "validation_error")
            #expect(try await Self.count("SELECT count(*) FROM idempotency_keys WHERE key = 'fix-and-retry'") == 0)
            let fixed = try await client.request(
                .post, "/api/v1/projects", as: Self.owner, tokens: tokens, json: #"{"name": "Fixed", "slug": "idempotent-fixed"}"#,
                headers: Self.keyed("fix-and-retry")
            )
            #expect(fixed.status == .created)
            #expect(fixed.headers[.idempotentReplayed] == nil)
        }
    }

    @Test func tenRequestsAtOnceWithOneKeyMakeOneRow() async throws {
        try await withApp(.live) { client, tokens in
            guard let port = client.port else { throw TestSetupError("no port") }
            let token = try await tokens.issue(for: Self.owner)
            let body = ByteBuffer(string: #"{"name": "Raced", "slug": "idempotent-raced"}"#)
            let headers: HTTPFields = [
                .authorization: "Bearer \(token)", .contentType: "application/json", .idempotencyKey: "ten-at-once",
            ]
            let answers = try await withThrowingTaskGroup(of: (HTTPResponse.Status, String?, String).self) { group in
                for _ in 0..<10 {
                    group.addTask {
                        try await TestClient.withClient(host: "127.0.0.1", port: port) { connection in
                            let response = try await connection.execute(
                                .init("/api/v1/projects", method: .post, authority: "127.0.0.1", headers: headers, body: body)
                            )
                            return (response.status, response.headers[.idempotentReplayed], String(buffer: response.body ?? ByteBuffer()))
                        }
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            var ran: [String] = []
            var replayed: [String] = []
            var busy = 0
            for (status, replay, text) in answers {
                if status == .created, replay == nil { ran.append(text) }
                if status == .created, replay == "true" { replayed.append(text) }
                if status == .conflict, text.contains("idempotency_key_in_use") { busy += 1 }
            }
            let summary = answers.map { "\($0.0.code) \($0.1 ?? "-") \($0.2.prefix(60))" }
            #expect(ran.count == 1, "exactly one request ran: \(summary)")
            #expect(Set(ran + replayed).count == 1, "every replay is the first answer: \(summary)")
            #expect(ran.count + replayed.count + busy == answers.count, "\(summary)")
            #expect(try await Self.count("SELECT count(*) FROM projects WHERE slug = 'idempotent-raced'") == 1)
        }
    }

    @Test func keysBelongToTheCaller() async throws {
        // An organization of this test's own: Acme's and the empty organization's projects are
        // counted by other tests running at the same time.
        let organization = UUID(uuidString: "0193a5c8-0000-7000-8000-0f00000000a1")!
        let user = UUID(uuidString: "0193a5c8-0000-7000-8000-0f00000000a2")!
        let (pool, _) = try await TestEnvironment.shared.client()
        let logger = TestEnvironment.shared.logger
        try await pool.query(
            "INSERT INTO organizations (id, name, slug) VALUES (\(organization), 'Keys', 'idempotency-keys') ON CONFLICT DO NOTHING", logger: logger
        )
        try await pool.query(
            "INSERT INTO users (id, email, name) VALUES (\(user), 'keys@idempotency.test', 'Keys') ON CONFLICT DO NOTHING", logger: logger
        )
        try await pool.query(
            "INSERT INTO memberships (org_id, user_id, role) VALUES (\(organization), \(user), 'owner') ON CONFLICT DO NOTHING", logger: logger
        )
        try await withApp { client, tokens in
            let otherOrganization = try await client.request(
                .post, "/api/v1/projects", as: Principal(userID: user, orgID: organization, role: .owner), tokens: tokens,
                json: #"{"name": "Theirs too", "slug": "idempotent-keys-org"}"#, headers: Self.keyed("shared-key")
            )
            #expect(otherOrganization.status == .created)
            let admin = Users.principal(.admin, in: "globex")
            let mine = try await client.request(
                .post, "/api/v1/projects", as: Self.owner, tokens: tokens, json: #"{"name": "Mine", "slug": "idempotent-mine"}"#,
                headers: Self.keyed("shared-key")
            )
            #expect(mine.status == .created)
            let theirs = try await client.request(
                .post, "/api/v1/projects", as: admin, tokens: tokens, json: #"{"name": "Theirs", "slug": "idempotent-theirs"}"#,
                headers: Self.keyed("shared-key")
            )
            #expect(theirs.status == .created)
            #expect(theirs.headers[.idempotentReplayed] == nil)
        }
    }

    @Test func aMalformedKeyIsRefused() async throws {
        try await withApp { client, tokens in
            for key in ["", String(repeating: "k", count: 256), "has space"] {
                let answer = try await client.request(
                    .post, "/api/v1/projects", as: Self.owner, tokens: tokens, json: #"{"name": "Bad key", "slug": "idempotent-bad-key"}"#,
                    headers: Self.keyed(key)
                )
                #expect(answer.status == .unprocessableContent, "\(key)")
                #expect(try answer.error["details"] as? [String: [String]] != nil)
            }
        }
    }

    @Test func deletesUpdatesAndBuiltInRoutesReplayToo() async throws {
        try await withApp { client, tokens in
            let created = try await client.request(
                .post, "/api/v1/projects", as: Self.owner, tokens: tokens, json: #"{"name": "Keyed", "slug": "idempotent-keyed"}"#
            )
            let id = try #require(try created.data["id"] as? String)
            let patch = #"{"name": "Keyed again"}"#
            let changed = try await client.request(.patch, "/api/v1/projects/\(id)", as: Self.owner, tokens: tokens, json: patch, headers: Self.keyed("patch-1"))
            #expect(changed.status == .ok)
            let replayed = try await client.request(.patch, "/api/v1/projects/\(id)", as: Self.owner, tokens: tokens, json: patch, headers: Self.keyed("patch-1"))
            #expect(replayed.status == .ok)
            #expect(replayed.headers[.idempotentReplayed] == "true")
            #expect(replayed.text == changed.text)

            let deleted = try await client.request(.delete, "/api/v1/projects/\(id)", as: Self.owner, tokens: tokens, headers: Self.keyed("delete-1"))
            #expect(deleted.status == .noContent)
            let deletedAgain = try await client.request(.delete, "/api/v1/projects/\(id)", as: Self.owner, tokens: tokens, headers: Self.keyed("delete-1"))
            #expect(deletedAgain.status == .noContent)
            #expect(deletedAgain.headers[.idempotentReplayed] == "true")

            let invitation = #"{"email": "idempotent-invitee@example.test", "role": "member"}"#
            let invited = try await client.request(.post, "/api/v1/invitations", as: Self.owner, tokens: tokens, json: invitation, headers: Self.keyed("invite-1"))
            #expect(invited.status == .created)
            let invitedAgain = try await client.request(.post, "/api/v1/invitations", as: Self.owner, tokens: tokens, json: invitation, headers: Self.keyed("invite-1"))
            #expect(invitedAgain.status == .created)
            #expect(invitedAgain.headers[.idempotentReplayed] == "true")
            #expect(try await Self.count("SELECT count(*) FROM invitations WHERE email = 'idempotent-invitee@example.test'") == 1)
        }
    }

    @Test func answersCarryingCredentialsAreNeverStored() async throws {
        try await withApp { client, tokens in
            // A new API key's secret is shown once and never kept: the keyed retry makes another key.
            let keyBody = #"{"name": "Keyed key", "scopes": ["*"]}"#
            let firstKey = try await client.request(.post, "/api/v1/api-keys", as: Self.owner, tokens: tokens, json: keyBody, headers: Self.keyed("api-key-1"))
            let secondKey = try await client.request(.post, "/api/v1/api-keys", as: Self.owner, tokens: tokens, json: keyBody, headers: Self.keyed("api-key-1"))
            #expect(firstKey.status == .created && secondKey.status == .created)
            #expect(secondKey.headers[.idempotentReplayed] == nil)
            #expect(try firstKey.data["key"] as? String != secondKey.data["key"] as? String)
            #expect(try await Self.count("SELECT count(*) FROM idempotency_keys WHERE key = 'api-key-1'") == 0)
            // A sign-in (no credentials yet) runs as without a key.
            let email = Users.user(.member, in: "globex").email
            let body = #"{"email": "\#(email)", "password": "\#(DemoData.password)"}"#
            var refreshTokens: Set<String> = []
            for _ in 0..<2 {
                let signedIn = try await client.request(
                    .post, "/api/v1/auth/login", bearer: nil, json: body,
                    headers: [.idempotencyKey: "sign-in-1", HTTPField.Name("X-Forwarded-For")!: "198.51.100.71"]
                )
                #expect(signedIn.status == .ok)
                #expect(signedIn.headers[.idempotentReplayed] == nil)
                #expect(signedIn.headers[.cacheControl] == "no-store")
                refreshTokens.insert(try signedIn.data["refresh_token"] as? String ?? "")
            }
            #expect(refreshTokens.count == 2, "each sign-in ran")
            #expect(try await Self.count("SELECT count(*) FROM idempotency_keys WHERE key = 'sign-in-1'") == 0)
        }
    }

    @Test func anExpiredKeyRunsAgainAndTheSweeperDeletesIt() async throws {
        try await withApp { client, tokens in
            let created = try await client.request(
                .post, "/api/v1/projects", as: Self.owner, tokens: tokens, json: #"{"name": "Expiring", "slug": "idempotent-expiring"}"#
            )
            let id = try #require(try created.data["id"] as? String)
            let patch = #"{"name": "Expiring again"}"#
            let first = try await client.request(.patch, "/api/v1/projects/\(id)", as: Self.owner, tokens: tokens, json: patch, headers: Self.keyed("expiring-1"))
            #expect(first.status == .ok)
            let (database, _) = try await TestEnvironment.shared.client()
            try await database.query(
                "UPDATE idempotency_keys SET expires_at = now() - interval '1 second' WHERE key = 'expiring-1'", logger: TestEnvironment.shared.logger
            )
            let later = try await client.request(.patch, "/api/v1/projects/\(id)", as: Self.owner, tokens: tokens, json: patch, headers: Self.keyed("expiring-1"))
            #expect(later.status == .ok)
            #expect(later.headers[.idempotentReplayed] == nil, "an expired key is not replayed")
            // The retry stored its own answer, for another 24 hours.
            #expect(try await Self.count("SELECT count(*) FROM idempotency_keys WHERE key = 'expiring-1' AND expires_at > now() + interval '23 hours'") == 1)

            try await database.query(
                "UPDATE idempotency_keys SET expires_at = now() - interval '1 second' WHERE key = 'expiring-1'", logger: TestEnvironment.shared.logger
            )
            let swept = try await RetentionSweeper(client: database, auditRetention: .seconds(90 * 86400), logger: TestEnvironment.shared.logger).sweep()
            #expect(swept.idempotencyKeys >= 1)
            #expect(try await Self.count("SELECT count(*) FROM idempotency_keys WHERE key = 'expiring-1'") == 0)
        }
    }

    /// Holds every create in its afterCreate hook until released.
    actor Gate {
        private var entered: CheckedContinuation<Void, Never>?
        private var release: CheckedContinuation<Void, Never>?
        private var isEntered = false

        func enter() async {
            isEntered = true
            entered?.resume()
            await withCheckedContinuation { release = $0 }
        }

        func waitUntilEntered() async {
            if isEntered { return }
            await withCheckedContinuation { entered = $0 }
        }

        func open() { release?.resume() }
    }

    struct HeldCreates: ProjectHooks {
        let gate: Gate
        func afterCreate(_ created: Project, context: HookContext) async throws { await gate.enter() }
    }

    /// While the first request with a key is inside its transaction, every other one with the
    /// key answers 409 at once; after it, the key replays.
    @Test func aKeyInFlightAnswers409() async throws {
        let gate = Gate()
        var hooks = GeneratedAPI.Hooks()
        hooks.project = HeldCreates(gate: gate)
        try await withApp(.live, api: GeneratedAPI(hooks: hooks, actions: App.actions)) { client, tokens in
            guard let port = client.port else { throw TestSetupError("no port") }
            let headers: HTTPFields = [
                .authorization: "Bearer \(try await tokens.issue(for: Self.owner))", .contentType: "application/json", .idempotencyKey: "held-1",
            ]
            let body = ByteBuffer(string: #"{"name": "Held", "slug": "idempotent-held"}"#)
            let send: @Sendable () async throws -> (HTTPResponse.Status, String?, String) = {
                try await TestClient.withClient(host: "127.0.0.1", port: port) { connection in
                    let response = try await connection.execute(.init("/api/v1/projects", method: .post, authority: "127.0.0.1", headers: headers, body: body))
                    return (response.status, response.headers[.idempotentReplayed], String(buffer: response.body ?? ByteBuffer()))
                }
            }
            let first = Task { try await send() }
            await gate.waitUntilEntered()
            let during = try await withThrowingTaskGroup(of: (HTTPResponse.Status, String?, String).self) { group in
                for _ in 0..<9 { group.addTask { try await send() } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(during.allSatisfy { $0.0 == .conflict && $0.2.contains("idempotency_key_in_use") }, "\(during)")
            await gate.open()
            let (status, replayed, text) = try await first.value
            #expect(status == .created && replayed == nil)
            let after = try await send()
            #expect(after.0 == .created && after.1 == "true" && after.2 == text)
        }
        #expect(try await Self.count("SELECT count(*) FROM projects WHERE slug = 'idempotent-held'") == 1)
    }
}
