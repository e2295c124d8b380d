import Foundation
import Logging
import PostgresNIO

/// One row of the `change_events` outbox: a mutation of a resource, as it committed.
public struct ChangeEvent: Sendable, Hashable {
    /// Where the event sits in the outbox: pass it to ``ChangeEvents/committed(after:limit:on:logger:)``
    /// to read on from it.
    public var position: ChangeEvents.Position
    public var eventID: UUID
    /// `task.created`, `task.updated`, `task.deleted`, `task.restored`, `project.archive`.
    public var type: String
    public var orgID: UUID?
    public var resourceType: String
    public var resourceID: UUID
    /// The row as the mutation left it (as it was, for a delete), without its sensitive fields.
    /// Its `version` orders the events of one row.
    public var data: JSONValue
    public var userID: UUID?
    public var apiKeyID: UUID?
    public var requestID: String?
    public var createdAt: Timestamp
}

/// Reads the outbox the resource engine writes (``MutationJournal``) in an order that never skips
/// an event.
///
/// Identity values are handed out when a row is inserted, not when its transaction commits, so
/// reading "ids above the last one seen" would skip an event whose transaction commits after a
/// later one's. Instead a reader takes only events of transactions that have ended (`xid` below
/// the oldest transaction still running, `pg_snapshot_xmin`), in `(xid, id)` order: any event
/// that commits later has a larger `xid` than every one already read.
public enum ChangeEvents {
    /// A place in the outbox: the transaction and the id of the last event read.
    public struct Position: Sendable, Hashable, Comparable {
        public var transaction: UInt64
        public var id: Int64

        public init(transaction: UInt64, id: Int64) {
            self.transaction = transaction
            self.id = id
        }

        /// Before every event.
        public static let start = Position(transaction: 0, id: 0)

        public static func < (lhs: Position, rhs: Position) -> Bool {
            (lhs.transaction, lhs.id) < (rhs.transaction, rhs.id)
        }
    }

    /// Up to `limit` events after `position` whose transactions have ended, oldest first.
    public static func committed(after position: Position, limit: Int, on client: PostgresClient, logger: Logger) async throws -> [ChangeEvent] {
        try await decode(try await client.query(query(after: position, limit: limit), logger: logger))
    }

    /// ``committed(after:limit:on:logger:)`` on `connection` (inside the caller's transaction).
    public static func committed(after position: Position, limit: Int, on connection: PostgresConnection, logger: Logger) async throws -> [ChangeEvent] {
        try await decode(try await connection.query(query(after: position, limit: limit), logger: logger))
    }

    /// Where each of the next `limit` committed events after `position` sits and whose it is:
    /// what ``committed(after:limit:on:logger:)`` would read, without reading the events' data, so
    /// a reader can fetch only the events it needs (``committed(after:through:organizations:on:logger:)``)
    /// and still move past the rest.
    public static func entries(
        after position: Position, limit: Int, on connection: PostgresConnection, logger: Logger
    ) async throws -> [(position: Position, orgID: UUID?)] {
        let rows = try await connection.query(
            """
            SELECT xid::text, id, org_id FROM change_events
            WHERE (xid, id) > (\(String(position.transaction))::xid8, \(position.id))
              AND xid < pg_snapshot_xmin(pg_current_snapshot())
            ORDER BY xid, id
            LIMIT \(Int64(limit))
            """,
            logger: logger
        )
        var entries: [(position: Position, orgID: UUID?)] = []
        for try await (xid, id, orgID) in rows.decode((String, Int64, UUID?).self) {
            guard let transaction = UInt64(xid) else { continue }
            entries.append((Position(transaction: transaction, id: id), orgID))
        }
        return entries
    }

    /// The events after `position` up to and including `last` (a position ``entries(after:limit:on:logger:)``
    /// returned, so every event up to it has committed) of the given organizations, oldest first.
    public static func committed(
        after position: Position, through last: Position, organizations: [UUID], on connection: PostgresConnection, logger: Logger
    ) async throws -> [ChangeEvent] {
        try await decode(
            try await connection.query(
                """
                SELECT \(unescaped: columns) FROM change_events
                WHERE (xid, id) > (\(String(position.transaction))::xid8, \(position.id))
                  AND (xid, id) <= (\(String(last.transaction))::xid8, \(last.id))
                  AND org_id = ANY(\(organizations))
                ORDER BY xid, id
                """,
                logger: logger
            )
        )
    }

    /// The columns ``decode(_:)`` reads, in its order.
    private static let columns =
        "xid::text, id, event_id, type, org_id, resource_type, resource_id, data, user_id, api_key_id, request_id, created_at"

    private static func query(after position: Position, limit: Int) -> PostgresQuery {
        """
        SELECT \(unescaped: columns) FROM change_events
        WHERE (xid, id) > (\(String(position.transaction))::xid8, \(position.id))
          AND xid < pg_snapshot_xmin(pg_current_snapshot())
        ORDER BY xid, id
        LIMIT \(Int64(limit))
        """
    }

    private static func decode(_ rows: PostgresRowSequence) async throws -> [ChangeEvent] {
        var events: [ChangeEvent] = []
        for try await row in rows {
            let cells = row.makeRandomAccess()
            guard let transaction = UInt64(try cells[0].decode(String.self)) else { continue }
            events.append(
                ChangeEvent(
                    position: Position(transaction: transaction, id: try cells[1].decode(Int64.self)), eventID: try cells[2].decode(UUID.self),
                    type: try cells[3].decode(String.self), orgID: try cells[4].decode(UUID?.self),
                    resourceType: try cells[5].decode(String.self), resourceID: try cells[6].decode(UUID.self),
                    data: try cells[7].decode(JSONValue.self), userID: try cells[8].decode(UUID?.self),
                    apiKeyID: try cells[9].decode(UUID?.self), requestID: try cells[10].decode(String?.self),
                    createdAt: try cells[11].decode(Timestamp.self)
                )
            )
        }
        return events
    }
}
