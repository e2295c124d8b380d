import Logging
import PostgresNIO

/// What ``IncomingWebhooks/retry(id:database:logger:)`` did.
public enum IncomingWebhookRetry: Sendable, Hashable {
    /// A processing job was enqueued (its id); the event is `received` again.
    case enqueued(jobID: Int64)
    /// No event has this id.
    case notFound
    /// The event is not `failed` (received and waiting, or processed).
    case notFailed(IncomingWebhookStatus)
    /// A processing job of the event is still pending (the queue's own retries) or running.
    case alreadyQueued
}

extension IncomingWebhooks {
    /// The events with `status`, newest first: at most `limit` (1 to 100), those older than
    /// `before` (an event id, for the next page) when given.
    public static func events(
        status: IncomingWebhookStatus, limit: Int = 50, before: Int64? = nil, database: Database, logger: Logger
    ) async throws -> [IncomingWebhookRecord] {
        let limit = min(max(limit, 1), 100)
        return try await records(
            """
            SELECT \(unescaped: recordColumns) FROM webhook_events
            WHERE status = \(status.rawValue) AND (\(before)::bigint IS NULL OR id < \(before))
            ORDER BY id DESC LIMIT \(limit)
            """,
            database: database, logger: logger
        )
    }

    /// The event with `id`, or nil.
    public static func event(id: Int64, database: Database, logger: Logger) async throws -> IncomingWebhookRecord? {
        try await records("SELECT \(unescaped: recordColumns) FROM webhook_events WHERE id = \(id)", database: database, logger: logger).first
    }

    /// Processes a failed event again: in one transaction, enqueues a new processing job (with
    /// 10 attempts of its own) and marks the event `received`.
    public static func retry(id: Int64, database: Database, logger: Logger) async throws -> IncomingWebhookRetry {
        try await database.transaction(logger: logger) { connection in
            let rows = try await connection.query("SELECT status FROM webhook_events WHERE id = \(id) FOR UPDATE", logger: logger)
            var found: String?
            for try await status in rows.decode(String.self) { found = status }
            guard let found, let status = IncomingWebhookStatus(rawValue: found) else { return .notFound }
            guard status == .failed else { return .notFailed(status) }
            guard let jobID = try await JobQueue.enqueue(ProcessWebhookEventJob(webhookEventID: id), on: connection, uniqueKey: String(id), logger: logger)
            else { return .alreadyQueued }
            try await connection.query("UPDATE webhook_events SET status = 'received' WHERE id = \(id)", logger: logger)
            return .enqueued(jobID: jobID)
        }
    }

    private static let recordColumns =
        "id, source, event_id, event_type, status, attempts, last_error, received_at, processed_at, payload"

    private static func records(_ query: PostgresQuery, database: Database, logger: Logger) async throws -> [IncomingWebhookRecord] {
        try await database.withConnection(logger: logger) { connection in
            let rows = try await connection.query(query, logger: logger)
            var records: [IncomingWebhookRecord] = []
            for try await (id, source, eventID, eventType, status, attempts, lastError, receivedAt, processedAt, payload)
                in rows.decode((Int64, String, String, String?, String, Int32, String?, Timestamp, Timestamp?, String).self)
            {
                records.append(IncomingWebhookRecord(
                    id: id, source: source, eventID: eventID, eventType: eventType, status: IncomingWebhookStatus(rawValue: status) ?? .received,
                    attempts: Int(attempts), lastError: lastError, receivedAt: receivedAt, processedAt: processedAt, payload: payload
                ))
            }
            return records
        }
    }
}
