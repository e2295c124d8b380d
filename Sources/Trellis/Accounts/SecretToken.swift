import Crypto
import Foundation
import NIOCore

/// A bearer secret (refresh token, invitation token, API key): 256 random bits, shown to its owner
/// once and stored only as its SHA-256 digest.
public struct SecretToken: Sendable, Hashable {
    /// What the client holds.
    public let value: String

    /// A fresh token: 32 random bytes, base64url without padding (43 characters), after `prefix`.
    public static func generate(prefix: String = "") -> SecretToken {
        SecretToken(value: prefix + Base64URL.encode(randomBytes(32)))
    }

    public init(value: String) {
        self.value = value
    }

    /// The digest to store and look up by (a `bytea` bind).
    public var digest: ByteBuffer { Self.digest(of: value) }

    public static func digest(of value: String) -> ByteBuffer {
        ByteBuffer(bytes: SHA256.hash(data: Data(value.utf8)))
    }

    static func randomBytes(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    }
}
