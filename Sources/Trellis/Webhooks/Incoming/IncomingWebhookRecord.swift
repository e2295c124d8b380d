import NIOCore

/// Where a received webhook stands.
public enum IncomingWebhookStatus: String, Sendable, Hashable, CaseIterable {
    /// Stored; its processing job has not succeeded yet (or a retry is queued).
    case received
    /// Its handler succeeded (`processed_at`).
    case processed
    /// Its last attempt failed (`last_error`): the job queue retries it until its 10th attempt,
    /// then it stays failed until ``IncomingWebhooks/retry(id:database:logger:)``.
    case failed
}

/// A `webhook_events` row, for the platform administrators' listings. Written as JSON (``JSONWritable``)
/// with snake_case keys: `id`, `source`, `event_id`, `event_type`, `status`, `attempts`,
/// `last_error`, `received_at`, `processed_at`, `payload`.
public struct IncomingWebhookRecord: Sendable, Hashable, JSONWritable {
    public var id: Int64
    public var source: String
    public var eventID: String
    public var eventType: String?
    public var status: IncomingWebhookStatus
    /// How many times its handler ran.
    public var attempts: Int
    /// The last failure's message, kept after a later success.
    public var lastError: String?
    public var receivedAt: Timestamp
    public var processedAt: Timestamp?
    /// The raw body, as received.
    public var payload: String

    public func writeJSON(into buffer: inout ByteBuffer) {
        buffer.writeStaticString(#"{"id":"#)
        buffer.writeJSON(id)
        buffer.writeStaticString(#","source":"#)
        buffer.writeJSON(source)
        buffer.writeStaticString(#","event_id":"#)
        buffer.writeJSON(eventID)
        buffer.writeStaticString(#","event_type":"#)
        buffer.writeJSON(eventType)
        buffer.writeStaticString(#","status":"#)
        buffer.writeJSON(status.rawValue)
        buffer.writeStaticString(#","attempts":"#)
        buffer.writeJSON(attempts)
        buffer.writeStaticString(#","last_error":"#)
        buffer.writeJSON(lastError)
        buffer.writeStaticString(#","received_at":"#)
        buffer.writeJSON(receivedAt)
        buffer.writeStaticString(#","processed_at":"#)
        buffer.writeJSON(processedAt)
        buffer.writeStaticString(#","payload":"#)
        buffer.writeJSON(payload)
        buffer.writeStaticString("}")
    }
}
