import Foundation
import HummingbirdTesting
import PostgresNIO
import Testing
import Trellis

/// `/admin/...` for platform administrators: discarded jobs listed, retried and discarded again;
/// failed received webhooks listed and retried; everyone else refused.
@Suite(.serialized) struct AdminRoutesTests {
    /// A signed-in platform administrator's access token, and an ordinary owner's.
    static func tokens(_ client: any TestClientProtocol, _ name: String) async throws -> (admin: String, owner: String) {
        let database = Database(client: try await TestEnvironment.shared.client().client)
        let email = "\(name)-admin@admin.test"
        _ = try await AuthTests.signup(client, email: email, organization: "Ops \(name)", ip: 81)
        #expect(try await PlatformAdmins.set(true, email: email, on: database, logger: TestEnvironment.shared.logger))
        let admin = try AuthTests.session(try await AuthTests.login(client, email, AuthTests.password, ip: 81)).access
        let owner = try await AuthTests.signup(client, email: "\(name)-owner@admin.test", organization: "Ops Owner \(name)", ip: 82).access
        return (admin, owner)
    }

    static func insert(_ query: PostgresQuery) async throws -> Int64 {
        let client = try await TestEnvironment.shared.client().client
        for try await id in try await client.query(query, logger: TestEnvironment.shared.logger).decode(Int64.self) { return id }
        throw TestSetupError("nothing inserted")
    }

    @Test func discardedJobsAreListedRetriedAndDiscarded() async throws {
        try await withApp { client, _ in
            let (admin, owner) = try await Self.tokens(client, "jobs")
            let id = try await Self.insert(
                """
                INSERT INTO jobs (queue, kind, args, max_attempts, attempts, state, last_error, finished_at)
                VALUES ('admin_test', 'test.admin', '{"n": 1}', 3, 3, 'discarded', 'boom', now()) RETURNING id
                """
            )
            #expect(try await client.request(.get, "/api/v1/admin/jobs", bearer: owner).status == .forbidden)
            let listed = try await client.request(.get, "/api/v1/admin/jobs?queue=admin_test", bearer: admin)
            #expect(listed.status == .ok, "\(listed.text)")
            let jobs = try #require(listed.json["data"] as? [[String: Any]])
            #expect(jobs.map { $0["id"] as? Int } == [Int(id)])
            #expect(jobs.first?["last_error"] as? String == "boom")
            #expect((jobs.first?["args"] as? [String: Any])?["n"] as? Int == 1)

            let retried = try await client.request(.post, "/api/v1/admin/jobs/\(id)/retry", bearer: admin)
            #expect(retried.status == .ok, "\(retried.text)")
            #expect(try retried.data["state"] as? String == "pending")
            #expect(try retried.data["max_attempts"] as? Int == 4, "one more attempt than it used")
            #expect(try await client.request(.post, "/api/v1/admin/jobs/\(id)/retry", bearer: admin).status == .notFound, "not discarded")
            let discarded = try await client.request(.post, "/api/v1/admin/jobs/\(id)/discard", bearer: admin)
            #expect(discarded.status == .ok)
            #expect(try discarded.data["state"] as? String == "discarded")

            let bad = try await client.request(.get, "/api/v1/admin/jobs?state=lost&limit=0&color=red", bearer: admin)
            #expect(bad.status == .unprocessableContent)
            #expect(bad.text.contains("state") && bad.text.contains("limit") && bad.text.contains("color"), "\(bad.text)")
        }
    }

    @Test func failedReceivedWebhooksAreListedAndRetried() async throws {
        try await withApp { client, _ in
            let (admin, _) = try await Self.tokens(client, "events")
            let id = try await Self.insert(
                """
                INSERT INTO webhook_events (source, event_id, event_type, payload, headers, status, attempts, last_error)
                VALUES ('stripe', 'evt_admin_test', 'invoice.paid', '{}', '{}', 'failed', 10, 'handler failed') RETURNING id
                """
            )
            let listed = try await client.request(.get, "/api/v1/admin/webhook-events", bearer: admin)
            #expect(listed.status == .ok)
            let events = try #require(listed.json["data"] as? [[String: Any]])
            #expect(events.contains { $0["id"] as? Int == Int(id) && $0["last_error"] as? String == "handler failed" })
            let retried = try await client.request(.post, "/api/v1/admin/webhook-events/\(id)/retry", bearer: admin)
            #expect(retried.status == .accepted, "\(retried.text)")
            #expect(try retried.data["status"] as? String == "received")
            #expect(try await client.request(.post, "/api/v1/admin/webhook-events/\(id)/retry", bearer: admin).status == .conflict)
            #expect(try await client.request(.post, "/api/v1/admin/webhook-events/999999999/retry", bearer: admin).status == .notFound)
        }
    }
}
