import Crypto
import Foundation
import HTTPTypes
import Testing
import Trellis

/// The signature formats of incoming webhooks, checked without a server: known answers, several
/// signatures and secrets (rotation), the Stripe timestamp tolerance and malformed headers.
@Suite struct IncomingWebhookSignatureTests {
    /// 2030-01-01 00:00 UTC.
    static let signedAt: Int64 = 1_893_456_000
    static let now = Date(timeIntervalSince1970: TimeInterval(signedAt))
    static let stripeSecret = "whsec_test_secret"
    static let stripeBody = Array(#"{"id":"evt_1NG8Du2eZvKYlo2CUI79vXWy","object":"event","type":"invoice.paid"}"#.utf8)
    /// HMAC-SHA256 of `"1893456000.<stripeBody>"` under `stripeSecret`, computed apart (Python's hmac).
    static let stripeKnownSignature = "7e55a8d4903497afe96c870bca2cfae5e524b4b23d91c5395d4e29f3d6fc50aa"

    static func header(_ name: String, _ value: String) -> HTTPFields {
        var fields = HTTPFields()
        fields[HTTPField.Name(name)!] = value
        return fields
    }

    static func hmacHex(_ message: [UInt8], secret: String) -> String {
        HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: Data(secret.utf8)))
            .map { String(format: "%02x", $0) }.joined()
    }

    static func stripeSignature(_ body: [UInt8], secret: String, at timestamp: Int64) -> String {
        hmacHex(Array("\(timestamp).".utf8) + body, secret: secret)
    }

    // MARK: Stripe

    @Test func stripeKnownAnswerIsAcceptedWithItsIdAndType() throws {
        #expect(Self.stripeSignature(Self.stripeBody, secret: Self.stripeSecret, at: Self.signedAt) == Self.stripeKnownSignature)
        let verified = try IncomingWebhookVerification.stripe(secret: Self.stripeSecret).verify(
            payload: Self.stripeBody, headers: Self.header("Stripe-Signature", "t=\(Self.signedAt),v1=\(Self.stripeKnownSignature)"),
            now: Self.now.addingTimeInterval(10)
        )
        #expect(verified.eventID == "evt_1NG8Du2eZvKYlo2CUI79vXWy")
        #expect(verified.eventType == "invoice.paid")
        #expect(verified.headers == ["Stripe-Signature": "t=\(Self.signedAt),v1=\(Self.stripeKnownSignature)"])
    }

    @Test func stripeAcceptsAnyOfSeveralV1SignaturesAndIgnoresV0() throws {
        let wrong = String(repeating: "ab", count: 32)
        let header = "t=\(Self.signedAt), v1=\(wrong), v1=\(Self.stripeKnownSignature.uppercased()), v0=\(wrong)"
        let verified = try IncomingWebhookVerification.stripe(secret: Self.stripeSecret).verify(
            payload: Self.stripeBody, headers: Self.header("Stripe-Signature", header), now: Self.now
        )
        #expect(verified.eventID == "evt_1NG8Du2eZvKYlo2CUI79vXWy")
        #expect(throws: IncomingWebhookRejection.signatureMismatch) {
            try IncomingWebhookVerification.stripe(secret: Self.stripeSecret).verify(
                payload: Self.stripeBody, headers: Self.header("Stripe-Signature", "t=\(Self.signedAt),v1=\(wrong),v0=\(Self.stripeKnownSignature)"),
                now: Self.now
            )
        }
    }

    @Test func stripeRotationAcceptsTheOldAndTheNewSecret() throws {
        let verification = IncomingWebhookVerification.stripe(secrets: ["whsec_new", Self.stripeSecret])
        for secret in ["whsec_new", Self.stripeSecret] {
            let signature = Self.stripeSignature(Self.stripeBody, secret: secret, at: Self.signedAt)
            _ = try verification.verify(payload: Self.stripeBody, headers: Self.header("Stripe-Signature", "t=\(Self.signedAt),v1=\(signature)"), now: Self.now)
        }
        // Stripe signing with both while it rolls the secret: one v1 per secret.
        let both = ["whsec_new", "whsec_other"].map { "v1=" + Self.stripeSignature(Self.stripeBody, secret: $0, at: Self.signedAt) }
        _ = try IncomingWebhookVerification.stripe(secret: "whsec_other").verify(
            payload: Self.stripeBody, headers: Self.header("Stripe-Signature", "t=\(Self.signedAt)," + both.joined(separator: ",")), now: Self.now
        )
        let stranger = Self.stripeSignature(Self.stripeBody, secret: "whsec_stranger", at: Self.signedAt)
        #expect(throws: IncomingWebhookRejection.signatureMismatch) {
            try verification.verify(payload: Self.stripeBody, headers: Self.header("Stripe-Signature", "t=\(Self.signedAt),v1=\(stranger)"), now: Self.now)
        }
    }

    @Test func stripeTimestampMustBeWithinTheTolerance() throws {
        let verification = IncomingWebhookVerification.stripe(secret: Self.stripeSecret)
        let headers = Self.header("Stripe-Signature", "t=\(Self.signedAt),v1=\(Self.stripeKnownSignature)")
        _ = try verification.verify(payload: Self.stripeBody, headers: headers, now: Self.now.addingTimeInterval(300))
        _ = try verification.verify(payload: Self.stripeBody, headers: headers, now: Self.now.addingTimeInterval(-300))
        #expect(throws: IncomingWebhookRejection.timestampOutsideTolerance) {
            try verification.verify(payload: Self.stripeBody, headers: headers, now: Self.now.addingTimeInterval(301))
        }
        #expect(throws: IncomingWebhookRejection.timestampOutsideTolerance) {
            try verification.verify(payload: Self.stripeBody, headers: headers, now: Self.now.addingTimeInterval(-301))
        }
        #expect(throws: IncomingWebhookRejection.timestampOutsideTolerance) {
            try IncomingWebhookVerification.stripe(secret: Self.stripeSecret, tolerance: .seconds(5))
                .verify(payload: Self.stripeBody, headers: headers, now: Self.now.addingTimeInterval(6))
        }
        // A signature over another timestamp does not match: the timestamp cannot be moved.
        #expect(throws: IncomingWebhookRejection.signatureMismatch) {
            try verification.verify(
                payload: Self.stripeBody, headers: Self.header("Stripe-Signature", "t=\(Self.signedAt + 400),v1=\(Self.stripeKnownSignature)"),
                now: Self.now.addingTimeInterval(400)
            )
        }
    }

    @Test func stripeMalformedHeadersAreRefusedAsMalformed() throws {
        let verification = IncomingWebhookVerification.stripe(secret: Self.stripeSecret)
        let good = Self.stripeKnownSignature
        let malformed = [
            "garbage", "t=\(Self.signedAt)", "v1=\(good)", "t=soon,v1=\(good)", "t=\(Self.signedAt),t=\(Self.signedAt),v1=\(good)",
            "t=\(Self.signedAt),v1=\(good.dropLast())", "t=\(Self.signedAt),v1=\(good.dropLast())z", "t=\(Self.signedAt),v1=",
            "t=-5,v1=\(good)", "t=\(Self.signedAt),,v1=\(good)",
        ]
        for header in malformed {
            #expect(throws: IncomingWebhookRejection.malformedSignature(header: "Stripe-Signature"), "\(header)") {
                try verification.verify(payload: Self.stripeBody, headers: Self.header("Stripe-Signature", header), now: Self.now)
            }
        }
        #expect(throws: IncomingWebhookRejection.missingHeader("Stripe-Signature")) {
            try verification.verify(payload: Self.stripeBody, headers: [:], now: Self.now)
        }
    }

    @Test func stripeTamperedBodyOrEventWithoutIdIsRefused() throws {
        let verification = IncomingWebhookVerification.stripe(secret: Self.stripeSecret)
        let tampered = Array(#"{"id":"evt_1NG8Du2eZvKYlo2CUI79vXWy","object":"event","type":"invoice.voided"}"#.utf8)
        #expect(throws: IncomingWebhookRejection.signatureMismatch) {
            try verification.verify(payload: tampered, headers: Self.header("Stripe-Signature", "t=\(Self.signedAt),v1=\(Self.stripeKnownSignature)"), now: Self.now)
        }
        func signed(_ body: String) -> (payload: [UInt8], headers: HTTPFields) {
            let payload = Array(body.utf8)
            return (payload, Self.header("Stripe-Signature", "t=\(Self.signedAt),v1=\(Self.stripeSignature(payload, secret: Self.stripeSecret, at: Self.signedAt))"))
        }
        let noID = signed(#"{"type":"invoice.paid"}"#)
        #expect(throws: IncomingWebhookRejection.invalidEventID) { try verification.verify(payload: noID.payload, headers: noID.headers, now: Self.now) }
        let notJSON = signed("id=evt_1")
        #expect(throws: IncomingWebhookRejection.invalidPayload("is not a JSON object")) {
            try verification.verify(payload: notJSON.payload, headers: notJSON.headers, now: Self.now)
        }
    }

    // MARK: GitHub and generic

    /// GitHub's documented example: "Hello, World!" under "It's a Secret to Everybody".
    @Test func githubDocumentedExampleIsAccepted() throws {
        var headers = Self.header("X-Hub-Signature-256", "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17")
        headers[HTTPField.Name("X-GitHub-Delivery")!] = "72d3162e-cc78-11e3-81ab-4c9367dc0958"
        headers[HTTPField.Name("X-GitHub-Event")!] = "push"
        let verified = try IncomingWebhookVerification.github(secret: "It's a Secret to Everybody")
            .verify(payload: Array("Hello, World!".utf8), headers: headers, now: Self.now)
        #expect(verified.eventID == "72d3162e-cc78-11e3-81ab-4c9367dc0958")
        #expect(verified.eventType == "push")
    }

    @Test func githubRefusesAMissingPrefixAWrongSecretAndMissingHeaders() throws {
        let body = Array(#"{"action":"opened","number":7}"#.utf8)
        let signature = Self.hmacHex(body, secret: "gh-secret")
        func headers(_ signature: String?, delivery: String? = "d-1", event: String? = "pull_request") -> HTTPFields {
            var fields = HTTPFields()
            if let signature { fields[HTTPField.Name("X-Hub-Signature-256")!] = signature }
            if let delivery { fields[HTTPField.Name("X-GitHub-Delivery")!] = delivery }
            if let event { fields[HTTPField.Name("X-GitHub-Event")!] = event }
            return fields
        }
        let verification = IncomingWebhookVerification.github(secrets: ["gh-new", "gh-secret"])
        #expect(try verification.verify(payload: body, headers: headers("sha256=\(signature)"), now: Self.now).eventID == "d-1")
        #expect(throws: IncomingWebhookRejection.malformedSignature(header: "X-Hub-Signature-256")) {
            try verification.verify(payload: body, headers: headers(signature), now: Self.now)
        }
        #expect(throws: IncomingWebhookRejection.malformedSignature(header: "X-Hub-Signature-256")) {
            try verification.verify(payload: body, headers: headers("sha1=\(signature)"), now: Self.now)
        }
        #expect(throws: IncomingWebhookRejection.signatureMismatch) {
            try IncomingWebhookVerification.github(secret: "gh-new").verify(payload: body, headers: headers("sha256=\(signature)"), now: Self.now)
        }
        #expect(throws: IncomingWebhookRejection.missingHeader("X-Hub-Signature-256")) {
            try verification.verify(payload: body, headers: headers(nil), now: Self.now)
        }
        #expect(throws: IncomingWebhookRejection.missingHeader("X-GitHub-Delivery")) {
            try verification.verify(payload: body, headers: headers("sha256=\(signature)", delivery: nil), now: Self.now)
        }
        #expect(throws: IncomingWebhookRejection.missingHeader("X-GitHub-Event")) {
            try verification.verify(payload: body, headers: headers("sha256=\(signature)", event: nil), now: Self.now)
        }
        #expect(throws: IncomingWebhookRejection.invalidEventID) {
            try verification.verify(payload: body, headers: headers("sha256=\(signature)", delivery: String(repeating: "d", count: 256)), now: Self.now)
        }
    }

    @Test func genericHMACTakesHexWithOrWithoutPrefixAndHeadersOfItsOwn() throws {
        let body = Array(#"{"order":42}"#.utf8)
        let signature = Self.hmacHex(body, secret: "acme")
        let withType = IncomingWebhookVerification.hmacSHA256(
            secret: "acme", signatureHeader: "X-Acme-Signature", eventIDHeader: "X-Acme-Event-Id", eventTypeHeader: "X-Acme-Event"
        )
        for value in [signature, "sha256=\(signature)", "SHA256=\(signature.uppercased())"] {
            var headers = Self.header("X-Acme-Signature", value)
            headers[HTTPField.Name("X-Acme-Event-Id")!] = "acme-1"
            headers[HTTPField.Name("X-Acme-Event")!] = "order.created"
            let verified = try withType.verify(payload: body, headers: headers, now: Self.now)
            #expect(verified.eventID == "acme-1")
            #expect(verified.eventType == "order.created")
        }
        var headers = Self.header("X-Acme-Signature", signature)
        headers[HTTPField.Name("X-Acme-Event-Id")!] = "acme-2"
        let withoutType = IncomingWebhookVerification.hmacSHA256(secret: "acme", signatureHeader: "X-Acme-Signature", eventIDHeader: "X-Acme-Event-Id")
        #expect(try withoutType.verify(payload: body, headers: headers, now: Self.now).eventType == nil)
        #expect(throws: IncomingWebhookRejection.signatureMismatch) {
            try withoutType.verify(payload: Array(#"{"order":43}"#.utf8), headers: headers, now: Self.now)
        }
        #expect(throws: IncomingWebhookRejection.malformedSignature(header: "X-Acme-Signature")) {
            try withoutType.verify(payload: body, headers: Self.header("X-Acme-Signature", "md5=\(signature)"), now: Self.now)
        }
        #expect(throws: IncomingWebhookRejection.missingHeader("X-Acme-Event-Id")) {
            try withoutType.verify(payload: body, headers: Self.header("X-Acme-Signature", signature), now: Self.now)
        }
    }

    @Test func sourceNamesArePathSegmentsOfLowercaseLettersDigitsUnderscoresAndHyphens() {
        for name in ["stripe", "github", "acme-billing", "shop_2"] { #expect(IncomingWebhookSource.isValidName(name), "\(name)") }
        for name in ["", "Stripe", "a/b", "a b", "ünï", "a.b"] { #expect(!IncomingWebhookSource.isValidName(name), "\(name)") }
    }
}
