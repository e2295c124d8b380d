import Foundation
import Logging
import PostgresNIO

/// The job that sends one webhook delivery (`webhook_deliveries` row), on the `webhooks` queue:
/// run by ``WebhookDelivery``. Retried 1 min, 5 min, 30 min, 2 h and 24 h after failed attempts,
/// then the delivery is `failed`.
public struct DeliverWebhook: JobDefinition {
    public static let kind = "trellis.deliver_webhook"
    public static let queue = JobQueueName.webhooks
    /// The retry schedule, after attempts 1 to 5.
    public static let schedule: [Duration] = [.seconds(60), .seconds(300), .seconds(1800), .seconds(7200), .seconds(86400)]
    public static let maxAttempts = schedule.count + 1

    public static func retryDelay(afterAttempt attempt: Int) -> Duration? {
        schedule[min(max(attempt, 1), schedule.count) - 1]
    }

    public var deliveryID: UUID

    /// Writes a pending delivery of `payload` to `endpointID` and its job, on `connection` (inside
    /// the caller's transaction); returns the delivery's id.
    @discardableResult
    static func enqueue(
        endpointID: UUID, orgID: UUID, eventID: UUID, type: String, payload: String, on connection: PostgresConnection, logger: Logger
    ) async throws -> UUID {
        let id = UUID.v7()
        try await connection.query(
            """
            INSERT INTO webhook_deliveries (id, endpoint_id, org_id, event_id, event_type, payload)
            VALUES (\(id), \(endpointID), \(orgID), \(eventID), \(type), \(payload))
            """,
            logger: logger
        )
        try await JobQueue.enqueue(DeliverWebhook(deliveryID: id), on: connection, logger: logger)
        return id
    }
}
