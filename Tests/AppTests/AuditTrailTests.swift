import App
import AppAPI
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import PostgresNIO
import Testing
import Trellis

/// Every mutation leaves an audit row and a change event in its own transaction, listed by
/// `GET /api/v1/audit-logs`; a sensitive field's value is in neither.
@Suite struct AuditTrailTests {
    /// Writes happen in Globex: Acme's seeded rows are counted by other tests.
    static let owner = Users.principal(.owner, in: "globex")
    static let secret = "the client's budget is 42k"

    static func rows(_ sql: PostgresQuery) async throws -> [String] {
        let (client, _) = try await TestEnvironment.shared.client()
        var values: [String] = []
        for try await value in try await client.query(sql, logger: TestEnvironment.shared.logger).decode(String.self) { values.append(value) }
        return values
    }

    @Test func createUpdateAndDeleteOfATaskAreAuditedWithTheFieldsTheyChanged() async throws {
        try await withApp { client, tokens in
            let project = try await client.request(
                .post, "/api/v1/projects", as: Self.owner, tokens: tokens, json: #"{"name": "Audited tasks", "slug": "audited-tasks"}"#
            )
            let projectID = try #require(try project.data["id"] as? String)
            let created = try await client.request(
                .post, "/api/v1/tasks", as: Self.owner, tokens: tokens,
                json: #"{"project_id": "\#(projectID)", "title": "Audited task", "notes": "\#(Self.secret)"}"#,
                headers: [.userAgent: "AuditTrailTests/1.0", HTTPField.Name("X-Request-ID")!: "audit-create-1"]
            )
            #expect(created.status == .created)
            let id = try #require(try created.data["id"] as? String)
            let changed = try await client.request(
                .patch, "/api/v1/tasks/\(id)", as: Self.owner, tokens: tokens,
                json: #"{"status": "doing", "notes": "\#(Self.secret), now 45k"}"#
            )
            #expect(changed.status == .ok)
            // A PATCH that changes nothing writes nothing, and so records nothing.
            #expect(try await client.request(.patch, "/api/v1/tasks/\(id)", as: Self.owner, tokens: tokens, json: #"{"status": "doing"}"#).status == .ok)
            #expect(try await client.request(.delete, "/api/v1/tasks/\(id)", as: Self.owner, tokens: tokens).status == .noContent)

            let listed = try await client.request(.get, "/api/v1/audit-logs?resource_type=task&resource_id=\(id)", as: Self.owner, tokens: tokens)
            #expect(listed.status == .ok)
            let entries = try #require(try listed.json["data"] as? [[String: Any]])
            #expect(entries.map { $0["action"] as? String } == ["task.deleted", "task.updated", "task.created"])
            #expect(entries.allSatisfy { $0["user_id"] as? String == Self.owner.userID.uuidString.lowercased() && $0["resource_id"] as? String == id })

            let createdChanges = try #require(entries[2]["changes"] as? [String: [String: Any]])
            #expect(createdChanges["title"]?["after"] as? String == "Audited task")
            #expect(createdChanges["title"]?["before"] == nil)
            #expect(createdChanges["status"]?["after"] as? String == "todo")
            #expect(createdChanges["notes"]?["changed"] as? Bool == true)
            #expect(createdChanges["notes"]?["after"] == nil)
            #expect(createdChanges["version"] == nil && createdChanges["updated_at"] == nil)
            #expect(entries[2]["user_agent"] as? String == "AuditTrailTests/1.0")
            #expect(entries[2]["request_id"] as? String == "audit-create-1")

            let updatedChanges = try #require(entries[1]["changes"] as? [String: [String: Any]])
            #expect(Set(updatedChanges.keys) == ["status", "notes"])
            #expect(updatedChanges["status"]?["before"] as? String == "todo")
            #expect(updatedChanges["status"]?["after"] as? String == "doing")
            #expect(updatedChanges["notes"]?["changed"] as? Bool == true)

            let deletedChanges = try #require(entries[0]["changes"] as? [String: [String: Any]])
            #expect(deletedChanges["title"]?["before"] as? String == "Audited task")
            #expect(deletedChanges["title"]?["after"] == nil)

            // The change events, in order, with the row as it became, the sensitive field left out.
            let events = try await Self.rows(
                "SELECT type || ' ' || (data->>'version') || ' ' || (data ? 'notes')::text FROM change_events WHERE resource_id = \(UUID(uuidString: id)!) ORDER BY id"
            )
            #expect(events == ["task.created 1 false", "task.updated 2 false", "task.deleted 2 false"])
            // The secret is nowhere in the audit trail or the outbox.
            let leaks = try await Self.rows(
                "SELECT 'audit' FROM audit_logs WHERE changes::text LIKE '%42k%' UNION ALL SELECT 'event' FROM change_events WHERE data::text LIKE '%42k%'"
            )
            #expect(leaks.isEmpty)
        }
    }

    @Test func onlyOwnersAndAdminsReadTheTrailAndFiltersAreChecked() async throws {
        try await withApp { client, tokens in
            let member = Users.principal(.member, in: "globex")
            #expect(try await client.request(.get, "/api/v1/audit-logs", as: member, tokens: tokens).status == .forbidden)
            #expect(try await client.request(.get, "/api/v1/audit-logs", tokens: tokens).status == .unauthorized)
            let admin = Users.principal(.admin, in: "globex")
            #expect(try await client.request(.get, "/api/v1/audit-logs?user_id=me&limit=5", as: admin, tokens: tokens).status == .ok)
            let unknown = try await client.request(.get, "/api/v1/audit-logs?actor=me", as: admin, tokens: tokens)
            #expect(unknown.status == .unprocessableContent)
            let badTime = try await client.request(.get, "/api/v1/audit-logs?created_at__gte=yesterday", as: admin, tokens: tokens)
            #expect(badTime.status == .unprocessableContent)
        }
    }

    @Test func anOrganizationSeesOnlyItsOwnTrail() async throws {
        try await withApp { client, tokens in
            let created = try await client.request(
                .post, "/api/v1/projects", as: Self.owner, tokens: tokens, json: #"{"name": "Audited in Globex", "slug": "audited-in-globex"}"#
            )
            let id = try #require(try created.data["id"] as? String)
            let acme = Users.principal(.owner, in: "acme")
            let listed = try await client.request(.get, "/api/v1/audit-logs?resource_id=\(id)", as: acme, tokens: tokens)
            #expect(listed.status == .ok)
            #expect(try (listed.json["data"] as? [Any])?.isEmpty == true)
        }
    }

    @Test func theTrailExportsAsCSVAndNDJSON() async throws {
        try await withApp { client, tokens in
            let created = try await client.request(
                .post, "/api/v1/projects", as: Self.owner, tokens: tokens, json: #"{"name": "Exported, \"quoted\"", "slug": "audit-exported"}"#,
                headers: [.userAgent: "=HYPERLINK(\"https://evil.example\")"]
            )
            let id = try #require(try created.data["id"] as? String)
            let csv = try await client.request(
                .get, "/api/v1/audit-logs?resource_id=\(id)", as: Self.owner, tokens: tokens, headers: [.accept: "text/csv"]
            )
            #expect(csv.status == .ok)
            #expect(csv.headers[.contentType] == "text/csv; charset=utf-8")
            let lines = csv.text.split(separator: "\r\n", omittingEmptySubsequences: true)
            #expect(lines.count == 2)
            #expect(lines.first?.hasPrefix("id,created_at,action,resource_type,resource_id,") == true)
            #expect(lines.last?.contains(",project.created,project,\(id),") == true)
            // A cell a spreadsheet would run as a formula is defused; quotes are doubled.
            #expect(lines.last?.contains(#""'=HYPERLINK(""https://evil.example"")""#) == true)

            let ndjson = try await client.request(
                .get, "/api/v1/audit-logs?resource_id=\(id)", as: Self.owner, tokens: tokens, headers: [.accept: "application/x-ndjson"]
            )
            #expect(ndjson.headers[.contentType] == "application/x-ndjson")
            let records = ndjson.text.split(separator: "\n").map { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            #expect(records.count == 1)
            #expect(records.first??["action"] as? String == "project.created")

            let limited = try await client.request(
                .get, "/api/v1/audit-logs?limit=5", as: Self.owner, tokens: tokens, headers: [.accept: "text/csv"]
            )
            #expect(limited.status == .unprocessableContent)
        }
    }

    /// Fails every create after its INSERT ran.
    struct FailingAfterCreate: ProjectHooks {
        func afterCreate(_ created: Project, context: HookContext) async throws {
            throw APIError(.conflict, "Refused after the write.")
        }
    }

    @Test func aRolledBackRequestLeavesNoRowAuditEventOrStoredAnswer() async throws {
        var hooks = GeneratedAPI.Hooks()
        hooks.project = FailingAfterCreate()
        try await withApp(.router, api: GeneratedAPI(hooks: hooks, actions: App.actions)) { client, tokens in
            let refused = try await client.request(
                .post, "/api/v1/projects", as: Self.owner, tokens: tokens, json: #"{"name": "Rolled back", "slug": "audit-rolled-back"}"#,
                headers: [.idempotencyKey: "rolled-back-1"]
            )
            #expect(refused.status == .conflict)
        }
        let left = try await Self.rows(
            """
            SELECT 'row' FROM projects WHERE slug = 'audit-rolled-back'
            UNION ALL SELECT 'audit' FROM audit_logs WHERE resource_type = 'project' AND changes->'slug'->>'after' = 'audit-rolled-back'
            UNION ALL SELECT 'event' FROM change_events WHERE data->>'slug' = 'audit-rolled-back'
            UNION ALL SELECT 'answer' FROM idempotency_keys WHERE key = 'rolled-back-1'
            """
        )
        #expect(left.isEmpty, "left behind: \(left)")
    }

    @Test func rowsPastTheRetentionAreSwept() async throws {
        let (database, _) = try await TestEnvironment.shared.client()
        let logger = TestEnvironment.shared.logger
        let old = UUID(uuidString: "0193a5c8-0000-7000-8000-0e0000000091")!
        let recent = UUID(uuidString: "0193a5c8-0000-7000-8000-0e0000000092")!
        try await database.query(
            """
            INSERT INTO audit_logs (id, action, resource_type, resource_id, created_at) VALUES
                (\(old), 'task.updated', 'task', \(old), now() - interval '91 days'),
                (\(recent), 'task.updated', 'task', \(recent), now() - interval '89 days')
            """,
            logger: logger
        )
        try await database.query(
            """
            INSERT INTO change_events (event_id, type, resource_type, resource_id, data, created_at) VALUES
                (\(old), 'task.updated', 'task', \(old), '{}', now() - interval '91 days'),
                (\(recent), 'task.updated', 'task', \(recent), '{}', now() - interval '89 days')
            """,
            logger: logger
        )
        let swept = try await RetentionSweeper(client: database, auditRetention: .seconds(90 * 86400), logger: logger).sweep()
        #expect(swept.auditLogs >= 1 && swept.changeEvents >= 1)
        let left = try await Self.rows(
            "SELECT 'audit ' || resource_id FROM audit_logs WHERE resource_id IN (\(old), \(recent)) UNION ALL SELECT 'event ' || resource_id FROM change_events WHERE resource_id IN (\(old), \(recent))"
        )
        #expect(Set(left) == ["audit \(recent.uuidString.lowercased())", "event \(recent.uuidString.lowercased())"])
    }

    /// An event whose transaction is still open holds back every later one, so a reader going by
    /// position never skips it; once it commits, both come, in transaction order.
    @Test func theOutboxNeverSkipsAnEventThatCommitsLate() async throws {
        let (database, logger, start) = try await Self.outboxEnd()
        let late = UUID(uuidString: "0193a5c8-0000-7000-8000-0e0000000093")!
        try await database.withConnection { open in
            try await open.query("BEGIN", logger: logger)
            try await open.query(
                "INSERT INTO change_events (event_id, type, resource_type, resource_id, data) VALUES (\(late), 'task.updated', 'task', \(late), '{}')",
                logger: logger
            )
            // A later transaction's event, committed while the first is still open.
            try await withApp { client, tokens in
                let created = try await client.request(
                    .post, "/api/v1/projects", as: Self.owner, tokens: tokens, json: #"{"name": "Outbox", "slug": "audit-outbox"}"#
                )
                #expect(created.status == .created)
                let id = try #require(UUID(uuidString: try created.data["id"] as? String ?? ""))
                let seen = try await ChangeEvents.committed(after: start, limit: 10000, on: database, logger: logger)
                #expect(!seen.contains { $0.resourceID == id || $0.resourceID == late }, "an event passed one still pending")
                try await open.query("COMMIT", logger: logger)
                // Other tests' transactions still open hold both back in turn (transaction ids are
                // the whole cluster's, so a scratch database's count too): wait up to 30 s for them.
                var after: [UUID] = []
                for _ in 0..<600 where !after.contains(id) {
                    after = try await ChangeEvents.committed(after: start, limit: 10000, on: database, logger: logger).map(\.resourceID)
                    if !after.contains(id) { try await Task.sleep(for: .milliseconds(50)) }
                }
                let lateIndex = try #require(after.firstIndex(of: late))
                let laterIndex = try #require(after.firstIndex(of: id))
                #expect(lateIndex < laterIndex)
            }
        }
    }

    /// The webhook dispatcher's two reads: where the next events sit and whose they are, then the
    /// data of only the organizations it names, up to a position the first read returned.
    @Test func aReaderFetchesTheEventsOfTheOrganizationsItNamesAndPassesTheRest() async throws {
        let (database, logger, start) = try await Self.outboxEnd()
        let subscribed = UUID(uuidString: "0193a5c8-0000-7000-8000-0e00000000a1")!
        let other = UUID(uuidString: "0193a5c8-0000-7000-8000-0e00000000a2")!
        let resources = (1...3).map { UUID(uuidString: "0193a5c8-0000-7000-8000-0e00000000b\($0)")! }
        try await database.withTransaction(logger: logger) { connection in
            for (resource, org) in zip(resources, [subscribed, other, subscribed]) {
                try await connection.query(
                    """
                    INSERT INTO change_events (event_id, type, org_id, resource_type, resource_id, data)
                    VALUES (\(UUID()), 'task.updated', \(org), 'task', \(resource), '{"title": "x"}')
                    """,
                    logger: logger
                )
            }
        }
        // Other tests' open transactions hold the events back for a while (see above).
        var entries: [(position: ChangeEvents.Position, orgID: UUID?)] = []
        for _ in 0..<600 where entries.filter({ $0.orgID == subscribed || $0.orgID == other }).count < 3 {
            entries = try await database.withConnection { try await ChangeEvents.entries(after: start, limit: 10000, on: $0, logger: logger) }
            try await Task.sleep(for: .milliseconds(50))
        }
        let ours = entries.filter { $0.orgID == subscribed || $0.orgID == other }
        #expect(ours.map(\.orgID) == [subscribed, other, subscribed])
        let last = try #require(ours.last?.position)
        let events = try await database.withConnection {
            try await ChangeEvents.committed(after: start, through: last, organizations: [subscribed], on: $0, logger: logger)
        }
        #expect(events.map(\.resourceID) == [resources[0], resources[2]], "only the named organization's events, in order")
        #expect(events.allSatisfy { $0.position <= last && start < $0.position })
        #expect(events.first?.data == ["title": "x"])
    }


    /// The test database's client and logger, and the position after every committed event.
    static func outboxEnd() async throws -> (PostgresClient, Logger, ChangeEvents.Position) {
        let (database, _) = try await TestEnvironment.shared.client()
        let logger = TestEnvironment.shared.logger
        var reached = ChangeEvents.Position.start
        while let last = try await ChangeEvents.committed(after: reached, limit: 1000, on: database, logger: logger).last { reached = last.position }
        return (database, logger, reached)
    }
}
