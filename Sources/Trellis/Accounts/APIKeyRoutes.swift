import Foundation
import Hummingbird
import Logging
import PostgresNIO
import TrellisAccountsAPI

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
        group.on(.listAPIKeys) { request, context in try await list(request, context) }
        group.on(.createAPIKey) { request, context in try await create(request, context) }
        group.on(.revokeAPIKey) { request, context in try await revoke(request, context) }
    }

    private func signedIn(_ context: TrellisRequestContext) throws(APIError) -> Principal {
        let principal = try context.requirePrincipal()
        guard principal.apiKeyID == nil else { throw APIError(.forbidden, "API keys cannot manage API keys; sign in instead.") }
        return principal
    }

    /// Whose keys `principal` sees and revokes: nil (everyone's) for admins and owners, else their own.
    private static func creator(seenBy principal: Principal) -> UUID? {
        [.owner, .admin].contains(principal.role) ? nil : principal.userID
    }

    static let columns = "id, name, prefix, scopes, expires_at, last_used_at, created_at, revoked_at"

    static func json(_ row: (UUID, String, String, [String], Timestamp?, Timestamp?, Timestamp, Timestamp?), key: String? = nil) -> JSONValue {
        func time(_ value: Timestamp?) -> JSONValue { value.map { .string($0.description) } ?? .null }
        var object: [String: JSONValue] = [
            "id": .string(row.0.lowercasedString), "name": .string(row.1), "prefix": .string(row.2),
            "scopes": .array(row.3.map(JSONValue.string)), "expires_at": time(row.4), "last_used_at": time(row.5),
            "created_at": .string(row.6.description), "revoked_at": time(row.7),
        ]
        if let key { object["key"] = .string(key) }
        return .object(object)
    }

    func list(_ request: Request, _ context: TrellisRequestContext) async throws -> Response {
        let principal = try signedIn(context)
        let scope = TenantScope(principal: principal)
        try request.rejectUnknownQueryParameters()
        let keys = try await Self.keys(in: scope, createdBy: Self.creator(seenBy: principal), client: database.client, logger: context.logger)
        return Response.data(JSONValue.array(keys))
    }

    /// The keys of the caller's organization that `creator` created (nil: all of them), newest first.
    static func keys(in scope: TenantScope, createdBy creator: UUID?, client: PostgresClient, logger: Logger) async throws -> [JSONValue] {
        let rows = try await client.query(
            """
            SELECT id, name, prefix, scopes, expires_at, last_used_at, created_at, revoked_at FROM api_keys
            WHERE org_id = \(scope.orgID) AND (\(creator == nil) OR created_by = \(creator))
            ORDER BY created_at DESC, id DESC
            """,
            logger: logger
        )
        var keys: [JSONValue] = []
        for try await row in rows.decode((UUID, String, String, [String], Timestamp?, Timestamp?, Timestamp, Timestamp?).self) {
            keys.append(Self.json(row))
        }
        return keys
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
        let scope = TenantScope(principal: principal)
        let origin = RequestOrigin(request, context: context)
        let row = try await database.transaction(logger: context.logger) { connection in
            try await SessionTokens.requireActiveSession(of: principal, on: connection, logger: context.logger)
            let rows = try await connection.query(
                """
                INSERT INTO api_keys (id, org_id, created_by, name, prefix, key_hash, scopes, expires_at)
                VALUES (\(id), \(scope.orgID), \(principal.userID), \(name), \(APIKey.displayPrefix(of: key.value)), \(key.digest), \(Array(Set(scopes)).sorted()), \(expiresAt))
                RETURNING id, name, prefix, scopes, expires_at, last_used_at, created_at, revoked_at
                """,
                logger: context.logger
            )
            try await AuditLog.record(
                .apiKeyCreated, in: scope, userID: principal.userID, apiKeyID: id, origin: origin, on: connection, logger: context.logger
            )
            return try await first(rows.decode((UUID, String, String, [String], Timestamp?, Timestamp?, Timestamp, Timestamp?).self))
        }
        guard let row else { throw APIError(.internalError, "The API key was not stored.") }
        return Response.credentials(Self.json(row, key: key.value), status: .created)
    }

    func revoke(_ request: Request, _ context: TrellisRequestContext) async throws -> Response {
        let principal = try signedIn(context)
        try request.rejectUnknownQueryParameters()
        let id = try context.resourceID("id")
        let creator = Self.creator(seenBy: principal)
        let scope = TenantScope(principal: principal)
        let origin = RequestOrigin(request, context: context)
        let revoked = try await database.transaction(logger: context.logger) { connection in
            guard try await Self.revokeKey(id, in: scope, createdBy: creator, on: connection, logger: context.logger) else { return false }
            try await AuditLog.record(
                .apiKeyRevoked, in: scope, userID: principal.userID, apiKeyID: id, origin: origin, on: connection, logger: context.logger
            )
            return true
        }
        guard revoked else { throw APIError.notFound("API key") }
        return Response(status: .noContent)
    }

    /// Revokes the key `id` of the caller's organization if `creator` created it (nil: whoever did);
    /// false when there is no such unrevoked key.
    static func revokeKey(
        _ id: UUID, in scope: TenantScope, createdBy creator: UUID?, on connection: PostgresConnection, logger: Logger
    ) async throws -> Bool {
        let rows = try await connection.query(
            """
            UPDATE api_keys SET revoked_at = now()
            WHERE id = \(id) AND org_id = \(scope.orgID) AND revoked_at IS NULL AND (\(creator == nil) OR created_by = \(creator))
            RETURNING id
            """,
            logger: logger
        )
        return try await first(rows.decode(UUID.self)) != nil
    }
}
