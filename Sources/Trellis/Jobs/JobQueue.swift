import Foundation
import Logging
import PostgresNIO

/// Enqueues jobs in PostgreSQL (`jobs`), inside the caller's transaction: a job exists only if the
/// work that enqueued it commits, and idle workers are woken (NOTIFY) when it does.
public enum JobQueue {
    /// Adds `job` to its queue as part of the transaction on `connection`; returns its id, or nil
    /// when a job of the same kind with the same `uniqueKey` is still pending or running.
    ///
    /// `runAt` schedules it (now when nil).
    @discardableResult
    public static func enqueue<J: JobDefinition>(
        _ job: J, on connection: PostgresConnection, runAt: Date? = nil, uniqueKey: String? = nil, logger: Logger
    ) async throws -> Int64? {
        let arguments = String(decoding: try JSONEncoder().encode(job), as: UTF8.self)
        let rows = try await connection.query(
            """
            INSERT INTO jobs (queue, kind, args, max_attempts, run_at, unique_key)
            VALUES (\(J.queue.rawValue), \(J.kind), \(arguments)::jsonb, \(J.maxAttempts), coalesce(\(runAt)::timestamptz, now()), \(uniqueKey))
            ON CONFLICT (kind, unique_key) WHERE unique_key IS NOT NULL AND state IN ('pending', 'running') DO NOTHING
            RETURNING id
            """,
            logger: logger
        )
        var id: Int64?
        for try await value in rows.decode(Int64.self) { id = value }
        if id != nil {
            // Delivered when the transaction commits (never if it rolls back): wakes idle workers.
            try await connection.query("SELECT pg_notify(\(JobNotifications.channel), \(J.queue.rawValue))", logger: logger)
        }
        return id
    }

    /// ``enqueue(_:on:runAt:uniqueKey:logger:)`` on the request's transaction when there is one
    /// (so the job commits with the request's change), else on a connection of its own.
    @discardableResult
    public static func enqueue<J: JobDefinition>(
        _ job: J, in database: Database, runAt: Date? = nil, uniqueKey: String? = nil, logger: Logger
    ) async throws -> Int64? {
        try await database.withConnection(logger: logger) { connection in
            try await enqueue(job, on: connection, runAt: runAt, uniqueKey: uniqueKey, logger: logger)
        }
    }
}
