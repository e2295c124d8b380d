import Foundation
import Logging
import NIOCore
import PostgresNIO

/// What platform administrators do with jobs (``AdminRoutes``): list them by state, run a failed
/// one again, or give up on a pending one.
public enum JobAdministration {
    /// A `jobs` row as the admin endpoints show it.
    public static let columns = "id, queue, kind, state, attempts, max_attempts, run_at, last_error, args::text, created_at, finished_at"

    /// Jobs in `state`, newest first; `queue` and `kind` narrow them, `before` pages (ids below it).
    public static func jobs(
        state: String, queue: String?, kind: String?, before: Int64?, limit: Int, on client: PostgresClient, logger: Logger
    ) async throws -> [JSONValue] {
        let rows = try await client.query(
            """
            SELECT \(unescaped: columns) FROM jobs
            WHERE state = \(state) AND (\(queue)::text IS NULL OR queue = \(queue)::text) AND (\(kind)::text IS NULL OR kind = \(kind)::text)
                AND (\(before)::bigint IS NULL OR id < \(before)::bigint)
            ORDER BY id DESC LIMIT \(Int64(limit))
            """,
            logger: logger
        )
        var jobs: [JSONValue] = []
        for try await row in rows { jobs.append(try json(row.makeRandomAccess())) }
        return jobs
    }

    /// Runs a discarded job again, now, with one more attempt allowed; nil when no discarded job
    /// has this id.
    public static func retry(_ id: Int64, on client: PostgresClient, logger: Logger) async throws -> JSONValue? {
        try await update(
            """
            UPDATE jobs SET state = 'pending', run_at = now(), max_attempts = greatest(max_attempts, attempts + 1), finished_at = NULL
            WHERE id = \(id) AND state = 'discarded' RETURNING \(unescaped: columns)
            """,
            on: client, logger: logger
        )
    }

    /// Discards a pending job (one waiting for its next attempt, say); nil when no pending job has this id.
    public static func discard(_ id: Int64, on client: PostgresClient, logger: Logger) async throws -> JSONValue? {
        try await update(
            """
            UPDATE jobs SET state = 'discarded', finished_at = now(), last_error = coalesce(last_error || ' ', '') || '(discarded by an administrator)'
            WHERE id = \(id) AND state = 'pending' RETURNING \(unescaped: columns)
            """,
            on: client, logger: logger
        )
    }

    private static func update(_ query: PostgresQuery, on client: PostgresClient, logger: Logger) async throws -> JSONValue? {
        // A job made pending again wakes the workers of its queue.
        try await client.withTransaction(logger: logger) { connection in
            for try await row in try await connection.query(query, logger: logger) {
                let cells = row.makeRandomAccess()
                let queue = try cells[1].decode(String.self)
                try await connection.query("SELECT pg_notify(\(JobNotifications.channel), \(queue))", logger: logger)
                return try json(cells)
            }
            return nil
        }
    }

    static func json(_ cells: PostgresRandomAccessRow) throws -> JSONValue {
        func time(_ value: Timestamp?) -> JSONValue { value.map { .string($0.description) } ?? .null }
        let arguments = try cells[8].decode(String.self)
        return .object([
            "id": .integer(try cells[0].decode(Int64.self)), "queue": .string(try cells[1].decode(String.self)),
            "kind": .string(try cells[2].decode(String.self)), "state": .string(try cells[3].decode(String.self)),
            "attempts": .integer(Int64(try cells[4].decode(Int32.self))), "max_attempts": .integer(Int64(try cells[5].decode(Int32.self))),
            "run_at": .string(try cells[6].decode(Timestamp.self).description),
            "last_error": try cells[7].decode(String?.self).map(JSONValue.string) ?? .null,
            "args": (try? JSONValue.parse(ByteBuffer(string: arguments))) ?? .object([:]),
            "created_at": .string(try cells[9].decode(Timestamp.self).description), "finished_at": time(try cells[10].decode(Timestamp?.self)),
        ])
    }
}
