import App
import Foundation
import HummingbirdTesting
import Testing
import Trellis

@Suite struct TasksAndCommentsTests {
    private func makeProject(_ client: any TestClientProtocol, _ tokens: AccessTokens, slug: String) async throws -> String {
        let owner = Users.principal(.owner, in: "globex")
        let response = try await client.request(
            .post, "/api/v1/projects", as: owner, tokens: tokens, json: #"{"name":"Tasks home","slug":"\#(slug)"}"#
        )
        return try #require(try response.data["id"] as? String)
    }

    @Test func assigneeMustBeAMemberOfTheOrganization() async throws {
        try await withApp { client, tokens in
            let project = try await makeProject(client, tokens, slug: "assignees")
            let member = Users.principal(.member, in: "globex")
            let outsider = Users.user(.member, in: "acme").id.uuidString.lowercased()
            let insider = Users.user(.viewer, in: "globex").id.uuidString.lowercased()

            let rejected = try await client.request(
                .post, "/api/v1/tasks", as: member, tokens: tokens,
                json: #"{"project_id":"\#(project)","title":"Write docs","assignee_id":"\#(outsider)"}"#
            )
            #expect(rejected.status == .unprocessableContent)
            #expect(try (rejected.error["details"] as? [String: [String]])?["assignee_id"] == ["must be a member of this organization"])

            let accepted = try await client.request(
                .post, "/api/v1/tasks", as: member, tokens: tokens,
                json: #"{"project_id":"\#(project)","title":"Write docs","assignee_id":"\#(insider)","due_on":"2026-12-01","estimate":"2.50"}"#
            )
            #expect(accepted.status == .created)
            let task = try accepted.data
            #expect(task["status"] as? String == "todo")
            #expect(task["priority"] as? String == "medium")
            #expect(task["due_on"] as? String == "2026-12-01")
            #expect(task["estimate"] as? String == "2.50")

            let id = try #require(task["id"] as? String)
            let reassigned = try await client.request(
                .patch, "/api/v1/tasks/\(id)", as: member, tokens: tokens, json: #"{"assignee_id":"\#(outsider)"}"#
            )
            #expect(reassigned.status == .unprocessableContent)
        }
    }

    @Test func referencesStayInsideTheOrganization() async throws {
        try await withApp { client, tokens in
            let member = Users.principal(.member, in: "globex")
            let acmeProject = DemoData.projectID(2).uuidString.lowercased()
            let response = try await client.request(
                .post, "/api/v1/tasks", as: member, tokens: tokens, json: #"{"project_id":"\#(acmeProject)","title":"Sneak in"}"#
            )
            #expect(response.status == .unprocessableContent)
            #expect(try (response.error["details"] as? [String: [String]])?["project_id"] == ["does not exist"])
        }
    }

    @Test func commentAuthorComesFromThePrincipal() async throws {
        try await withApp { client, tokens in
            let project = try await makeProject(client, tokens, slug: "comments")
            let member = Users.principal(.member, in: "globex")
            let task = try await client.request(
                .post, "/api/v1/tasks", as: member, tokens: tokens, json: #"{"project_id":"\#(project)","title":"Discuss"}"#
            )
            let taskID = try #require(try task.data["id"] as? String)

            let forged = try await client.request(
                .post, "/api/v1/comments", as: member, tokens: tokens,
                json: #"{"task_id":"\#(taskID)","body":"Hi","author_id":"\#(Users.user(.owner, in: "globex").id.uuidString)"}"#
            )
            #expect(forged.status == .unprocessableContent)
            #expect(try (forged.error["details"] as? [String: [String]])?["author_id"] == ["is set by the server and cannot be written"])

            let comment = try await client.request(
                .post, "/api/v1/comments", as: member, tokens: tokens, json: #"{"task_id":"\#(taskID)","body":"Looks good"}"#
            )
            #expect(comment.status == .created)
            #expect(try comment.data["author_id"] as? String == member.userID.uuidString.lowercased())
        }
    }
}
