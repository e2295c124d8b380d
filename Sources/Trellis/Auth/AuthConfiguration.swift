import Foundation

/// How access tokens are signed and checked.
public struct AuthConfiguration: Sendable {
    /// One HS256 signing key; `id` goes into the token's `kid` header.
    public struct SigningKey: Sendable {
        public var id: String
        public var secret: String

        public init(id: String, secret: String) {
            self.id = id
            self.secret = secret
        }
    }

    /// Every key that verifies tokens; the one named `currentKeyID` also signs new ones.
    public var signingKeys: [SigningKey]
    public var currentKeyID: String
    public var issuer: String
    public var audience: String
    public var accessTokenLifetime: TimeInterval

    public init(
        signingKeys: [SigningKey], currentKeyID: String? = nil, issuer: String = "trellis", audience: String = "trellis-api",
        accessTokenLifetime: TimeInterval = 15 * 60
    ) {
        self.signingKeys = signingKeys
        self.currentKeyID = currentKeyID ?? signingKeys.last?.id ?? ""
        self.issuer = issuer
        self.audience = audience
        self.accessTokenLifetime = accessTokenLifetime
    }
}
