import Foundation
import Hummingbird
import JWTKit

/// Who calls: the claims of a valid Trellis access token.
struct Principal: Sendable {
    enum Role: String, Sendable {
        case owner, admin, member, viewer
    }

    var userID: UUID
    var orgID: UUID
    var role: Role

    /// Roles that may create and update tasks (Trellis's `specs/tasks.yaml` permissions).
    var canWriteTasks: Bool { role != .viewer }
}

/// The claims Trellis signs into an access token (`iss`, `aud`, `sub`, `exp`, `iat`, `jti`, `org`,
/// `role`, `typ`, `sid`), checked the way Trellis checks them.
struct AccessClaims: JWTPayload {
    var issuer: IssuerClaim
    var audience: AudienceClaim
    var subject: SubjectClaim
    var expiration: ExpirationClaim
    var issuedAt: IssuedAtClaim
    var id: IDClaim
    var org: String
    var role: String
    var typ: String
    var sid: String?

    enum CodingKeys: String, CodingKey {
        case issuer = "iss"
        case audience = "aud"
        case subject = "sub"
        case expiration = "exp"
        case issuedAt = "iat"
        case id = "jti"
        case org, role, typ, sid
    }

    func verify(using algorithm: some JWTAlgorithm) async throws {
        try expiration.verifyNotExpired()
    }
}

/// HS256 verification with the key named by the token's `kid`, from the same environment
/// variables the Trellis server reads (`JWT_SECRET`, `JWT_KEY_ID`, `JWT_ISSUER`, `JWT_AUDIENCE`).
struct TokenVerifier: Sendable {
    let keys: JWTKeyCollection
    let issuer: String
    let audience: String

    static func fromEnvironment(_ environment: [String: String]) async throws -> TokenVerifier {
        guard let secret = environment["JWT_SECRET"], secret.utf8.count >= 32 else {
            throw StartupError("JWT_SECRET must be set to at least 32 bytes (the Trellis server's secret)")
        }
        let keyID = environment["JWT_KEY_ID"].flatMap { $0.isEmpty ? nil : $0 } ?? "main"
        let keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256, kid: JWKIdentifier(string: keyID))
        return TokenVerifier(
            keys: keys, issuer: environment["JWT_ISSUER"] ?? "trellis", audience: environment["JWT_AUDIENCE"] ?? "trellis-api"
        )
    }

    func verify(_ token: String) async -> Principal? {
        guard let claims = try? await keys.verify(token, as: AccessClaims.self),
            claims.issuer.value == issuer,
            claims.audience.value.contains(audience),
            claims.typ == "access",
            let userID = UUID(uuidString: claims.subject.value),
            let orgID = UUID(uuidString: claims.org),
            let role = Principal.Role(rawValue: claims.role)
        else { return nil }
        return Principal(userID: userID, orgID: orgID, role: role)
    }
}

/// `Authorization: Bearer <token>` is required on every `/api/v1` route: 401 otherwise.
struct AuthMiddleware: RouterMiddleware {
    typealias Context = PeerContext
    let verifier: TokenVerifier

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization], header.count > 7,
            header.prefix(7).lowercased() == "bearer ",
            let principal = await verifier.verify(String(header.dropFirst(7)))
        else {
            throw APIFailure(.unauthorized, "unauthorized", "A valid bearer token is required.")
        }
        var context = context
        context.principal = principal
        return try await next(request, context)
    }
}

struct StartupError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
