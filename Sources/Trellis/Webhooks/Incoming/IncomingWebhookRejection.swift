/// Why a webhook was refused: every case answers 400 and stores nothing.
public enum IncomingWebhookRejection: Error, Sendable, Hashable, CustomStringConvertible {
    /// A header the format needs (the signature, the event id or type) is absent or empty.
    case missingHeader(String)
    /// The signature header is not in the format's shape (`header` names it).
    case malformedSignature(header: String)
    /// The signature was made with none of the source's secrets, or over another body.
    case signatureMismatch
    /// The signed timestamp is further from now than the tolerance (Stripe): a replay, or a clock off.
    case timestampOutsideTolerance
    /// The event id is empty, longer than 255 characters or holds control characters.
    case invalidEventID
    /// The body, though signed, cannot be stored or read as the format requires.
    case invalidPayload(String)

    public var description: String {
        switch self {
        case .missingHeader(let name): "the \(name) header is missing"
        case .malformedSignature(let header): "the \(header) header is malformed"
        case .signatureMismatch: "the signature does not match"
        case .timestampOutsideTolerance: "the signed timestamp is outside the tolerance"
        case .invalidEventID: "the event id is missing or invalid"
        case .invalidPayload(let reason): "the body \(reason)"
        }
    }

    /// The 400 a sender sees, `details` naming what is wrong: `signature` for the signature and
    /// its timestamp, the header's name for a missing header, `event_id` or `body`.
    var apiError: APIError {
        switch self {
        case .missingHeader(let name):
            APIError(.badRequest, "The webhook is refused: the \(name) header is missing.", details: [name: ["is missing"]])
        case .malformedSignature(let header):
            APIError(.badRequest, "The webhook signature is invalid: the \(header) header is malformed.", details: ["signature": ["is malformed"]])
        case .signatureMismatch:
            APIError(.badRequest, "The webhook signature is invalid.", details: ["signature": ["does not match"]])
        case .timestampOutsideTolerance:
            APIError(
                .badRequest, "The webhook signature is invalid: its timestamp is too old or too far ahead.",
                details: ["signature": ["timestamp is outside the tolerance"]]
            )
        case .invalidEventID:
            APIError(.badRequest, "The webhook is refused: its event id is missing or invalid.", details: ["event_id": ["is invalid"]])
        case .invalidPayload(let reason):
            APIError(.badRequest, "The webhook is refused: the body \(reason).", details: ["body": [reason]])
        }
    }
}
