import Hummingbird
import Logging
import NIOCore
import PostgresNIO

extension IncomingWebhooks {
    /// Mounts `POST /webhooks/{source}` on `router`, at its root: outside `/api/v1`, without
    /// access tokens or the API's rate limit (the signature authenticates the sender). Put it
    /// after ``ErrorMiddleware``, which renders its refusals.
    public func addRoutes(to router: Router<TrellisRequestContext>, database: Database) {
        router.post("/webhooks/:source") { request, context in
            try await receive(request, context: context, database: database)
        }
    }

    func receive(_ request: Request, context: TrellisRequestContext, database: Database) async throws -> Response {
        guard let name = context.parameters.get("source"), let source = sources[name] else {
            throw APIError.notFound("webhook source")
        }
        var request = request
        let body = try await request.collectBody(upTo: context.maxUploadSize)  // 413 beyond
        let payload = Array(body.readableBytesView)
        let receivedAt = now()
        let verified: IncomingWebhookVerification.Verified
        do {
            verified = try source.verification.verify(payload: payload, headers: request.headers, now: receivedAt)
        } catch {
            context.logger.notice("webhook refused", metadata: ["webhook_source": .string(name), "reason": .string(error.description)])
            throw error.apiError
        }
        // Stored as text, byte for byte, so that the signature can be checked again.
        let text = String(decoding: payload, as: UTF8.self)
        guard text.utf8.elementsEqual(payload), !payload.contains(0) else {
            throw IncomingWebhookRejection.invalidPayload("is not UTF-8 text without NUL characters").apiError
        }
        let headers = JSONValue.object(verified.headers.mapValues { .string($0) })
        let stored = try await database.transaction(logger: context.logger) { connection -> Bool in
            let rows = try await connection.query(
                """
                INSERT INTO webhook_events (source, event_id, event_type, payload, headers, received_at)
                VALUES (\(name), \(verified.eventID), \(verified.eventType), \(text), \(headers), \(Timestamp(receivedAt)))
                ON CONFLICT (source, event_id) DO NOTHING
                RETURNING id
                """,
                logger: context.logger
            )
            var id: Int64?
            for try await value in rows.decode(Int64.self) { id = value }
            guard let id else { return false }
            try await JobQueue.enqueue(ProcessWebhookEventJob(webhookEventID: id), on: connection, uniqueKey: String(id), logger: context.logger)
            return true
        }
        context.logger.info(
            stored ? "webhook received" : "duplicate webhook accepted",
            metadata: ["webhook_source": .string(name), "webhook_event_id": .string(verified.eventID)]
        )
        return Response.data(JSONValue.object(["received": .bool(true), "duplicate": .bool(!stored)]))
    }
}
