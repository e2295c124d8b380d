import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import PostgresNIO
import Synchronization
import Testing
import Trellis

/// Incoming webhooks against a real database: `POST /webhooks/{source}` verifies before it stores,
/// stores an event once however often it is sent, and a worker of the `webhooks` queue hands it
/// to its handler once, retrying failures; platform administrators list and retry failed events.
///
/// Serialized, and every test shares one configuration (`webhooks`): a worker of the `webhooks`
/// queue claims whatever event is due, so each must know every source the suite posts to.
@Suite(.serialized) struct IncomingWebhookTests {
    /// 2030-01-01 00:00 UTC: the fixed clock of the route, and when the test events are signed.
    static let now = Date(timeIntervalSince1970: 1_893_456_000)
    static let stripeSecret = "whsec_incoming_test"
    static let githubSecret = "github-incoming-test"
    static let acmeSecret = "acme-incoming-test"

    /// How often the handler ran, per event id; events it refuses until told otherwise.
    final class HandlerLog: Sendable {
        private let state = Mutex<(runs: [String: [Int]], broken: Set<String>, payloads: [String: String])>(([:], [], [:]))

        func record(_ event: IncomingWebhookEvent, attempt: Int) {
            state.withLock {
                $0.runs[event.eventID, default: []].append(attempt)
                $0.payloads[event.eventID] = event.payload
            }
        }
        func attempts(_ eventID: String) -> [Int] { state.withLock { $0.runs[eventID] ?? [] } }
        func payload(_ eventID: String) -> String? { state.withLock { $0.payloads[eventID] } }
        func setBroken(_ eventID: String, _ broken: Bool) {
            state.withLock { if broken { $0.broken.insert(eventID) } else { $0.broken.remove(eventID) } }
        }
        func isBroken(_ eventID: String) -> Bool { state.withLock { $0.broken.contains(eventID) } }
    }

    struct HandlerFailure: Error, CustomStringConvertible {
        var description: String
    }

    static let log = HandlerLog()

    static let webhooks: IncomingWebhooks = {
        // evt_flaky_* fail their first attempt; broken events fail until healed.
        let handler: IncomingWebhookSource.Handler = { event, context in
            log.record(event, attempt: context.attempt)
            if event.eventID.hasPrefix("evt_flaky"), context.attempt == 1 { throw HandlerFailure(description: "flaky: first attempt fails") }
            if log.isBroken(event.eventID) { throw HandlerFailure(description: "broken: attempt \(context.attempt) fails") }
        }
        return IncomingWebhooks(
            [
                IncomingWebhookSource(name: "stripe", verification: .stripe(secret: stripeSecret), handler: handler),
                IncomingWebhookSource(name: "github", verification: .github(secret: githubSecret), handler: handler),
                IncomingWebhookSource(
                    name: "acme-billing",
                    verification: .hmacSHA256(secret: acmeSecret, signatureHeader: "X-Acme-Signature", eventIDHeader: "X-Acme-Delivery"),
                    handler: handler
                ),
            ],
            now: { now }
        )
    }()

    // MARK: helpers

    static func database() async throws -> Database {
        Database(client: try await TestEnvironment.shared.client().client)
    }

    /// The router the server builds for these routes: request ids, the error envelope, the webhooks.
    static func withRoutes(_ body: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let router = Router(context: TrellisRequestContext.self)
        router.add(middleware: RequestIDMiddleware())
        router.add(middleware: ErrorMiddleware())
        webhooks.addRoutes(to: router, database: try await database())
        try await Application(router: router, logger: TestEnvironment.shared.logger).test(.router) { client in try await body(client) }
    }

    static func post(_ client: any TestClientProtocol, _ source: String, body: String, headers: HTTPFields) async throws -> TestResponse {
        var headers = headers
        headers[.contentType] = "application/json"
        return try await client.executeRequest(uri: "/webhooks/\(source)", method: .post, headers: headers, body: ByteBuffer(string: body))
    }

    static func hmacHex(_ message: String, secret: String) -> String {
        HMAC<SHA256>.authenticationCode(for: Data(message.utf8), using: SymmetricKey(data: Data(secret.utf8)))
            .map { String(format: "%02x", $0) }.joined()
    }

    /// A Stripe event and its `Stripe-Signature`, signed as Stripe documents it at `signedAt`.
    static func stripeEvent(_ id: String, signedAt: Date = now, secret: String = stripeSecret) -> (body: String, headers: HTTPFields) {
        let body = #"{"id":"\#(id)","object":"event","type":"invoice.paid","data":{"object":{"id":"in_1","amount_paid":4200}}}"#
        let timestamp = Int64(signedAt.timeIntervalSince1970)
        let signature = hmacHex("\(timestamp).\(body)", secret: secret)
        return (body, [HTTPField.Name("Stripe-Signature")!: "t=\(timestamp),v1=\(signature)"])
    }

    static func count(_ query: PostgresQuery) async throws -> Int {
        var total = 0
        for try await value in try await database().client.query(query, logger: TestEnvironment.shared.logger).decode(Int64.self) { total = Int(value) }
        return total
    }

    static func rowID(source: String, eventID: String) async throws -> Int64 {
        Int64(try await count("SELECT id FROM webhook_events WHERE source = \(source) AND event_id = \(eventID)"))
    }

    static func jobCount(forRow id: Int64) async throws -> Int {
        try await count("SELECT count(*) FROM jobs WHERE kind = 'trellis.process_webhook' AND (args->>'webhook_event_id')::bigint = \(id)")
    }

    /// Runs a worker of the `webhooks` queue, with the suite's handlers, until `done` holds (at most 60 s).
    static func work(until done: @escaping @Sendable () async throws -> Bool) async throws {
        let worker = JobWorker(
            queue: .webhooks, concurrency: 2, registry: webhooks.jobs, database: try await database(), workerID: "incoming-webhook-tests",
            pollInterval: .milliseconds(20), backoff: { _ in .milliseconds(10) }, logger: TestEnvironment.shared.logger
        )
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await worker.run() }
            let start = ContinuousClock.now
            while try await !done() {
                guard ContinuousClock.now - start < .seconds(60) else { throw TestSetupError("the webhook jobs did not finish within 60 s") }
                try await Task.sleep(for: .milliseconds(20))
            }
            group.cancelAll()
        }
    }

    static func status(of id: Int64) async throws -> IncomingWebhookStatus? {
        try await IncomingWebhooks.event(id: id, database: database(), logger: TestEnvironment.shared.logger)?.status
    }

    // MARK: tests

    @Test func aStripeEventPostedTwiceIsStoredOnceAndHandledOnce() async throws {
        let event = Self.stripeEvent("evt_twice_1")
        try await Self.withRoutes { client in
            let first = try await Self.post(client, "stripe", body: event.body, headers: event.headers)
            #expect(first.status == .ok)
            #expect(try first.data["received"] as? Bool == true)
            #expect(try first.data["duplicate"] as? Bool == false)
            let second = try await Self.post(client, "stripe", body: event.body, headers: event.headers)
            #expect(second.status == .ok)
            #expect(try second.data["duplicate"] as? Bool == true)
        }
        #expect(try await Self.count("SELECT count(*) FROM webhook_events WHERE source = 'stripe' AND event_id = 'evt_twice_1'") == 1)
        let id = try await Self.rowID(source: "stripe", eventID: "evt_twice_1")
        #expect(try await Self.jobCount(forRow: id) == 1)
        let stored = try #require(try await IncomingWebhooks.event(id: id, database: Self.database(), logger: TestEnvironment.shared.logger))
        #expect(stored.status == .received)
        #expect(stored.eventType == "invoice.paid")
        #expect(stored.payload == event.body, "the raw body, byte for byte")
        #expect(stored.receivedAt == Timestamp(Self.now))

        try await Self.work { try await Self.status(of: id) == .processed }
        // Posted again once processed: still a duplicate, not handled again.
        try await Self.withRoutes { client in
            let third = try await Self.post(client, "stripe", body: event.body, headers: event.headers)
            #expect(try third.data["duplicate"] as? Bool == true)
        }
        #expect(Self.log.attempts("evt_twice_1") == [1], "handled once")
        #expect(Self.log.payload("evt_twice_1") == event.body)
        let processed = try #require(try await IncomingWebhooks.event(id: id, database: Self.database(), logger: TestEnvironment.shared.logger))
        #expect(processed.attempts == 1)
        #expect(processed.processedAt != nil)
        #expect(try await Self.jobCount(forRow: id) == 1)
        #expect(try await Self.count("SELECT count(*) FROM jobs WHERE kind = 'trellis.process_webhook' AND (args->>'webhook_event_id')::bigint = \(id) AND state = 'completed'") == 1)
    }

    @Test func aBadSignatureIsRefusedWithNoRowAndNoJob() async throws {
        let jobsBefore = try await Self.count("SELECT count(*) FROM jobs WHERE kind = 'trellis.process_webhook'")
        let signedByAStranger = Self.stripeEvent("evt_bad_1", secret: "whsec_stranger")
        let genuine = Self.stripeEvent("evt_bad_1")
        let tampered = genuine.body.replacingOccurrences(of: "4200", with: "1")
        try await Self.withRoutes { client in
            let refused = try await Self.post(client, "stripe", body: signedByAStranger.body, headers: signedByAStranger.headers)
            #expect(refused.status == .badRequest)
            #expect(try refused.error["code"] as? String == "bad_request")
            #expect(try refused.error["details"] as? [String: [String]] == ["signature": ["does not match"]])
            #expect(try await Self.post(client, "stripe", body: tampered, headers: genuine.headers).status == .badRequest)
            let unsigned = try await Self.post(client, "stripe", body: genuine.body, headers: [:])
            #expect(unsigned.status == .badRequest)
            #expect(try unsigned.error["details"] as? [String: [String]] == ["Stripe-Signature": ["is missing"]])
            let malformed = try await Self.post(client, "stripe", body: genuine.body, headers: [HTTPField.Name("Stripe-Signature")!: "v1=abc"])
            #expect(malformed.status == .badRequest)
            #expect(try malformed.error["details"] as? [String: [String]] == ["signature": ["is malformed"]])
        }
        #expect(try await Self.count("SELECT count(*) FROM webhook_events WHERE event_id = 'evt_bad_1'") == 0)
        #expect(try await Self.count("SELECT count(*) FROM jobs WHERE kind = 'trellis.process_webhook'") == jobsBefore)
    }

    @Test func aStaleTimestampIsRefused() async throws {
        let stale = Self.stripeEvent("evt_stale_1", signedAt: Self.now.addingTimeInterval(-301))
        let early = Self.stripeEvent("evt_stale_1", signedAt: Self.now.addingTimeInterval(301))
        try await Self.withRoutes { client in
            for event in [stale, early] {
                let refused = try await Self.post(client, "stripe", body: event.body, headers: event.headers)
                #expect(refused.status == .badRequest)
                #expect(try refused.error["details"] as? [String: [String]] == ["signature": ["timestamp is outside the tolerance"]])
            }
            let inTime = Self.stripeEvent("evt_stale_2", signedAt: Self.now.addingTimeInterval(-300))
            #expect(try await Self.post(client, "stripe", body: inTime.body, headers: inTime.headers).status == .ok)
        }
        #expect(try await Self.count("SELECT count(*) FROM webhook_events WHERE event_id = 'evt_stale_1'") == 0)
    }

    @Test func githubAndGenericFormatsAreAcceptedOrRefused() async throws {
        let body = #"{"action":"opened","pull_request":{"number":7}}"#
        @Sendable func github(_ signature: String, delivery: String) -> HTTPFields {
            [
                HTTPField.Name("X-Hub-Signature-256")!: signature, HTTPField.Name("X-GitHub-Delivery")!: delivery,
                HTTPField.Name("X-GitHub-Event")!: "pull_request",
            ]
        }
        let order = #"{"order":42,"total":"19.90"}"#
        try await Self.withRoutes { client in
            let accepted = try await Self.post(
                client, "github", body: body, headers: github("sha256=" + Self.hmacHex(body, secret: Self.githubSecret), delivery: "gh-delivery-1")
            )
            #expect(accepted.status == .ok)
            #expect(try accepted.data["duplicate"] as? Bool == false)
            let wrongSecret = try await Self.post(
                client, "github", body: body, headers: github("sha256=" + Self.hmacHex(body, secret: "other"), delivery: "gh-delivery-2")
            )
            #expect(wrongSecret.status == .badRequest)
            let noPrefix = try await Self.post(client, "github", body: body, headers: github(Self.hmacHex(body, secret: Self.githubSecret), delivery: "gh-delivery-3"))
            #expect(noPrefix.status == .badRequest)

            let acme: HTTPFields = [
                HTTPField.Name("X-Acme-Signature")!: Self.hmacHex(order, secret: Self.acmeSecret), HTTPField.Name("X-Acme-Delivery")!: "acme-1",
            ]
            #expect(try await Self.post(client, "acme-billing", body: order, headers: acme).status == .ok)
            #expect(try await Self.post(client, "acme-billing", body: order + " ", headers: acme).status == .badRequest, "another body")
            let acmeAgain = try await Self.post(client, "acme-billing", body: order, headers: acme)
            #expect(try acmeAgain.data["duplicate"] as? Bool == true)
        }
        let stored = try await IncomingWebhooks.event(
            id: Self.rowID(source: "github", eventID: "gh-delivery-1"), database: Self.database(), logger: TestEnvironment.shared.logger
        )
        #expect(stored?.eventType == "pull_request")
        #expect(stored?.payload == body)
        #expect(try await Self.count("SELECT count(*) FROM webhook_events WHERE source = 'github' AND event_id IN ('gh-delivery-2', 'gh-delivery-3')") == 0)
        #expect(try await Self.count("SELECT count(*) FROM webhook_events WHERE source = 'acme-billing' AND event_id = 'acme-1' AND event_type IS NULL") == 1)
        // The headers the verification read are kept beside the body.
        #expect(try await Self.count("SELECT count(*) FROM webhook_events WHERE event_id = 'gh-delivery-1' AND headers->>'X-GitHub-Event' = 'pull_request' AND headers ? 'X-Hub-Signature-256'") == 1)
    }

    @Test func anUnknownSourceIsNotFoundAndABodyOverOneMebibyteIsTooLarge() async throws {
        let event = Self.stripeEvent("evt_unknown_1")
        try await Self.withRoutes { client in
            let unknown = try await Self.post(client, "paypal", body: event.body, headers: event.headers)
            #expect(unknown.status == .notFound)
            #expect(try unknown.error["code"] as? String == "not_found")
            let huge = String(repeating: " ", count: (1 << 20) + 1)
            let tooLarge = try await Self.post(client, "stripe", body: huge, headers: event.headers)
            #expect(tooLarge.status == .contentTooLarge)
            #expect(try tooLarge.error["code"] as? String == "payload_too_large")
            // Not under /api/v1, and only POST.
            #expect(try await client.executeRequest(uri: "/api/v1/webhooks/stripe", method: .post, headers: [:], body: nil).status == .notFound)
        }
        #expect(try await Self.count("SELECT count(*) FROM webhook_events WHERE event_id = 'evt_unknown_1'") == 0)
    }

    @Test func aHandlerFailingOnceIsRetriedAndTheEventEndsProcessedAfterTwoAttempts() async throws {
        let event = Self.stripeEvent("evt_flaky_1")
        try await Self.withRoutes { client in
            let response = try await Self.post(client, "stripe", body: event.body, headers: event.headers)
            #expect(response.status == .ok)
        }
        let id = try await Self.rowID(source: "stripe", eventID: "evt_flaky_1")
        try await Self.work { try await Self.status(of: id) == .processed }
        let record = try #require(try await IncomingWebhooks.event(id: id, database: Self.database(), logger: TestEnvironment.shared.logger))
        #expect(record.attempts == 2)
        #expect(record.lastError == "flaky: first attempt fails")
        #expect(Self.log.attempts("evt_flaky_1") == [1, 2])
        #expect(try await Self.jobCount(forRow: id) == 1)
    }

    @Test func anEventFailingEveryAttemptStaysFailedUntilAnAdministratorRetriesIt() async throws {
        let database = try await Self.database()
        let logger = TestEnvironment.shared.logger
        Self.log.setBroken("evt_broken_1", true)
        let event = Self.stripeEvent("evt_broken_1")
        try await Self.withRoutes { client in
            let response = try await Self.post(client, "stripe", body: event.body, headers: event.headers)
            #expect(response.status == .ok)
        }
        let id = try await Self.rowID(source: "stripe", eventID: "evt_broken_1")
        #expect(try await IncomingWebhooks.retry(id: id, database: database, logger: logger) == .notFailed(.received))
        // Ten attempts, then the job is discarded and the event stays failed with its error.
        try await Self.work {
            try await Self.count("SELECT count(*) FROM jobs WHERE kind = 'trellis.process_webhook' AND (args->>'webhook_event_id')::bigint = \(id) AND state = 'discarded'") == 1
        }
        let failed = try await IncomingWebhooks.events(status: .failed, database: database, logger: logger)
        let record = try #require(failed.first { $0.id == id })
        #expect(record.attempts == 10)
        #expect(record.lastError == "broken: attempt 10 fails")
        #expect(record.processedAt == nil)
        #expect(Self.log.attempts("evt_broken_1") == Array(1...10))
        #expect(try await IncomingWebhooks.events(status: .processed, database: database, logger: logger).allSatisfy { $0.id != id })

        // Fixed, then retried by an administrator: a new job, the event received again, then processed.
        Self.log.setBroken("evt_broken_1", false)
        guard case .enqueued = try await IncomingWebhooks.retry(id: id, database: database, logger: logger) else {
            Issue.record("the retry enqueued no job")
            return
        }
        #expect(try await Self.status(of: id) == .received)
        #expect(try await IncomingWebhooks.retry(id: id, database: database, logger: logger) == .notFailed(.received))
        #expect(try await Self.jobCount(forRow: id) == 2)
        try await Self.work { try await Self.status(of: id) == .processed }
        #expect(try await IncomingWebhooks.event(id: id, database: database, logger: logger)?.attempts == 11)
        #expect(try await IncomingWebhooks.retry(id: id, database: database, logger: logger) == .notFailed(.processed))
        #expect(try await IncomingWebhooks.retry(id: -1, database: database, logger: logger) == .notFound)
        let listed = try await IncomingWebhooks.events(status: .processed, limit: 100, database: database, logger: logger)
        #expect(listed.map(\.id) == listed.map(\.id).sorted(by: >), "newest first")
        #expect(listed.contains { $0.id == id })
    }
}
