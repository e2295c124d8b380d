import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import PostgresNIO

/// Sends webhook deliveries (``DeliverWebhook`` jobs): POSTs the stored body to the endpoint's URL
/// with `Content-Type: application/json`, `X-Webhook-Id` (the event id), `X-Webhook-Event` (its
/// type) and ``WebhookSignature`` headers, within ``timeout``; records each attempt (status and
/// the first 1 KB of the answer) in `webhook_delivery_attempts`. A 2xx answer is success; anything
/// else (a redirect too: none is followed) or no answer is retried on ``DeliverWebhook/schedule``,
/// then the delivery fails. Each delivery connects to the address the ``WebhookURLPolicy`` checked,
/// so a name cannot resolve to a private address between the check and the connection.
///
/// An endpoint failing without a success for ``disableAfter`` (3 days) is disabled, and its
/// organization's owners are emailed.
public struct WebhookDelivery: Sendable {
    public let policy: WebhookURLPolicy
    public let timeout: Duration
    public let disableAfter: Duration
    /// The web app's address, for the link in the "endpoint disabled" email.
    public let appURL: String?

    public init(
        policy: WebhookURLPolicy, timeout: Duration = .seconds(30), disableAfter: Duration = .seconds(3 * 86400), appURL: String? = nil
    ) {
        self.policy = policy
        self.timeout = timeout
        self.disableAfter = disableAfter
        self.appURL = appURL
    }

    /// The delivery job, for the server's registry.
    public var jobs: JobRegistry {
        var registry = JobRegistry()
        registry.register(DeliverWebhook.self) { job, context in try await deliver(job.deliveryID, context: context) }
        return registry
    }

    /// The bytes of an answer kept in the delivery log.
    static let keptResponseBytes = 1024

    struct Target {
        var url: String
        var secret: String
        var enabled: Bool
        var eventID: UUID
        var eventType: String
        var payload: String
        var status: String
        var endpointID: UUID
        var orgID: UUID
    }

    /// What an attempt got.
    struct Outcome {
        var status: Int?
        var body: String?
        var error: String?
        var succeeded: Bool { status.map { (200..<300).contains($0) } ?? false }
    }

    /// Sends delivery `id` once; throws when it must be retried.
    func deliver(_ id: UUID, context: JobContext) async throws {
        let logger = context.logger
        // A failed delivery runs again only when an administrator retries its job.
        guard let target = try await load(id, context: context), target.status != "succeeded" else { return }
        guard target.enabled else {
            try await finish(id, target: target, attempt: context.attempt, outcome: Outcome(error: "the endpoint is disabled"), final: true, context: context)
            return
        }
        let started = ContinuousClock.now
        let outcome = await send(target, now: context.now, logger: logger)
        let elapsed = ContinuousClock.now - started
        let final = outcome.succeeded || context.attempt >= context.maxAttempts
        try await finish(id, target: target, attempt: context.attempt, outcome: outcome, final: final, elapsed: elapsed, context: context)
        if !outcome.succeeded && !final {
            throw DeliveryFailure(description: outcome.error ?? "the endpoint answered \(outcome.status ?? 0)")
        }
    }

    struct DeliveryFailure: Error, CustomStringConvertible {
        var description: String
    }

    private func load(_ id: UUID, context: JobContext) async throws -> Target? {
        let rows = try await context.database.client.query(
            """
            SELECT e.url, e.secret, e.enabled, d.event_id, d.event_type, d.payload, d.status, e.id, d.org_id
            FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id WHERE d.id = \(id)
            """,
            logger: context.logger
        )
        for try await row in rows.decode((String, String, Bool, UUID, String, String, String, UUID, UUID).self) {
            return Target(
                url: row.0, secret: row.1, enabled: row.2, eventID: row.3, eventType: row.4, payload: row.5, status: row.6, endpointID: row.7,
                orgID: row.8
            )
        }
        return nil
    }

    private func send(_ target: Target, now: Date, logger: Logger) async -> Outcome {
        let pinned: String?
        do {
            pinned = try await policy.pinnedAddress(for: target.url)
        } catch {
            return Outcome(error: "refused: the URL \(error.description)")
        }
        var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow)
        configuration.timeout = .init(connect: .seconds(10), read: .nanoseconds(Int64(timeout.components.seconds) * 1_000_000_000))
        if let pinned, let host = URL(string: target.url)?.host { configuration.dnsOverride = [host: pinned] }
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        let outcome = await post(target, now: now, with: client, logger: logger)
        try? await client.shutdown()
        return outcome
    }

    private func post(_ target: Target, now: Date, with client: HTTPClient, logger: Logger) async -> Outcome {
        var request = HTTPClientRequest(url: target.url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "Trellis-Webhooks/1")
        request.headers.add(name: "X-Webhook-Id", value: target.eventID.lowercasedString)
        request.headers.add(name: "X-Webhook-Event", value: target.eventType)
        request.headers.add(name: WebhookSignature.header, value: WebhookSignature.sign(target.payload, secret: target.secret, timestamp: now))
        request.body = .bytes(ByteBuffer(string: target.payload))
        do {
            let response = try await client.execute(request, timeout: .nanoseconds(Int64(timeout.components.seconds) * 1_000_000_000), logger: logger)
            // The first 1 KB is kept; the rest is read and dropped, however long.
            var kept = ByteBuffer()
            for try await var chunk in response.body where kept.readableBytes < Self.keptResponseBytes {
                let take = min(chunk.readableBytes, Self.keptResponseBytes - kept.readableBytes)
                if let slice = chunk.readSlice(length: take) { kept.writeImmutableBuffer(slice) }
            }
            let text = String(decoding: kept.readableBytesView, as: UTF8.self).replacingOccurrences(of: "\0", with: "")
            return Outcome(status: Int(response.status.code), body: text)
        } catch {
            return Outcome(error: String(describing: error).prefix(500).description)
        }
    }

    /// Records the attempt, and the delivery's state after it; keeps the endpoint's failure run.
    private func finish(
        _ id: UUID, target: Target, attempt: Int, outcome: Outcome, final: Bool, elapsed: Duration = .zero, context: JobContext
    ) async throws {
        let logger = context.logger
        let status = outcome.succeeded ? "succeeded" : (final ? "failed" : "pending")
        let next: Date? = final ? nil : DeliverWebhook.retryDelay(afterAttempt: attempt).map { delay in
            context.now.addingTimeInterval(TimeInterval(delay.components.seconds))
        }
        let milliseconds = Int(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)
        let notify = try await context.database.transaction(logger: logger) { connection -> Bool in
            try await connection.query(
                """
                INSERT INTO webhook_delivery_attempts (delivery_id, attempt, attempted_at, response_status, response_body, error, duration_ms)
                VALUES (\(id), \(attempt), \(context.now), \(outcome.status), \(outcome.body), \(outcome.error), \(milliseconds))
                ON CONFLICT (delivery_id, attempt) DO NOTHING
                """,
                logger: logger
            )
            try await connection.query(
                """
                UPDATE webhook_deliveries SET status = \(status), attempts = \(attempt), response_status = \(outcome.status),
                    response_body = \(outcome.body), error = \(outcome.error), next_attempt_at = \(next),
                    completed_at = CASE WHEN \(final) THEN \(context.now) END
                WHERE id = \(id)
                """,
                logger: logger
            )
            if outcome.succeeded {
                try await connection.query("UPDATE webhook_endpoints SET failing_since = NULL WHERE id = \(target.endpointID)", logger: logger)
                return false
            }
            // Disable an endpoint that has failed, with no success, for longer than disableAfter.
            let failing = try await connection.query(
                """
                UPDATE webhook_endpoints SET failing_since = coalesce(failing_since, \(context.now))
                WHERE id = \(target.endpointID) RETURNING failing_since, enabled
                """,
                logger: logger
            )
            var since: Date?
            var enabled = false
            for try await (first, isEnabled) in failing.decode((Date, Bool).self) { (since, enabled) = (first, isEnabled) }
            guard let since, enabled, context.now.timeIntervalSince(since) >= TimeInterval(disableAfter.components.seconds) else { return false }
            let reason = "deliveries failed from \(Timestamp(since).description) on, with no success for three days"
            let disabled = try await connection.query(
                """
                UPDATE webhook_endpoints SET enabled = false, disabled_reason = \(reason), updated_at = now()
                WHERE id = \(target.endpointID) AND enabled RETURNING id
                """,
                logger: logger
            )
            var disabledNow = false
            for try await _ in disabled.decode(UUID.self) { disabledNow = true }
            if disabledNow { try await emailOwners(target, on: connection, logger: logger) }
            return disabledNow
        }
        if notify { logger.warning("webhook endpoint disabled after failing for days", metadata: ["endpoint_id": "\(target.endpointID)"]) }
    }

    /// Tells the organization's owners that the endpoint was disabled.
    private func emailOwners(_ target: Target, on connection: PostgresConnection, logger: Logger) async throws {
        let rows = try await connection.query(
            "SELECT u.email FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.org_id = \(target.orgID) AND m.role = 'owner' ORDER BY u.email",
            logger: logger
        )
        var owners: [String] = []
        for try await email in rows.decode(String.self) { owners.append(email) }
        let link = (appURL ?? "") + "/settings/webhooks"
        for owner in owners {
            _ = try await EmailOutbox.enqueue(
                OutgoingEmail(
                    recipient: owner, subject: "A webhook endpoint was disabled",
                    body: """
                        Deliveries to \(target.url) have failed for more than three days, so the endpoint was disabled.

                        Fix the receiver, then enable the endpoint again: \(link)
                        """
                ),
                on: connection, logger: logger
            )
        }
    }
}
