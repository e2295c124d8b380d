import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import PostgresNIO
import Synchronization
import TestPeers
import Testing
import Trellis

/// Outgoing webhooks against a real HTTP receiver (scripts/http_receiver.py): updating a task
/// delivers a signed `task.updated` event that verifies with the documented algorithm; a receiver
/// answering 500 twice then 200 gets three attempts, 1 and 5 minutes apart on a simulated clock;
/// endpoints refuse URLs of private networks outside development.
@Suite(.serialized) struct WebhookDeliveryTests {
    /// A request the receiver got.
    struct Received {
        var headers: [String: String]
        var body: String
    }

    /// Runs the receiver answering `statuses` (the last repeats) for `body`.
    static func withReceiver(statuses: [Int], _ body: (_ url: String, _ received: @escaping @Sendable () throws -> [Received]) async throws -> Void) async throws {
        try await PeerProcess.with(
            script: "http_receiver.py",
            arguments: ["--port", "0", "--output", "{dir}/requests.jsonl", "--statuses", statuses.map(String.init).joined(separator: ",")]
        ) { receiver in
            try await body("http://127.0.0.1:\(receiver.port)/hooks") {
                receiver.records(in: "requests.jsonl").map { object in
                    Received(headers: object["headers"] as? [String: String] ?? [:], body: object["body"] as? String ?? "")
                }
            }
        }
    }

    /// Signs up a user with an organization of their own; returns their access token.
    static func owner(_ client: any TestClientProtocol, _ name: String, ip: Int) async throws -> String {
        try await AuthTests.signup(client, email: "\(name)@webhooks.test", organization: "Webhooks \(name)", ip: ip).access
    }

    static func createEndpoint(_ client: any TestClientProtocol, _ token: String, url: String, types: String = #"["*"]"#) async throws -> TestResponse {
        try await client.request(.post, "/api/v1/webhook-endpoints", bearer: token, json: #"{"url": "\#(url)", "event_types": \#(types)}"#)
    }

    static func worker(_ database: Database, clock: JobClock = .database) -> JobWorker {
        JobWorker(
            queue: .webhooks, concurrency: 2, registry: WebhookDelivery(policy: WebhookURLPolicy(allowsPrivateURLs: true)).jobs, database: database,
            pollInterval: .milliseconds(50), clock: clock, logger: TestEnvironment.shared.logger
        )
    }

    static func waitUntil(_ what: String, limit: Duration = .seconds(30), _ condition: () async throws -> Bool) async throws {
        try await JobProcessesTests.waitUntil(what, limit: limit, condition)
    }

    @Test func updatingATaskDeliversASignedWebhookTheReceiverVerifies() async throws {
        try await Self.withReceiver(statuses: [200]) { url, received in
            try await withApp(configure: { $0.webhookURLPolicy.allowsPrivateURLs = true }) { client, _ in
                let (database, logger) = (Database(client: try await TestEnvironment.shared.client().client), TestEnvironment.shared.logger)
                // The suites running beside this one write change events by the thousand; start the
                // dispatcher after them, as a server that has kept up would be.
                try await database.client.query(
                    """
                    UPDATE webhook_dispatch SET xid = pg_snapshot_xmin(pg_current_snapshot()), event_id = 0
                    WHERE xid < pg_snapshot_xmin(pg_current_snapshot())
                    """,
                    logger: logger
                )
                let token = try await Self.owner(client, "ada", ip: 61)
                let created = try await Self.createEndpoint(client, token, url: url, types: #"["task.updated"]"#)
                #expect(created.status == .created, "\(created.text)")
                let secret = try #require(try created.data["secret"] as? String)
                #expect(secret.hasPrefix("whsec_"))
                let endpointID = try #require(try created.data["id"] as? String)
                let listed = try await client.request(.get, "/api/v1/webhook-endpoints", bearer: token)
                #expect(!listed.text.contains(secret), "the secret is shown once")

                let project = try await client.request(.post, "/api/v1/projects", bearer: token, json: #"{"name": "Hooks", "slug": "hooks"}"#)
                let projectID = try #require(try project.data["id"] as? String)
                let task = try await client.request(.post, "/api/v1/tasks", bearer: token, json: #"{"project_id": "\#(projectID)", "title": "Ship"}"#)
                let taskID = try #require(try task.data["id"] as? String)
                let updated = try await client.request(.patch, "/api/v1/tasks/\(taskID)", bearer: token, json: #"{"title": "Shipped"}"#)
                #expect(updated.status == .ok, "\(updated.text)")

                let dispatcher = WebhookDispatcher(client: database.client, logger: logger)
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { try await Self.worker(database).run() }
                    try await Self.waitUntil("the delivery arrived and was recorded", limit: .seconds(120)) {
                        while try await dispatcher.dispatch() == WebhookDispatcher.batch {}
                        return try await JobQueueTests.count(
                            "SELECT count(*) FROM webhook_deliveries WHERE endpoint_id = \(UUID(uuidString: endpointID)!) AND status <> 'pending'",
                            in: database
                        ) == 1
                    }
                    group.cancelAll()
                }
                let requests = try received()
                #expect(requests.count == 1, "task.created is not subscribed: only the update is sent")
                let request = try #require(requests.first)
                #expect(request.headers["x-webhook-event"] == "task.updated")
                #expect(request.headers["content-type"] == "application/json")
                let signature = try #require(request.headers["x-webhook-signature"])
                #expect(WebhookSignature.verify(signature, body: request.body, secret: secret), "\(signature)")
                #expect(!WebhookSignature.verify(signature, body: request.body + " ", secret: secret), "a changed body fails")
                #expect(!WebhookSignature.verify(signature, body: request.body, secret: secret, now: Date().addingTimeInterval(301)), "too old")
                // The documented algorithm, by hand: hex HMAC-SHA256 of "t.body".
                let parts = Dictionary(uniqueKeysWithValues: signature.split(separator: ",").map { part in
                    let pair = part.split(separator: "=", maxSplits: 1)
                    return (String(pair[0]), String(pair[1]))
                })
                let t = try #require(parts["t"])
                let expected = HMACHex.sha256(key: secret, message: "\(t).\(request.body)")
                #expect(parts["v1"] == expected)
                let event = try #require(try JSONSerialization.jsonObject(with: Data(request.body.utf8)) as? [String: Any])
                #expect(event["type"] as? String == "task.updated")
                #expect(request.headers["x-webhook-id"] == event["id"] as? String)
                #expect((event["data"] as? [String: Any])?["title"] as? String == "Shipped")
                #expect((event["resource"] as? [String: Any])?["id"] as? String == taskID)

                let log = try await client.request(.get, "/api/v1/webhook-endpoints/\(endpointID)/deliveries", bearer: token)
                let deliveries = try #require(log.json["data"] as? [[String: Any]])
                #expect(deliveries.count == 1)
                #expect(deliveries.first?["status"] as? String == "succeeded")
                #expect(deliveries.first?["response_status"] as? Int == 200)
            }
        }
    }

    @Test func aReceiverFailingTwiceGetsThreeAttemptsOnTheSchedule() async throws {
        try await Self.withReceiver(statuses: [500, 500, 200]) { url, received in
            try await withApp(configure: { $0.webhookURLPolicy.allowsPrivateURLs = true }) { client, _ in
                let database = Database(client: try await TestEnvironment.shared.client().client)
                let token = try await Self.owner(client, "grace", ip: 62)
                let created = try await Self.createEndpoint(client, token, url: url)
                let endpointID = try #require(try created.data["id"] as? String)
                // Simulated time, from a little after the database's now (the job is due at enqueue).
                let start = Date().addingTimeInterval(5)
                let offset = Mutex<TimeInterval>(0)
                let clock = JobClock.simulated { start.addingTimeInterval(offset.withLock { $0 }) }
                let test = try await client.request(.post, "/api/v1/webhook-endpoints/\(endpointID)/test", bearer: token)
                #expect(test.status == .accepted, "\(test.text)")
                let deliveryID = try #require(try test.data["id"] as? String)
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { try await Self.worker(database, clock: clock).run() }
                    for (attempt, wait) in [(1, 60), (2, 300)] {
                        try await Self.waitUntil("attempt \(attempt)") { try received().count == attempt }
                        try await Self.waitUntil("attempt \(attempt) recorded") {
                            try await JobQueueTests.count(
                                "SELECT count(*) FROM webhook_delivery_attempts WHERE delivery_id = \(UUID(uuidString: deliveryID)!) AND attempt = \(attempt)",
                                in: database
                            ) == 1
                        }
                        // Nothing more until the simulated clock reaches the retry.
                        try await Task.sleep(for: .milliseconds(500))
                        #expect(try received().count == attempt)
                        offset.withLock { $0 += TimeInterval(wait) }
                    }
                    try await Self.waitUntil("attempt 3") { try received().count == 3 }
                    try await Self.waitUntil("the delivery succeeded") {
                        try await JobQueueTests.count(
                            "SELECT count(*) FROM webhook_deliveries WHERE id = \(UUID(uuidString: deliveryID)!) AND status = 'succeeded' AND attempts = 3",
                            in: database
                        ) == 1
                    }
                    group.cancelAll()
                }
                // The attempts, on the simulated clock: at 0 s, 60 s and 360 s.
                let rows = try await database.client.query(
                    """
                    SELECT attempt, extract(epoch FROM attempted_at - \(start))::float8, response_status FROM webhook_delivery_attempts
                    WHERE delivery_id = \(UUID(uuidString: deliveryID)!) ORDER BY attempt
                    """,
                    logger: TestEnvironment.shared.logger
                )
                var attempts: [(Int32, Double, Int32?)] = []
                for try await row in rows.decode((Int32, Double, Int32?).self) { attempts.append(row) }
                #expect(attempts.map(\.0) == [1, 2, 3])
                #expect(attempts.map { Int($0.1.rounded()) } == [0, 60, 360])
                #expect(attempts.map(\.2) == [500, 500, 200])
            }
        }
    }

    @Test func anEndpointFailingForThreeDaysIsDisabledAndItsOwnersEmailed() async throws {
        try await Self.withReceiver(statuses: [503]) { url, received in
            try await withApp(configure: { $0.webhookURLPolicy.allowsPrivateURLs = true }) { client, _ in
                let database = Database(client: try await TestEnvironment.shared.client().client)
                let token = try await Self.owner(client, "margaret", ip: 65)
                let created = try await Self.createEndpoint(client, token, url: url)
                let endpointID = try #require(try created.data["id"] as? String)
                let start = Date().addingTimeInterval(5)
                let offset = Mutex<TimeInterval>(0)
                let clock = JobClock.simulated { start.addingTimeInterval(offset.withLock { $0 }) }
                func endpoint() async throws -> [String: Any] {
                    try await client.request(.get, "/api/v1/webhook-endpoints/\(endpointID)", bearer: token).data
                }
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { try await Self.worker(database, clock: clock).run() }
                    #expect(try await client.request(.post, "/api/v1/webhook-endpoints/\(endpointID)/test", bearer: token).status == .accepted)
                    try await Self.waitUntil("the first failure") { try await endpoint()["failing_since"] is String }
                    // Three days and a minute later, still failing: the next failure disables it.
                    offset.withLock { $0 += 3 * 86400 + 60 }
                    #expect(try await client.request(.post, "/api/v1/webhook-endpoints/\(endpointID)/test", bearer: token).status == .accepted)
                    try await Self.waitUntil("the endpoint disabled") { try await endpoint()["enabled"] as? Bool == false }
                    group.cancelAll()
                }
                let disabled = try await endpoint()
                #expect((disabled["disabled_reason"] as? String)?.contains("three days") == true, "\(disabled)")
                #expect(try received().count >= 2)
                let emailed = try await JobQueueTests.count(
                    "SELECT count(*) FROM email_outbox WHERE recipient = 'margaret@webhooks.test' AND subject = 'A webhook endpoint was disabled'",
                    in: database
                )
                #expect(emailed == 1)
                // Enabled again by its owner, it starts a new run of failures.
                let enabled = try await client.request(.patch, "/api/v1/webhook-endpoints/\(endpointID)", bearer: token, json: #"{"enabled": true}"#)
                #expect(try enabled.data["enabled"] as? Bool == true)
                #expect(try enabled.data["failing_since"] is NSNull)
                #expect(try enabled.data["disabled_reason"] is NSNull)
            }
        }
    }

    @Test func endpointsRefuseURLsOfPrivateNetworksOutsideDevelopment() async throws {
        try await withApp { client, _ in
            let token = try await Self.owner(client, "linus", ip: 63)
            for url in ["http://example.com/hooks", "https://127.0.0.1/hooks", "https://10.1.2.3/hooks", "https://169.254.169.254/latest",
                        "https://[::1]/hooks", "https://[fd00::1]/hooks", "https://100.64.0.9/", "https://localhost/hooks", "ftp://example.com/",
                        "https://[2002:c0a8:101::1]/", "https://[2001:0:4136:e378::1]/", "https://[::10.0.0.1]/", "https://[fe80::1]/"] {
                let response = try await Self.createEndpoint(client, token, url: url)
                #expect(response.status == .unprocessableContent, "\(url): \(response.text)")
                #expect(response.text.contains("url"), "\(url)")
            }
            #expect(try await Self.createEndpoint(client, token, url: "https://8.8.8.8/hooks").status == .created)
        }
        let policy = WebhookURLPolicy()
        await #expect(throws: WebhookURLPolicy.Refusal.self) { try await policy.check("https://[::ffff:192.168.1.1]/") }
        try await policy.check("https://1.1.1.1/")
    }

    @Test func onlyOwnersAndAdminsManageEndpoints() async throws {
        try await withApp { client, tokens in
            let response = try await client.request(.get, "/api/v1/webhook-endpoints", as: Users.principal(.member, in: "acme"), tokens: tokens)
            #expect(response.status == .forbidden)
            let token = try await Self.owner(client, "barbara", ip: 64)
            let bad = try await client.request(
                .post, "/api/v1/webhook-endpoints", bearer: token, json: #"{"url": "https://8.8.8.8/", "event_types": ["Task Updated"], "color": 1}"#
            )
            #expect(bad.status == .unprocessableContent)
            #expect(bad.text.contains("event_types") && bad.text.contains("color"), "\(bad.text)")
        }
    }
}

/// A receiver's computation of a webhook signature, as the README shows it.
enum HMACHex {
    static func sha256(key: String, message: String) -> String {
        HMAC<SHA256>.authenticationCode(for: Data(message.utf8), using: SymmetricKey(data: Data(key.utf8)))
            .map { String(format: "%02x", $0) }.joined()
    }
}
