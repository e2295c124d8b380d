import Foundation
import Logging
import NIOCore
import PostgresNIO
import ServiceLifecycle

/// Turns committed change events (``ChangeEvents``) into webhook deliveries: for each event, one
/// `webhook_deliveries` row and one ``DeliverWebhook`` job per enabled endpoint of the event's
/// organization subscribed to its type, written in the transaction that moves the dispatcher's
/// position forward, so an event is dispatched once, in commit order, whatever crashes.
///
/// Every instance that runs jobs runs one; they take turns through the lock on `webhook_dispatch`.
/// It looks every ``interval`` (a second): polling keeps the write path free of NOTIFY's
/// commit-time lock, and costs one indexed query a second.
public struct WebhookDispatcher: Service {
    public let client: PostgresClient
    public let interval: Duration
    /// The server's view of the database: while it is down, the dispatcher waits.
    public let availability: DatabaseAvailability?
    public let logger: Logger
    /// Events read per transaction.
    public static let batch = 500

    public init(client: PostgresClient, interval: Duration = .seconds(1), availability: DatabaseAvailability? = nil, logger: Logger) {
        self.client = client
        self.interval = interval
        self.availability = availability
        self.logger = logger
    }

    public func run() async throws {
        var failures = 0
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                // A full batch: read on at once.
                if availability?.isAvailable != false {
                    while try await cancelWhenGracefulShutdown({ try await dispatch() }) == Self.batch {}
                }
                failures = 0
            } catch {
                if Task.isCancelled || Task.isShuttingDownGracefully { return }
                failures += 1
                // Once per run of failures (the database is down, say), then quietly, waiting longer.
                if failures == 1 { logger.warning("webhook dispatch failed", metadata: ["error": "\(String(reflecting: error))"]) }
            }
            let pause = failures == 0 ? interval : .seconds(min(30, 1 << min(failures, 5)))
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: pause) }
        }
    }

    /// Dispatches the next batch of committed events; returns how many events it read (0 also
    /// when another instance is dispatching).
    @discardableResult
    public func dispatch() async throws -> Int {
        try await client.withTransaction(logger: logger) { connection in
            let positions = try await connection.query(
                "SELECT xid::text, event_id FROM webhook_dispatch FOR UPDATE SKIP LOCKED", logger: logger
            )
            var position: ChangeEvents.Position?
            for try await (xid, id) in positions.decode((String, Int64).self) {
                position = UInt64(xid).map { ChangeEvents.Position(transaction: $0, id: id) }
            }
            guard let position else { return 0 }
            // Where the batch ends and whose events it holds first: the events' data is read only
            // for organizations with an endpoint, so an app without webhooks reads none of it.
            let entries = try await ChangeEvents.entries(after: position, limit: Self.batch, on: connection, logger: logger)
            guard let last = entries.last?.position else { return 0 }
            let endpoints = try await subscribedEndpoints(orgs: Set(entries.compactMap(\.orgID)), on: connection)
            let events =
                endpoints.isEmpty
                ? []
                : try await ChangeEvents.committed(
                    after: position, through: last, organizations: Array(endpoints.keys), on: connection, logger: logger
                )
            for event in events {
                guard let org = event.orgID else { continue }
                for endpoint in endpoints[org, default: []] where endpoint.accepts(event.type) {
                    try await DeliverWebhook.enqueue(
                        endpointID: endpoint.id, orgID: org, eventID: event.eventID, type: event.type, payload: Self.payload(of: event),
                        on: connection, logger: logger
                    )
                }
            }
            try await connection.query(
                "UPDATE webhook_dispatch SET xid = \(String(last.transaction))::xid8, event_id = \(last.id)", logger: logger
            )
            return entries.count
        }
    }

    struct Subscription {
        var id: UUID
        var eventTypes: [String]

        func accepts(_ type: String) -> Bool { eventTypes.contains("*") || eventTypes.contains(type) }
    }

    private func subscribedEndpoints(orgs: Set<UUID>, on connection: PostgresConnection) async throws -> [UUID: [Subscription]] {
        guard !orgs.isEmpty else { return [:] }
        let rows = try await connection.query(
            "SELECT id, org_id, event_types FROM webhook_endpoints WHERE enabled AND org_id = ANY(\(Array(orgs))) ORDER BY created_at, id",
            logger: logger
        )
        var endpoints: [UUID: [Subscription]] = [:]
        for try await (id, org, types) in rows.decode((UUID, UUID, [String]).self) {
            endpoints[org, default: []].append(Subscription(id: id, eventTypes: types))
        }
        return endpoints
    }

    /// The body of the delivery of `event`:
    /// `{"id", "type", "created_at", "org_id", "resource": {"type", "id"}, "data": {...row}}`.
    static func payload(of event: ChangeEvent) -> String {
        payload(
            id: event.eventID, type: event.type, createdAt: event.createdAt.description, orgID: event.orgID,
            resource: ["type": .string(event.resourceType), "id": .string(event.resourceID.lowercasedString)], data: event.data
        )
    }

    static func payload(id: UUID, type: String, createdAt: String, orgID: UUID?, resource: [String: JSONValue]?, data: JSONValue) -> String {
        var object: [String: JSONValue] = [
            "id": .string(id.lowercasedString), "type": .string(type), "created_at": .string(createdAt),
            "org_id": orgID.map { .string($0.lowercasedString) } ?? .null, "data": data,
        ]
        if let resource { object["resource"] = .object(resource) }
        var buffer = ByteBuffer()
        JSONValue.object(object).writeJSON(into: &buffer)
        return String(buffer: buffer)
    }
}
