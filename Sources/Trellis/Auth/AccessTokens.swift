import Foundation
import JWTKit

/// Signs and verifies access tokens (HS256, keys chosen by `kid` so they can rotate).
public struct AccessTokens: Sendable {
    public let configuration: AuthConfiguration
    private let keys: JWTKeyCollection

    public init(configuration: AuthConfiguration) async {
        self.configuration = configuration
        let keys = JWTKeyCollection()
        for key in configuration.signingKeys {
            await keys.add(hmac: HMACKey(from: key.secret), digestAlgorithm: .sha256, kid: JWKIdentifier(string: key.id))
        }
        self.keys = keys
    }

    /// A signed access token for `principal`, valid for the configured lifetime.
    public func issue(for principal: Principal, now: Date = Date(), id: UUID = UUID()) async throws -> String {
        let claims = AccessTokenClaims(
            principal: principal, issuer: configuration.issuer, audience: configuration.audience,
            issuedAt: now, lifetime: configuration.accessTokenLifetime, id: id
        )
        return try await keys.sign(claims, kid: JWKIdentifier(string: configuration.currentKeyID))
    }

    /// The principal of a valid token; ``APIError/unauthorized`` for anything else
    /// (bad signature, `alg: none`, unknown `kid`, expired, wrong `iss` or `aud`, malformed claims).
    public func verify(_ token: String) async throws(APIError) -> Principal {
        let claims: AccessTokenClaims
        do {
            claims = try await keys.verify(token, as: AccessTokenClaims.self)
        } catch {
            throw APIError.unauthorized
        }
        guard claims.issuer.value == configuration.issuer,
            claims.audience.value.contains(configuration.audience),
            claims.typ == AccessTokenClaims.accessType,
            let userID = UUID(uuidString: claims.subject.value),
            let orgID = UUID(uuidString: claims.org),
            let role = Role(rawValue: claims.role)
        else {
            throw APIError.unauthorized
        }
        return Principal(
            userID: userID, orgID: orgID, role: role, sessionID: claims.sid.flatMap(UUID.init(uuidString:)),
            isPlatformAdmin: claims.adm == true
        )
    }
}
