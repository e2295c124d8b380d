import Foundation
import JWTKit
import Synchronization

/// Signs and verifies access tokens (HS256, keys chosen by `kid` so they can rotate).
public struct AccessTokens: Sendable {
    public let configuration: AuthConfiguration
    private let keys: JWTKeyCollection
    /// Tokens verified before, until they expire: a client sends the same token for its whole
    /// lifetime, and verifying it again would give the same principal (the signature, issuer,
    /// audience and keys do not change while the process runs). Skips the HMAC, the JSON decoding
    /// and the hop onto the key collection's actor that every request would otherwise take.
    private let verified = VerifiedTokens(capacity: 4096)

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
        if let principal = verified.principal(for: token, at: Date()) { return principal }
        return try await verifySignatureAndClaims(token)
    }

    private func verifySignatureAndClaims(_ token: String) async throws(APIError) -> Principal {
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
        let principal = Principal(
            userID: userID, orgID: orgID, role: role, sessionID: claims.sid.flatMap(UUID.init(uuidString:)),
            isPlatformAdmin: claims.adm == true, emailVerified: claims.unv != true
        )
        verified.remember(token, as: principal, until: claims.expiration.value)
        return principal
    }
}

/// The principals of tokens verified before, with their expiry; at most `capacity` of them (when
/// full, the expired ones go, and if that is not enough, all of them: a few verifications again,
/// never unbounded growth).
final class VerifiedTokens: Sendable {
    private let capacity: Int
    private let entries = Mutex<[String: (principal: Principal, expires: Date)]>([:])

    init(capacity: Int) {
        self.capacity = capacity
    }

    func principal(for token: String, at now: Date) -> Principal? {
        entries.withLock { entries in
            guard let entry = entries[token] else { return nil }
            guard entry.expires > now else {
                entries[token] = nil
                return nil
            }
            return entry.principal
        }
    }

    func remember(_ token: String, as principal: Principal, until expires: Date) {
        entries.withLock { entries in
            if entries.count >= capacity {
                let now = Date()
                entries = entries.filter { $0.value.expires > now }
                if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            }
            entries[token] = (principal, expires)
        }
    }
}
