import Foundation
import Hummingbird
import Logging
import PostgresNIO

/// `/api-keys`: members create keys that act for the organization with their own role, limited to
/// the key's scopes. The key is answered once, as `key`; lists show its prefix. Admins and owners
/// see and revoke every key of the organization, members their own. Keys cannot manage keys.
/// Creation is throttled per user (`throttle`).
public struct APIKeyRoutes: Sendable {
    public let database: Database
    public let environment: APIKey.Environment
    public let throttle: RateLimiter

    public init(database: Database, environment: APIKey.Environment, throttle: RateLimiter) {
        self.database = database
        self.environment = environment
        self.throttle = throttle
    }

    public func add(to group: RouterGroup<TrellisRequestContext>) {
        group.get("api-keys") { request, context in try await list(request, context) }
        group.post("api-keys") { request, context in try await create(request, context) }
        group.delete("api-keys/:id") { request, context in try await revoke(request, context) }
    }

    private func signedIn(_ context: TrellisRequestContext) throws(APIError) -> Principal {
        let principal = try context.requirePrincipal()
        guard principal.apiKeyID == nil else { throw APIError(.forbidden, "API keys cannot manage API keys; sign in instead.") }
        return principal
    }

    private static func managesAll(_ principal: Principal) -> Bool { [.owner, .admin].contains(principal.role) }

    static let columns = "id, name, prefix, scopes, expires_at, last_used_at, created_at, revoked_at"

    static func json(_ row: (UUID, String, String, [String], Timestamp?, Timestamp?, Timestamp, Timestamp?), key: String? = nil) -> JSONValue {
        func time(_ value: Timestamp?) -> JSONValue { value.map { .string($0.description) } ?? .null }
        var object: [String: JSONValue] = [
            "id": .string(row.0.uuidString.lowercased()), "name": .string(row.1), "prefix": .string(row.2),
            "scopes": .array(row.3.map(JSONValue.string)), "expires_at": time(row.4), "last_used_at": time(row.5),
            "created_at": .string(row.6.description), "revoked_at": time(row.7),
        ]
        if let key { object["key"] = .string(key) }
        return .object(object)
    }

    func list(_ request: Request, _ context: TrellisRequestContext) async throws -> Response {
        let principal = try signedIn(context)
        try request.rejectUnknownQueryParameters()
        let all = Self.managesAll(principal)
        let rows = try await database.client.query(
            """
            SELECT id, name, prefix, scopes, expires_at, last_used_at, created_at, revoked_at FROM api_keys
            WHERE org_id = \(principal.orgID) AND (\(all) OR created_by = \(principal.userID))
            ORDER BY created_at DESC, id DESC
            """,
            logger: context.logger
        )
        var keys: [JSONValue] = []
        for try await row in rows.decode((UUID, String, String, [String], Timestamp?, Timestamp?, Timestamp, Timestamp?).self) {
            keys.append(Self.json(row))
        }
        return Response.data(JSONValue.array(keys))
    }

    func create(_ request: Request, _ context: TrellisRequestContext) async throws -> Response {
        let principal = try signedIn(context)
        try request.rejectUnknownQueryParameters()
        var input = InputReader(try await request.jsonObject(context: context), fields: ["name", "scopes", "expires_at"], serverOwned: [])
        let name = input.read("name", as: String.self, required: true, check: .length(min: 1, max: 100))
        var scopes: [String]?
        switch input.read("scopes", as: JSONValue.self, required: true) {
        case .array(let items):
            scopes = items.compactMap { if case .string(let scope) = $0 { scope } else { nil } }
            if scopes?.count != items.count { input.reject("scopes", "must be a list of strings") }
        case nil: break
        default: input.reject("scopes", "must be a list of strings")
        }
        let expiresAt = input.read("expires_at", as: Timestamp.self, nullable: true)
        if let scopes {
            if scopes.isEmpty { input.reject("scopes", "must name at least one scope") }
            for scope in scopes where !APIKey.isValidScope(scope) {
                input.reject("scopes", "'\(scope)' is not a scope; use read:<resource>, write:<resource> or *")
            }
        }
        if let expiresAt, expiresAt <= Timestamp.now() { input.reject("expires_at", "must be in the future") }
        try input.finish()
        guard let name, let scopes else { throw input.failure() }
        if let retryAfter = try await throttle.hit(["api-keys:user:\(principal.userID)"], logger: context.logger) {
            throw APIError.tooMany("API keys created", retryAfter: retryAfter)
        }

        let key = APIKey.generate(environment)
        let id = UUID.v7()
        let origin = RequestOrigin(request, context: context)
        let row = try await database.transaction(logger: context.logger) { connection in
            try await SessionTokens.requireActiveSession(of: principal, on: connection, logger: context.logger)
            let rows = try await connection.query(
                """
                INSERT INTO api_keys (id, org_id, created_by, name, prefix, key_hash, scopes, expires_at)
                VALUES (\(id), \(principal.orgID), \(principal.userID), \(name), \(APIKey.displayPrefix(of: key.value)), \(key.digest), \(Array(Set(scopes)).sorted()), \(expiresAt))
                RETURNING id, name, prefix, scopes, expires_at, last_used_at, created_at, revoked_at
                """,
                logger: context.logger
            )
            try await AuditLog.record(
                .apiKeyCreated, userID: principal.userID, orgID: principal.orgID, apiKeyID: id, origin: origin, on: connection,
                logger: context.logger
            )
            return try await first(rows.decode((UUID, String, String, [String], Timestamp?, Timestamp?, Timestamp, Timestamp?).self))
        }
        guard let row else { throw APIError(.internalError, "The API key was not stored.") }
        return Response.data(Self.json(row, key: key.value), status: .created)
    }

    func revoke(_ request: Request, _ context: TrellisRequestContext) async throws -> Response {
        let principal = try signedIn(context)
        try request.rejectUnknownQueryParameters()
        let id = try context.resourceID("id")
        let all = Self.managesAll(principal)
        let origin = RequestOrigin(request, context: context)
        let revoked = try await database.transaction(logger: context.logger) { connection in
            let rows = try await connection.query(
                """
                UPDATE api_keys SET revoked_at = now()
                WHERE id = \(id) AND org_id = \(principal.orgID) AND revoked_at IS NULL AND (\(all) OR created_by = \(principal.userID))
                RETURNING id
                """,
                logger: context.logger
            )
            guard try await first(rows.decode(UUID.self)) != nil else { return false }
            try await AuditLog.record(
                .apiKeyRevoked, userID: principal.userID, orgID: principal.orgID, apiKeyID: id, origin: origin, on: connection,
                logger: context.logger
            )
            return true
        }
        guard revoked else { throw APIError.notFound("API key") }
        return Response(status: .noContent)
    }
}
