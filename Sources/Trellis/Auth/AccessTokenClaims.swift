import Foundation
import JWTKit

/// The claims of a Trellis access token (RFC 8725 profile: `iss`, `aud`, `sub`, `exp`, `iat`, `jti`
/// plus the organization and role the token acts in).
public struct AccessTokenClaims: JWTPayload, Equatable {
    public var issuer: IssuerClaim
    public var audience: AudienceClaim
    public var subject: SubjectClaim
    public var expiration: ExpirationClaim
    public var issuedAt: IssuedAtClaim
    public var id: IDClaim
    /// The organization the token acts in.
    public var org: String
    /// The caller's role in `org`.
    public var role: String
    /// The token type; refresh tokens are opaque and never JWTs, but this keeps any other JWT
    /// we might sign from being accepted as an access token.
    public var typ: String
    /// The session (refresh-token family) the token was issued for.
    public var sid: String?
    /// `true` for a platform administrator; absent otherwise.
    public var adm: Bool?
    /// `true` while the user's email address is not verified; absent once it is.
    public var unv: Bool?

    enum CodingKeys: String, CodingKey {
        case issuer = "iss"
        case audience = "aud"
        case subject = "sub"
        case expiration = "exp"
        case issuedAt = "iat"
        case id = "jti"
        case org, role, typ, sid, adm, unv
    }

    public static let accessType = "access"

    public init(principal: Principal, issuer: String, audience: String, issuedAt: Date, lifetime: TimeInterval, id: UUID) {
        self.issuer = IssuerClaim(value: issuer)
        self.audience = AudienceClaim(value: audience)
        self.subject = SubjectClaim(value: principal.userID.lowercasedString)
        self.expiration = ExpirationClaim(value: issuedAt.addingTimeInterval(lifetime))
        self.issuedAt = IssuedAtClaim(value: issuedAt)
        self.id = IDClaim(value: id.lowercasedString)
        self.org = principal.orgID.lowercasedString
        self.role = principal.role.rawValue
        self.typ = Self.accessType
        self.sid = principal.sessionID?.lowercasedString
        self.adm = principal.isPlatformAdmin ? true : nil
        self.unv = principal.emailVerified ? nil : true
    }

    /// Checks expiry; issuer and audience are checked by ``AccessTokens`` which knows the expected values.
    public func verify(using algorithm: some JWTAlgorithm) async throws {
        try expiration.verifyNotExpired()
    }
}
