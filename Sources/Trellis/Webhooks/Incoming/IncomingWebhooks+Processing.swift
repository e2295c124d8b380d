import Foundation
import Logging
import PostgresNIO

extension IncomingWebhooks {
    /// The runner of `trellis.process_webhook`: hands the stored event to its source's handler
    /// and records the outcome on the row. An event already processed is skipped; a failure is
    /// recorded (`failed`, `last_error`) and rethrown, so the job queue retries it.
    func process(_ arguments: Data, context: JobContext) async throws {
        let job = try JSONDecoder().decode(ProcessWebhookEventJob.self, from: arguments)
        let logger = context.logger
        let rows = try await context.database.client.query(
            """
            SELECT source, event_id, event_type, payload, received_at, status FROM webhook_events WHERE id = \(job.webhookEventID)
            """,
            logger: logger
        )
        var found: IncomingWebhookEvent?
        var status = ""
        for try await (source, eventID, type, payload, receivedAt, state) in rows.decode((String, String, String?, String, Timestamp, String).self) {
            found = IncomingWebhookEvent(recordID: job.webhookEventID, source: source, eventID: eventID, type: type, payload: payload, receivedAt: receivedAt)
            status = state
        }
        guard let event = found else {
            logger.warning("webhook event to process is gone", metadata: ["webhook_event_row": "\(job.webhookEventID)"])
            return
        }
        guard status != IncomingWebhookStatus.processed.rawValue else { return }
        do {
            guard let source = sources[event.source] else { throw SourceMissing(name: event.source) }
            try await source.handler(event, context)
        } catch {
            // Cancelled by shutdown: the job is released without the attempt counted; so is the row's.
            if !Task.isCancelled {
                let message = String(String(describing: error).prefix(2000))
                try await context.database.client.query(
                    """
                    UPDATE webhook_events SET status = 'failed', attempts = attempts + 1, last_error = \(message)
                    WHERE id = \(event.recordID) AND status <> 'processed'
                    """,
                    logger: logger
                )
            }
            throw error
        }
        try await context.database.client.query(
            """
            UPDATE webhook_events SET status = 'processed', attempts = attempts + 1, processed_at = now()
            WHERE id = \(event.recordID) AND status <> 'processed'
            """,
            logger: logger
        )
    }

    /// An event of a source the app no longer configures.
    struct SourceMissing: Error, CustomStringConvertible {
        var name: String
        var description: String { "no webhook source named \"\(name)\" is configured" }
    }
}
