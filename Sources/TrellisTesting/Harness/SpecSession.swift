import Foundation
import PostgresNIO
import Trellis

/// One test's world: two organizations of its own (`home`, where rows are made, and `other`,
/// which must not reach them), a client of the app, and the database for looking under the API.
public struct SpecSession: Sendable {
    /// The test's name, from which every fixture id and value derives.
    public let label: String
    public let home: SpecOrganization
    public let other: SpecOrganization
    public let client: SpecClient
    let database: PostgresClient
    let harness: SpecHarness
    /// Rows made to be referenced, by organization and resource: one parent serves every child.
    let parents = ParentRows()

    /// Whether the row `id` of `table` is still in the table, and whether it is marked deleted
    /// (only tables with `softDelete` have the mark).
    func storedRow(_ table: String, id: UUID, softDelete: Bool) async throws -> (exists: Bool, deleted: Bool) {
        let deleted = softDelete ? "deleted_at IS NOT NULL" : "false"
        let rows = try await database.query(
            PostgresQuery(unsafeSQL: "SELECT \(deleted) FROM \(table) WHERE id = $1", binds: binds(id)),
            logger: harness.logger
        )
        for try await deleted in rows.decode(Bool.self) { return (true, deleted) }
        return (false, false)
    }

    /// Marks the row deleted directly, for checks that need a deleted row whatever the
    /// permissions say about DELETE.
    func markDeleted(_ table: String, id: UUID) async throws {
        try await database.query(
            PostgresQuery(unsafeSQL: "UPDATE \(table) SET deleted_at = now() WHERE id = $1", binds: binds(id)), logger: harness.logger
        )
    }

    /// Runs `request` while another writer holds the row `id` of `table` locked: that writer
    /// (a transaction of the session's own) waits until a statement queues behind its lock, or
    /// 10 s, then writes the row (which moves its version on) and commits. A request that checks
    /// the row's version under the lock sees the new one.
    func racingAWriter<Answer: Sendable>(
        on table: String, id: UUID, _ request: @escaping @Sendable () async throws -> Answer
    ) async throws -> Answer {
        try await database.withConnection { connection in
            let logger = harness.logger
            try await connection.query("BEGIN", logger: logger)
            var holder: Int32 = 0
            for try await pid in try await connection.query("SELECT pg_backend_pid()", logger: logger).decode(Int32.self) { holder = pid }
            try await connection.query(PostgresQuery(unsafeSQL: "SELECT 1 FROM \(table) WHERE id = $1 FOR UPDATE", binds: binds(id)), logger: logger)
            let answer = Task { try await request() }
            var waiting = false
            var polls = 0
            while !waiting, polls < 200 {
                polls += 1
                var bindings = PostgresBindings()
                bindings.append(holder)
                let rows = try await database.query(
                    PostgresQuery(
                        unsafeSQL: "SELECT count(*)::int8 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND $1 = ANY(pg_blocking_pids(pid))",
                        binds: bindings
                    ),
                    logger: logger
                )
                for try await count in rows.decode(Int64.self) { waiting = count > 0 }
                if !waiting { try await Task.sleep(for: .milliseconds(50)) }
            }
            try await connection.query(PostgresQuery(unsafeSQL: "UPDATE \(table) SET id = id WHERE id = $1", binds: binds(id)), logger: logger)
            try await connection.query("COMMIT", logger: logger)
            return try await answer.value
        }
    }

    /// Inserts `row` (column -> value) into `table`, for a resource no role may create.
    func insert(into table: String, _ row: JSONValue) async throws {
        var bindings = PostgresBindings()
        bindings.append(row.jsonText)
        try await database.query(
            PostgresQuery(unsafeSQL: "INSERT INTO \(table) SELECT * FROM json_populate_record(NULL::\(table), $1::json)", binds: bindings),
            logger: harness.logger
        )
    }

    /// How many rows of `organization` `table` holds, deleted ones included.
    func rowCount(_ table: String, in organization: SpecOrganization) async throws -> Int {
        let rows = try await database.query(
            PostgresQuery(unsafeSQL: "SELECT count(*)::int8 FROM \(table) WHERE org_id = $1", binds: binds(organization.id)), logger: harness.logger
        )
        for try await count in rows.decode(Int64.self) { return Int(count) }
        return 0
    }

    /// Sets `column` of the row `id` to `value` directly: to hand a row to another owner.
    func setColumn(_ table: String, id: UUID, column: String, to value: UUID) async throws {
        var bindings = binds(id)
        bindings.append(value)
        try await database.query(
            PostgresQuery(unsafeSQL: "UPDATE \(table) SET \(column) = $2 WHERE id = $1", binds: bindings), logger: harness.logger
        )
    }

    /// One audit row about a resource row, as the checks read it.
    struct AuditRow: Sendable {
        var action: String
        var resourceType: String?
        var orgID: UUID?
        var userID: UUID?
        var changes: JSONValue?
    }

    /// The audit rows about the row `id`, oldest first.
    func auditRows(about id: UUID) async throws -> [AuditRow] {
        let rows = try await database.query(
            PostgresQuery(
                unsafeSQL: "SELECT action, resource_type, org_id, user_id, changes FROM audit_logs WHERE resource_id = $1 ORDER BY created_at, id",
                binds: binds(id)
            ),
            logger: harness.logger
        )
        var found: [AuditRow] = []
        for try await (action, type, org, user, changes) in rows.decode((String, String?, UUID?, UUID?, JSONValue?).self) {
            found.append(AuditRow(action: action, resourceType: type, orgID: org, userID: user, changes: changes))
        }
        return found
    }

    /// The change events about the row `id`, in outbox order: each one's type and row.
    func changeEvents(about id: UUID) async throws -> [(type: String, data: JSONValue)] {
        let rows = try await database.query(
            PostgresQuery(unsafeSQL: "SELECT type, data FROM change_events WHERE resource_id = $1 ORDER BY id", binds: binds(id)),
            logger: harness.logger
        )
        var found: [(type: String, data: JSONValue)] = []
        for try await (type, data) in rows.decode((String, JSONValue).self) { found.append((type, data)) }
        return found
    }

    /// How many `action` audit rows `organization` has.
    func auditCount(_ action: String, in organization: SpecOrganization) async throws -> Int {
        var bindings = binds(organization.id)
        bindings.append(action)
        let rows = try await database.query(
            PostgresQuery(unsafeSQL: "SELECT count(*)::int8 FROM audit_logs WHERE org_id = $1 AND action = $2", binds: bindings),
            logger: harness.logger
        )
        for try await count in rows.decode(Int64.self) { return Int(count) }
        return 0
    }

    /// An API key of `organization`, made by its member with `role`, holding `scopes`.
    func apiKey(in organization: SpecOrganization, role: Role, scopes: [String]) async throws -> String {
        let name = "\(label)/\(organization.slug)/\(role.rawValue)/\(scopes.joined(separator: ","))"
        let key = "sk_test_spec" + name.stableTag + UUID.stable(name).uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        let creator = organization.members[role] ?? organization.id
        try await database.query(
            """
            INSERT INTO api_keys (id, org_id, created_by, name, prefix, key_hash, scopes, created_at)
            VALUES (\(UUID.stable(name)), \(organization.id), \(creator), 'spec test key', \(APIKey.displayPrefix(of: key)),
                    \(SecretToken.digest(of: key)), \(scopes), \(SpecHarness.fixtureTime))
            ON CONFLICT (id) DO NOTHING
            """,
            logger: harness.logger
        )
        return key
    }

    private func binds(_ id: UUID) -> PostgresBindings {
        var bindings = PostgresBindings()
        bindings.append(id)
        return bindings
    }
}

/// The parent rows a session made, so that every child in an organization points at the same one.
actor ParentRows {
    private var ids: [String: Task<String, any Error>] = [:]

    /// The id of the `resource` row of `organization`, made by `make` the first time.
    func id(of resource: String, in organization: SpecOrganization, make: @escaping @Sendable () async throws -> String) async throws -> String {
        let key = "\(organization.id)/\(resource)"
        if let task = ids[key] { return try await task.value }
        let task = Task { try await make() }
        ids[key] = task
        return try await task.value
    }
}
