import Crypto
import Foundation
import HTTPTypes
import NIOCore

/// Stripe's webhook signatures (https://docs.stripe.com/webhooks#verify-manually):
/// `Stripe-Signature: t=1700000000,v1=<hex>,v1=<hex>`, each `v1` the HMAC-SHA256 of
/// `"<t>.<raw body>"` under a signing secret; other schemes (`v0`) are ignored.
enum StripeSignature {
    /// The timestamp and the `v1` signatures of a `Stripe-Signature` value; nil when it has no
    /// timestamp, more than one, a timestamp that is not a number, no `v1`, or a `v1` that is not
    /// 64 hex digits.
    static func parse(_ header: String) -> (timestamp: Int64, signatures: [[UInt8]])? {
        var timestamp: Int64?
        var signatures: [[UInt8]] = []
        for item in header.split(separator: ",", omittingEmptySubsequences: false) {
            let item = item.trimmingWhitespace()
            guard let equals = item.firstIndex(of: "=") else { return nil }
            let key = item[..<equals]
            let value = item[item.index(after: equals)...]
            switch key {
            case "t":
                guard timestamp == nil, let seconds = Int64(value), seconds >= 0 else { return nil }
                timestamp = seconds
            case "v1":
                guard let signature = HexSignature.decode(value) else { return nil }
                signatures.append(signature)
            default:
                continue
            }
        }
        guard let timestamp, !signatures.isEmpty else { return nil }
        return (timestamp, signatures)
    }

    static func verify(
        payload: [UInt8], headers: HTTPFields, keys: [SymmetricKey], now: Date, tolerance: Duration
    ) throws(IncomingWebhookRejection) -> IncomingWebhookVerification.Verified {
        let header = try IncomingWebhookVerification.header(.stripeSignature, in: headers)
        guard let parsed = parse(header) else {
            throw .malformedSignature(header: HTTPField.Name.stripeSignature.rawName)
        }
        let (timestamp, signatures) = parsed
        let signed = Array("\(timestamp).".utf8) + payload
        // Every pair is checked, so the time taken does not tell which signature or secret matched.
        var valid = false
        for signature in signatures where HexSignature.isValid(signature, for: signed, keys: keys) { valid = true }
        guard valid else { throw .signatureMismatch }
        let age = now.timeIntervalSince1970 - Double(timestamp)
        let (seconds, attoseconds) = tolerance.components
        guard abs(age) <= Double(seconds) + Double(attoseconds) / 1e18 else { throw .timestampOutsideTolerance }
        // Authentic: the event's id and type are in the body.
        guard case .object(let event)? = try? JSONValue.parse(ByteBuffer(bytes: payload)) else {
            throw .invalidPayload("is not a JSON object")
        }
        guard case .string(let id)? = event["id"], IncomingWebhookVerification.isUsableEventID(id) else { throw .invalidEventID }
        guard case .string(let type)? = event["type"] else { throw .invalidPayload("has no string \"type\"") }
        return IncomingWebhookVerification.Verified(
            eventID: id, eventType: type, headers: IncomingWebhookVerification.kept([.stripeSignature, .contentType, .userAgent], from: headers)
        )
    }
}
