import Crypto
import Foundation

/// The signature of an outgoing webhook: `X-Webhook-Signature: t=<unix seconds>,v1=<hex>`, where
/// the hex is HMAC-SHA256, keyed by the endpoint's secret, of `"<t>.<body>"` (Stripe's scheme).
/// A receiver recomputes it over the raw body, compares in constant time, and refuses a `t` more
/// than five minutes from its clock (a replayed delivery).
public enum WebhookSignature {
    /// The header carrying the signature.
    public static let header = "X-Webhook-Signature"
    /// How far `t` may be from the receiver's clock.
    public static let tolerance: TimeInterval = 300

    /// The header value for `body` sent at `timestamp`.
    public static func sign(_ body: String, secret: String, timestamp: Date) -> String {
        let seconds = Int64(timestamp.timeIntervalSince1970.rounded(.down))
        return "t=\(seconds),v1=\(hex(of: body, secret: secret, seconds: seconds))"
    }

    /// Whether `header` signs `body` with `secret` within the tolerance of `now`: what a receiver checks.
    public static func verify(_ header: String, body: String, secret: String, now: Date = Date()) -> Bool {
        var timestamp: Int64?
        var signatures: [String] = []
        for part in header.split(separator: ",") {
            let pair = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2 else { continue }
            if pair[0] == "t" { timestamp = Int64(pair[1]) } else if pair[0] == "v1" { signatures.append(pair[1]) }
        }
        guard let timestamp, abs(now.timeIntervalSince1970 - TimeInterval(timestamp)) <= tolerance else { return false }
        let key = SymmetricKey(data: Data(secret.utf8))
        let signed = Data("\(timestamp).\(body)".utf8)
        return signatures.contains { signature in
            guard let code = HexSignature.decode(signature) else { return false }
            return HMAC<SHA256>.isValidAuthenticationCode(code, authenticating: signed, using: key)
        }
    }

    static func hex(of body: String, secret: String, seconds: Int64) -> String {
        let code = HMAC<SHA256>.authenticationCode(for: Data("\(seconds).\(body)".utf8), using: SymmetricKey(data: Data(secret.utf8)))
        return code.map { String(format: "%02x", $0) }.joined()
    }
}
