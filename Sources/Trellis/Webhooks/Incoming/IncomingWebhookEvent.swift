import Foundation
import NIOCore

/// A verified webhook as its handler sees it: who sent it, the sender's id and type of the event,
/// and the body exactly as received.
public struct IncomingWebhookEvent: Sendable, Hashable {
    /// The `webhook_events` row.
    public var recordID: Int64
    /// The source's name.
    public var source: String
    /// The sender's id of the event (Stripe's `evt_...`, GitHub's delivery id).
    public var eventID: String
    /// The event's type (`invoice.paid`, `push`), when the format carries one.
    public var type: String?
    /// The raw body, as text (webhooks are stored only when their body is UTF-8).
    public var payload: String
    /// When the webhook was received.
    public var receivedAt: Timestamp

    public init(recordID: Int64, source: String, eventID: String, type: String?, payload: String, receivedAt: Timestamp) {
        self.recordID = recordID
        self.source = source
        self.eventID = eventID
        self.type = type
        self.payload = payload
        self.receivedAt = receivedAt
    }

    /// The raw body's bytes, as signed.
    public var payloadBytes: [UInt8] { Array(payload.utf8) }

    /// The body decoded as `T` from JSON.
    public func decodePayload<T: Decodable>(as _: T.Type, decoder: JSONDecoder = JSONDecoder()) throws -> T {
        try decoder.decode(T.self, from: Data(payload.utf8))
    }

    /// The body as a JSON value.
    public func jsonPayload() throws -> JSONValue {
        try JSONValue.parse(ByteBuffer(string: payload))
    }
}
