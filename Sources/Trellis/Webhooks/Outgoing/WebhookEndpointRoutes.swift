import Foundation
import Hummingbird
import Logging
import NIOCore
import PostgresNIO
import TrellisAccountsAPI

/// `/webhook-endpoints`: where an organization's change events are POSTed (``WebhookDispatcher``),
/// for owners and admins (and API keys with `read:webhooks` / `write:webhooks`).
///
/// The signing secret is answered once, at creation (`whsec_...`). The URL must pass the
/// ``WebhookURLPolicy`` (https, public addresses). Each endpoint keeps a log of its deliveries
/// (`/deliveries`), any of which can be sent again (`/redeliver`); `/test` sends a `webhook.test`
/// event at once.
public struct WebhookEndpointRoutes: Sendable {
    public let database: Database
    public let policy: WebhookURLPolicy

    static let read = Permission(roles: [.owner, .admin], scope: "read:webhooks")
    static let write = Permission(roles: [.owner, .admin], scope: "write:webhooks")
    static let columns = "id, url, description, event_types, enabled, disabled_reason, failing_since, created_at, updated_at"
    static let deliveryColumns = "id, endpoint_id, event_id, event_type, status, attempts, response_status, response_body, error, next_attempt_at, created_at, completed_at"
    /// Endpoints an organization may have.
    static let maxEndpoints = 20

    static let deliveries = ListQuery(
        table: "webhook_deliveries", columns: deliveryColumns, scope: "org_id = $1", scopeParameterCount: 1,
        fields: [
            ListField("id", .uuid, sqlType: "uuid"),
            ListField("endpoint_id", .uuid, sqlType: "uuid", filters: [.eq]),
            ListField("status", .string, sqlType: "text", filters: [.eq]),
            ListField("event_type", .string, sqlType: "text", filters: [.eq]),
            ListField("created_at", .datetime, sqlType: "timestamptz", sortable: true),
        ]
    )
    static let deliveryPagination = ResourcePagination(defaultLimit: 20, maxLimit: 100, defaultSort: SortOrder(key: "created_at", descending: true))

    public init(database: Database, policy: WebhookURLPolicy) {
        self.database = database
        self.policy = policy
    }

    public func add(to group: RouterGroup<TrellisRequestContext>) {
        group.on(.listWebhookEndpoints) { request, context in try await list(request, context) }
        group.on(.createWebhookEndpoint) { request, context in try await create(request, context) }
        group.on(.getWebhookEndpoint) { request, context in try await get(request, context) }
        group.on(.updateWebhookEndpoint) { request, context in try await update(request, context) }
        group.on(.deleteWebhookEndpoint) { request, context in try await delete(request, context) }
        group.on(.listWebhookDeliveries) { request, context in try await listDeliveries(request, context) }
        group.on(.redeliverWebhook) { request, context in try await redeliver(request, context) }
        group.on(.testWebhookEndpoint) { request, context in try await sendTest(request, context) }
    }

    // MARK: - Endpoints

    func list(_ request: Request, _ context: TrellisRequestContext) async throws -> Response {
        let scope = TenantScope(principal: try context.require(Self.read))
        try request.rejectUnknownQueryParameters()
        let rows = try await database.client.query(
            "SELECT \(unescaped: Self.columns) FROM webhook_endpoints WHERE org_id = \(scope.orgID) ORDER BY created_at, id", logger: context.logger
        )
        var endpoints: [JSONValue] = []
        for try await row in rows { endpoints.append(try Self.endpoint(row.makeRandomAccess())) }
        return Response.data(JSONValue.array(endpoints))
    }

    func get(_ request: Request, _ context: TrellisRequestContext) async throws -> Response {
        let scope = TenantScope(principal: try context.require(Self.read))
        try request.rejectUnknownQueryParameters()
        let id = try context.resourceID("id")
        guard let endpoint = try await Self.endpoint(id, in: scope, on: database.client, logger: context.logger) else {
            throw APIError.notFound("webhook endpoint")
        }
        return Response.data(endpoint)
    }

    func create(_ request: Request, _ context: TrellisRequestContext) async throws -> Response {
        let principal = try context.require(Self.write)
        let scope = TenantScope(principal: principal)
        try request.rejectUnknownQueryParameters()
        var input = InputReader(try await request.jsonObject(context: context), fields: ["url", "description", "event_types", "enabled"], serverOwned: [])
        let url = input.read("url", as: String.self, required: true, check: .length(min: 1, max: 2048))
        let description = input.read("description", as: String.self, check: .length(min: 0, max: 500)) ?? ""
        let eventTypes = Self.readEventTypes(&input, required: false) ?? ["*"]
        let enabled = input.read("enabled", as: Bool.self) ?? true
        if let url { await checkURL(url, &input) }
        try input.finish()
        guard let url else { throw input.failure() }
        let id = UUID.v7()
        let secret = SecretToken.generate(prefix: "whsec_").value
        let endpoint = try await database.transaction(logger: context.logger) { connection -> JSONValue? in
            // One at a time per organization, so the limit holds.
            try await connection.query("SELECT pg_advisory_xact_lock(hashtextextended('webhook_endpoints:' || \(scope.orgID)::text, 0))", logger: context.logger)
            let count = try await connection.query("SELECT count(*) FROM webhook_endpoints WHERE org_id = \(scope.orgID)", logger: context.logger)
            for try await existing in count.decode(Int64.self) where existing >= Self.maxEndpoints {
                throw APIError.validation(["url": ["an organization has at most \(Self.maxEndpoints) webhook endpoints; delete one first"]])
            }
            let rows = try await connection.query(
                """
                INSERT INTO webhook_endpoints (id, org_id, url, description, secret, event_types, enabled, created_by)
                VALUES (\(id), \(scope.orgID), \(url), \(description), \(secret), \(eventTypes), \(enabled), \(principal.apiKeyID == nil ? principal.userID : nil))
                RETURNING \(unescaped: Self.columns)
                """,
                logger: context.logger
            )
            for try await row in rows { return try Self.endpoint(row.makeRandomAccess(), secret: secret) }
            return nil
        }
        guard let endpoint else { throw APIError(.internalError, "The webhook endpoint was not stored.") }
        return Response.credentials(endpoint, status: .created)
    }

    func update(_ request: Request, _ context: TrellisRequestContext) async throws -> Response {
        let scope = TenantScope(principal: try context.require(Self.write))
        try request.rejectUnknownQueryParameters()
        let id = try context.resourceID("id")
        var input = InputReader(try await request.jsonObject(context: context), fields: ["url", "description", "event_types", "enabled"], serverOwned: [])
        let url = input.read("url", as: String.self, check: .length(min: 1, max: 2048))
        let description = input.read("description", as: String.self, check: .length(min: 0, max: 500))
        let eventTypes = Self.readEventTypes(&input, required: false)
        let enabled = input.read("enabled", as: Bool.self)
        if let url { await checkURL(url, &input) }
        try input.finish()
        // Enabling again starts a new run: failures before it no longer count.
        let endpoint = try await database.withConnection(logger: context.logger) { connection -> JSONValue? in
            let rows = try await connection.query(
            """
            UPDATE webhook_endpoints SET url = coalesce(\(url)::text, url), description = coalesce(\(description)::text, description),
                event_types = coalesce(\(eventTypes)::text[], event_types), enabled = coalesce(\(enabled)::boolean, enabled),
                disabled_reason = CASE WHEN \(enabled)::boolean IS NOT NULL THEN NULL ELSE disabled_reason END,
                failing_since = CASE WHEN \(enabled)::boolean AND NOT enabled THEN NULL ELSE failing_since END,
                updated_at = now()
            WHERE id = \(id) AND org_id = \(scope.orgID)
            RETURNING \(unescaped: Self.columns)
            """,
                logger: context.logger
            )
            for try await row in rows { return try Self.endpoint(row.makeRandomAccess()) }
            return nil
        }
        guard let endpoint else { throw APIError.notFound("webhook endpoint") }
        return Response.data(endpoint)
    }

    func delete(_ request: Request, _ context: TrellisRequestContext) async throws -> Response {
        let scope = TenantScope(principal: try context.require(Self.write))
        try request.rejectUnknownQueryParameters()
        let id = try context.resourceID("id")
        let deleted = try await database.withConnection(logger: context.logger) { connection -> Bool in
            let rows = try await connection.query(
                "DELETE FROM webhook_endpoints WHERE id = \(id) AND org_id = \(scope.orgID) RETURNING id", logger: context.logger
            )
            for try await _ in rows.decode(UUID.self) { return true }
            return false
        }
        guard deleted else { throw APIError.notFound("webhook endpoint") }
        return Response(status: .noContent)
    }

    // MARK: - Deliveries

    func listDeliveries(_ request: Request, _ context: TrellisRequestContext) async throws -> Response {
        let principal = try context.require(Self.read)
        let scope = TenantScope(principal: principal)
        let id = try context.resourceID("id")
        guard try await Self.endpoint(id, in: scope, on: database.client, logger: context.logger) != nil else {
            throw APIError.notFound("webhook endpoint")
        }
        var list = try ListRequest(
            request: request, query: Self.deliveries, pagination: Self.deliveryPagination, includes: [], principal: principal
        )
        guard let field = Self.deliveries.field(named: "endpoint_id") else { throw APIError(.internalError, "no endpoint_id field") }
        list.filters.append(ListRequest.Filter(field: field, operator: .eq, value: .one(id.uuidString)))
        let page = try await Self.deliveries.page(
            list, scope: scope, on: database.client, logger: context.logger, decode: { IdentifiedJSON(id: try $0[0].decode(UUID.self), value: try Self.delivery($0)) },
            id: \.id
        )
        return .list(page)
    }

    func redeliver(_ request: Request, _ context: TrellisRequestContext) async throws -> Response {
        let scope = TenantScope(principal: try context.require(Self.write))
        try request.rejectUnknownQueryParameters()
        let endpointID = try context.resourceID("id")
        let deliveryID = try context.resourceID("delivery_id")
        let delivery = try await database.transaction(logger: context.logger) { connection -> JSONValue? in
            let rows = try await connection.query(
                """
                SELECT event_id, event_type, payload FROM webhook_deliveries
                WHERE id = \(deliveryID) AND endpoint_id = \(endpointID) AND org_id = \(scope.orgID)
                """,
                logger: context.logger
            )
            var original: (UUID, String, String)?
            for try await row in rows.decode((UUID, String, String).self) { original = row }
            guard let (eventID, type, payload) = original else { return nil }
            let id = try await DeliverWebhook.enqueue(
                endpointID: endpointID, orgID: scope.orgID, eventID: eventID, type: type, payload: payload, on: connection, logger: context.logger
            )
            return try await Self.delivery(id, on: connection, logger: context.logger)
        }
        guard let delivery else { throw APIError.notFound("webhook delivery") }
        return Response.data(delivery, status: .accepted)
    }

    func sendTest(_ request: Request, _ context: TrellisRequestContext) async throws -> Response {
        let scope = TenantScope(principal: try context.require(Self.write))
        try request.rejectUnknownQueryParameters()
        let endpointID = try context.resourceID("id")
        let delivery = try await database.transaction(logger: context.logger) { connection -> JSONValue? in
            let exists = try await connection.query(
                "SELECT id FROM webhook_endpoints WHERE id = \(endpointID) AND org_id = \(scope.orgID)", logger: context.logger
            )
            var found = false
            for try await _ in exists.decode(UUID.self) { found = true }
            guard found else { return nil }
            let eventID = UUID.v7()
            let payload = WebhookDispatcher.payload(
                id: eventID, type: "webhook.test", createdAt: Timestamp.now().description, orgID: scope.orgID, resource: nil,
                data: ["endpoint_id": .string(endpointID.lowercasedString)]
            )
            let id = try await DeliverWebhook.enqueue(
                endpointID: endpointID, orgID: scope.orgID, eventID: eventID, type: "webhook.test", payload: payload, on: connection, logger: context.logger
            )
            return try await Self.delivery(id, on: connection, logger: context.logger)
        }
        guard let delivery else { throw APIError.notFound("webhook endpoint") }
        return Response.data(delivery, status: .accepted)
    }

    // MARK: - Reading and writing rows

    private func checkURL(_ url: String, _ input: inout InputReader) async {
        do {
            try await policy.check(url)
        } catch {
            input.reject("url", error.description)
        }
    }

    /// `event_types`: a non-empty list of `resource.action` names, or `["*"]`.
    static func readEventTypes(_ input: inout InputReader, required: Bool) -> [String]? {
        guard let raw = input.read("event_types", as: JSONValue.self, required: required) else { return nil }
        guard case .array(let items) = raw, !items.isEmpty, items.count <= 100 else {
            input.reject("event_types", "must be a list of 1 to 100 event types (task.updated), or [\"*\"] for all")
            return nil
        }
        var types: [String] = []
        for item in items {
            guard case .string(let type) = item, type == "*" || type.wholeMatch(of: /[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*/) != nil else {
                input.reject("event_types", "each must be an event type such as task.updated, or *")
                return nil
            }
            types.append(type)
        }
        return Array(Set(types)).sorted()
    }

    static func endpoint(_ id: UUID, in scope: TenantScope, on client: PostgresClient, logger: Logger) async throws -> JSONValue? {
        let rows = try await client.query(
            "SELECT \(unescaped: columns) FROM webhook_endpoints WHERE id = \(id) AND org_id = \(scope.orgID)", logger: logger
        )
        for try await row in rows { return try endpoint(row.makeRandomAccess()) }
        return nil
    }

    static func endpoint(_ cells: PostgresRandomAccessRow, secret: String? = nil) throws -> JSONValue {
        var object: [String: JSONValue] = [
            "id": .string(try cells[0].decode(UUID.self).lowercasedString), "url": .string(try cells[1].decode(String.self)),
            "description": .string(try cells[2].decode(String.self)), "event_types": .array(try cells[3].decode([String].self).map(JSONValue.string)),
            "enabled": .bool(try cells[4].decode(Bool.self)), "disabled_reason": try cells[5].decode(String?.self).map(JSONValue.string) ?? .null,
            "failing_since": try cells[6].decode(Timestamp?.self).map { .string($0.description) } ?? .null,
            "created_at": .string(try cells[7].decode(Timestamp.self).description), "updated_at": .string(try cells[8].decode(Timestamp.self).description),
        ]
        if let secret { object["secret"] = .string(secret) }
        return .object(object)
    }

    static func delivery(_ id: UUID, on connection: PostgresConnection, logger: Logger) async throws -> JSONValue? {
        let rows = try await connection.query("SELECT \(unescaped: deliveryColumns) FROM webhook_deliveries WHERE id = \(id)", logger: logger)
        for try await row in rows { return try delivery(row.makeRandomAccess()) }
        return nil
    }

    static func delivery(_ cells: PostgresRandomAccessRow) throws -> JSONValue {
        func time(_ value: Timestamp?) -> JSONValue { value.map { .string($0.description) } ?? .null }
        return .object([
            "id": .string(try cells[0].decode(UUID.self).lowercasedString),
            "endpoint_id": .string(try cells[1].decode(UUID.self).lowercasedString),
            "event_id": .string(try cells[2].decode(UUID.self).lowercasedString), "event_type": .string(try cells[3].decode(String.self)),
            "status": .string(try cells[4].decode(String.self)), "attempts": .integer(Int64(try cells[5].decode(Int32.self))),
            "response_status": try cells[6].decode(Int32?.self).map { .integer(Int64($0)) } ?? .null,
            "response_body": try cells[7].decode(String?.self).map(JSONValue.string) ?? .null,
            "error": try cells[8].decode(String?.self).map(JSONValue.string) ?? .null, "next_attempt_at": time(try cells[9].decode(Timestamp?.self)),
            "created_at": .string(try cells[10].decode(Timestamp.self).description), "completed_at": time(try cells[11].decode(Timestamp?.self)),
        ])
    }
}

/// A row as JSON, with its id for the page's cursor.
struct IdentifiedJSON: JSONWritable, Sendable {
    var id: UUID
    var value: JSONValue

    func writeJSON(into buffer: inout ByteBuffer) { value.writeJSON(into: &buffer) }
}
