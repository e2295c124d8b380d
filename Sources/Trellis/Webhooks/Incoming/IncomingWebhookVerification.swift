import Crypto
import Foundation
import HTTPTypes

/// How the webhooks of a source prove they come from it: an HMAC-SHA256 signature of the raw body
/// under a secret shared with the sender, in the format of the sender. Where the event's id and
/// type are read follows from the format.
///
/// Each format takes several secrets: a signature made with any of them is accepted, so that a
/// secret can be rotated (add the new one, switch the sender, remove the old one). Signatures are
/// compared in constant time.
public struct IncomingWebhookVerification: Sendable {
    enum Scheme: Sendable {
        /// `Stripe-Signature: t=<unix>,v1=<hex>[,v1=<hex>...]` over `"<t>.<body>"`; id and type in the body.
        case stripe(tolerance: Duration)
        /// `X-Hub-Signature-256: sha256=<hex>`; id in `X-GitHub-Delivery`, type in `X-GitHub-Event`.
        case github
        /// `<hex>` or `sha256=<hex>` in `signatureHeader`; id and type in headers of their own.
        case hmacSHA256(signatureHeader: HTTPField.Name, eventIDHeader: HTTPField.Name, eventTypeHeader: HTTPField.Name?)
    }

    let scheme: Scheme
    let keys: [SymmetricKey]

    init(_ scheme: Scheme, secrets: [String]) {
        precondition(!secrets.isEmpty && secrets.allSatisfy { !$0.isEmpty }, "a webhook source needs at least one non-empty secret")
        self.scheme = scheme
        self.keys = secrets.map { SymmetricKey(data: Data($0.utf8)) }
    }

    /// Stripe's format: `Stripe-Signature: t=<unix time>,v1=<hex>` (one `v1` per active secret
    /// while Stripe rolls one), HMAC-SHA256 of `"<t>.<raw body>"` under the endpoint's signing
    /// secret (`whsec_...`, used as is). The timestamp must lie within `tolerance` of now, either
    /// way, so that a captured request cannot be replayed later. The event id is the body's
    /// top-level `id`, its type the body's `type`.
    public static func stripe(secret: String, tolerance: Duration = .seconds(300)) -> Self {
        stripe(secrets: [secret], tolerance: tolerance)
    }

    /// ``stripe(secret:tolerance:)`` accepting a signature by any of `secrets` (rotation).
    public static func stripe(secrets: [String], tolerance: Duration = .seconds(300)) -> Self {
        Self(.stripe(tolerance: tolerance), secrets: secrets)
    }

    /// GitHub's format: `X-Hub-Signature-256: sha256=<hex>`, HMAC-SHA256 of the raw body under the
    /// webhook's secret. The event id is `X-GitHub-Delivery`, its type `X-GitHub-Event`.
    public static func github(secret: String) -> Self {
        github(secrets: [secret])
    }

    /// ``github(secret:)`` accepting a signature by any of `secrets` (rotation).
    public static func github(secrets: [String]) -> Self {
        Self(.github, secrets: secrets)
    }

    /// A generic format: the header `signatureHeader` holds the hex HMAC-SHA256 of the raw body
    /// (optionally prefixed `sha256=`); the event id is the header `eventIDHeader`, its type the
    /// header `eventTypeHeader` when given (none otherwise). Header names are checked at once: an
    /// invalid one stops the process, as any configuration mistake found at launch does.
    public static func hmacSHA256(
        secret: String, signatureHeader: String, eventIDHeader: String, eventTypeHeader: String? = nil
    ) -> Self {
        hmacSHA256(secrets: [secret], signatureHeader: signatureHeader, eventIDHeader: eventIDHeader, eventTypeHeader: eventTypeHeader)
    }

    /// ``hmacSHA256(secret:signatureHeader:eventIDHeader:eventTypeHeader:)`` accepting a signature
    /// by any of `secrets` (rotation).
    public static func hmacSHA256(
        secrets: [String], signatureHeader: String, eventIDHeader: String, eventTypeHeader: String? = nil
    ) -> Self {
        Self(
            .hmacSHA256(
                signatureHeader: headerName(signatureHeader), eventIDHeader: headerName(eventIDHeader),
                eventTypeHeader: eventTypeHeader.map(headerName)
            ),
            secrets: secrets
        )
    }

    private static func headerName(_ name: String) -> HTTPField.Name {
        guard let field = HTTPField.Name(name) else { preconditionFailure("\"\(name)\" is not a valid HTTP header name") }
        return field
    }

    /// What a verified webhook says about itself.
    public struct Verified: Sendable, Hashable {
        /// The sender's id of the event: what makes a redelivery a duplicate.
        public var eventID: String
        /// The event's type, when the format carries one.
        public var eventType: String?
        /// The headers the verification read, by lowercase name, kept with the event so that its
        /// signature can be checked again.
        public var headers: [String: String]
    }

    /// Checks the signature of `payload` (the raw body) in `headers` at `now`, and reads the
    /// event's id and type. Throws the reason when the signature is missing, malformed, made with
    /// none of the secrets or (Stripe) too old or too new, or the event has no usable id.
    public func verify(payload: [UInt8], headers: HTTPFields, now: Date) throws(IncomingWebhookRejection) -> Verified {
        switch scheme {
        case .stripe(let tolerance):
            return try StripeSignature.verify(payload: payload, headers: headers, keys: keys, now: now, tolerance: tolerance)
        case .github:
            let signature = try Self.header(.githubSignature, in: headers)
            guard let code = HexSignature.decode(signature, prefix: "sha256=", prefixRequired: true) else {
                throw .malformedSignature(header: HTTPField.Name.githubSignature.rawName)
            }
            guard HexSignature.isValid(code, for: payload, keys: keys) else { throw .signatureMismatch }
            return Verified(
                eventID: try Self.eventID(.githubDelivery, in: headers),
                eventType: try Self.header(.githubEvent, in: headers),
                headers: Self.kept([.githubSignature, .githubDelivery, .githubEvent, .contentType, .userAgent], from: headers)
            )
        case .hmacSHA256(let signatureHeader, let eventIDHeader, let eventTypeHeader):
            let signature = try Self.header(signatureHeader, in: headers)
            guard let code = HexSignature.decode(signature, prefix: "sha256=", prefixRequired: false) else {
                throw .malformedSignature(header: signatureHeader.rawName)
            }
            guard HexSignature.isValid(code, for: payload, keys: keys) else { throw .signatureMismatch }
            return Verified(
                eventID: try Self.eventID(eventIDHeader, in: headers),
                eventType: eventTypeHeader.flatMap { headers[$0] },
                headers: Self.kept([signatureHeader, eventIDHeader] + (eventTypeHeader.map { [$0] } ?? []) + [.contentType, .userAgent], from: headers)
            )
        }
    }

    static func header(_ name: HTTPField.Name, in headers: HTTPFields) throws(IncomingWebhookRejection) -> String {
        guard let value = headers[name], !value.isEmpty else { throw .missingHeader(name.rawName) }
        return value
    }

    /// The event id in header `name`: present, 1 to 255 characters, no control characters.
    static func eventID(_ name: HTTPField.Name, in headers: HTTPFields) throws(IncomingWebhookRejection) -> String {
        let value = try header(name, in: headers)
        guard isUsableEventID(value) else { throw .invalidEventID }
        return value
    }

    static func isUsableEventID(_ value: String) -> Bool {
        (1...255).contains(value.count) && !value.unicodeScalars.contains { $0.properties.generalCategory == .control }
    }

    static func kept(_ names: [HTTPField.Name], from headers: HTTPFields) -> [String: String] {
        var kept: [String: String] = [:]
        for name in names { if let value = headers[name] { kept[name.rawName] = value } }
        return kept
    }
}

extension HTTPField.Name {
    static let githubSignature = Self("X-Hub-Signature-256")!
    static let githubDelivery = Self("X-GitHub-Delivery")!
    static let githubEvent = Self("X-GitHub-Event")!
    static let stripeSignature = Self("Stripe-Signature")!
}
