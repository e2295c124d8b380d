import App
import AppAPI
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import PostgresNIO
import Testing
import Trellis

/// The example app's custom action, `POST /api/v1/projects/{id}/archive`: the project and its open
/// tasks change in one transaction, and every change is audited.
@Suite struct ProjectArchiveTests {
    /// Writes happen in Globex: Acme's seeded rows are counted by other tests.
    static let owner = Users.principal(.owner, in: "globex")
    static let admin = Users.principal(.admin, in: "globex")

    @Test func archivingMovesOpenTasksToDoneAndAuditsEveryChange() async throws {
        try await withApp { client, tokens in
            let project = try await client.request(
                .post, "/api/v1/projects", as: Self.owner, tokens: tokens, json: #"{"name": "To archive", "slug": "archive-me"}"#
            )
            let projectID = try #require(try project.data["id"] as? String)
            var taskIDs: [String: String] = [:]
            for status in ["todo", "doing", "done"] {
                let task = try await client.request(
                    .post, "/api/v1/tasks", as: Self.owner, tokens: tokens,
                    json: #"{"project_id": "\#(projectID)", "title": "A \#(status) task", "status": "\#(status)"}"#
                )
                taskIDs[status] = try #require(try task.data["id"] as? String)
            }
            let todo = try #require(taskIDs["todo"])
            #expect(try await client.request(.patch, "/api/v1/tasks/\(todo)", as: Self.owner, tokens: tokens, json: #"{"title": "Renamed"}"#).status == .ok)

            let member = Users.principal(.member, in: "globex")
            let refused = try await client.request(.post, "/api/v1/projects/\(projectID)/archive", as: member, tokens: tokens)
            #expect(refused.status == .forbidden)
            let stale = try await client.request(
                .post, "/api/v1/projects/\(projectID)/archive", as: Self.admin, tokens: tokens, headers: [.ifMatch: "\"9\""]
            )
            #expect(stale.status == .preconditionFailed)

            let archived = try await client.request(
                .post, "/api/v1/projects/\(projectID)/archive", as: Self.admin, tokens: tokens, json: #"{"reason": "Shipped"}"#,
                headers: [HTTPField.Name("X-Request-ID")!: "archive-1"]
            )
            #expect(archived.status == .ok)
            #expect(try archived.data["status"] as? String == "archived")
            #expect(archived.headers[.eTag] == "\"2\"")
            for (status, id) in taskIDs {
                let task = try await client.request(.get, "/api/v1/tasks/\(id)", as: Self.owner, tokens: tokens)
                #expect(try task.data["status"] as? String == "done", "the \(status) task")
            }

            #expect(try await client.request(.delete, "/api/v1/tasks/\(todo)", as: Self.owner, tokens: tokens).status == .noContent)
            let trail = try await client.request(.get, "/api/v1/audit-logs?resource_type=task&resource_id=\(todo)&sort=created_at", as: Self.owner, tokens: tokens)
            let entries = try #require(try trail.json["data"] as? [[String: Any]])
            #expect(entries.map { $0["action"] as? String } == ["task.created", "task.updated", "task.updated", "task.deleted"])
            let moved = try #require(entries[2]["changes"] as? [String: [String: Any]])
            #expect(moved["status"]?["before"] as? String == "todo" && moved["status"]?["after"] as? String == "done")
            #expect(Set(moved.keys) == ["status"])
            #expect(entries[2]["request_id"] as? String == "archive-1")
            #expect(entries[2]["user_id"] as? String == Self.admin.userID.uuidString.lowercased())

            let projectTrail = try await client.request(
                .get, "/api/v1/audit-logs?resource_id=\(projectID)&action=project.archive", as: Self.owner, tokens: tokens
            )
            let archive = try #require((try projectTrail.json["data"] as? [[String: Any]])?.first)
            let changes = try #require(archive["changes"] as? [String: [String: Any]])
            #expect(changes["status"]?["before"] as? String == "active" && changes["status"]?["after"] as? String == "archived")
            #expect((archive["details"] as? [String: [String: Any]])?["input"]?["reason"] as? String == "Shipped")

            // The task that was done already is not touched, so not audited by the archive.
            let doneID = try #require(taskIDs["done"])
            let doneTrail = try await client.request(.get, "/api/v1/audit-logs?resource_id=\(doneID)", as: Self.owner, tokens: tokens)
            #expect((try doneTrail.json["data"] as? [[String: Any]])?.map { $0["action"] as? String } == ["task.created"])
            // Each task moved emitted its change event, in the archive's transaction.
            let (database, _) = try await TestEnvironment.shared.client()
            let doingID = try #require(taskIDs["doing"])
            let doing = try #require(UUID(uuidString: doingID))
            var events: [String] = []
            for try await (type, status) in try await database.query(
                "SELECT type, data->>'status' FROM change_events WHERE resource_id = \(doing) ORDER BY id", logger: TestEnvironment.shared.logger
            ).decode((String, String).self) { events.append("\(type) \(status)") }
            #expect(events == ["task.created doing", "task.updated done"])

            // Archiving again changes nothing and is still answered (and audited).
            let again = try await client.request(.post, "/api/v1/projects/\(projectID)/archive", as: Self.admin, tokens: tokens)
            #expect(again.status == .ok)
            #expect(again.headers[.eTag] == "\"2\"")
        }
    }

    /// Archives, then fails: nothing of it stays.
    struct ArchivingThenFailing: ProjectActions {
        func archive(_ project: inout Project, input: ProjectArchiveInput, context: ActionContext) async throws {
            try await ProjectArchiving().archive(&project, input: input, context: context)
            throw APIError(.conflict, "Refused after moving the tasks.")
        }
    }

    @Test func aFailedArchiveLeavesTheProjectAndItsTasksAsTheyWere() async throws {
        let api = GeneratedAPI(hooks: App.hooks, actions: GeneratedAPI.Actions(project: ArchivingThenFailing()))
        try await withApp(.router, api: api) { client, tokens in
            let project = try await client.request(
                .post, "/api/v1/projects", as: Self.owner, tokens: tokens, json: #"{"name": "Not archived", "slug": "archive-fails"}"#
            )
            let projectID = try #require(try project.data["id"] as? String)
            let task = try await client.request(
                .post, "/api/v1/tasks", as: Self.owner, tokens: tokens, json: #"{"project_id": "\#(projectID)", "title": "Still open"}"#
            )
            let taskID = try #require(try task.data["id"] as? String)
            let failed = try await client.request(
                .post, "/api/v1/projects/\(projectID)/archive", as: Self.admin, tokens: tokens, headers: [.idempotencyKey: "archive-fails-1"]
            )
            #expect(failed.status == .conflict)
            #expect(try await client.request(.get, "/api/v1/projects/\(projectID)", as: Self.owner, tokens: tokens).data["status"] as? String == "active")
            #expect(try await client.request(.get, "/api/v1/tasks/\(taskID)", as: Self.owner, tokens: tokens).data["status"] as? String == "todo")
            let trail = try await client.request(.get, "/api/v1/audit-logs?resource_id=\(taskID)", as: Self.owner, tokens: tokens)
            #expect((try trail.json["data"] as? [[String: Any]])?.count == 1, "only task.created")
        }
    }

    @Test func membersCannotArchiveThroughAPatch() async throws {
        try await withApp { client, tokens in
            let project = try await client.request(
                .post, "/api/v1/projects", as: Self.owner, tokens: tokens, json: #"{"name": "Kept open", "slug": "archive-patch"}"#
            )
            let projectID = try #require(try project.data["id"] as? String)
            let member = Users.principal(.member, in: "globex")
            let patched = try await client.request(.patch, "/api/v1/projects/\(projectID)", as: member, tokens: tokens, json: #"{"status": "archived"}"#)
            #expect(patched.status == .unprocessableContent)
            #expect((try patched.error["details"] as? [String: [String]])?["status"] != nil)
        }
    }
}
