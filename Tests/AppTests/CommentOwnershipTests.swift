import App
import AppAPI
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import Trellis

/// Comments belong to their authors: a member changes and deletes only their own (`{ member: own }`),
/// admins and owners any.
@Suite struct CommentOwnershipTests {
    /// Writes happen in Globex: Acme's seeded rows are counted by other tests.
    static let member = Users.principal(.member, in: "globex")
    static let admin = Users.principal(.admin, in: "globex")

    @Test func aMemberEditsTheirOwnCommentAndNotAnothersAnAdminEditsBoth() async throws {
        try await withApp { client, tokens in
            let project = try await client.request(
                .post, "/api/v1/projects", as: Self.admin, tokens: tokens, json: #"{"name": "Discussed", "slug": "comment-ownership"}"#
            )
            let projectID = try #require(try project.data["id"] as? String)
            let task = try await client.request(
                .post, "/api/v1/tasks", as: Self.admin, tokens: tokens, json: #"{"project_id": "\#(projectID)", "title": "Talked about"}"#
            )
            let taskID = try #require(try task.data["id"] as? String)
            var comments: [String: String] = [:]
            for (who, principal) in [("member", Self.member), ("admin", Self.admin)] {
                let comment = try await client.request(
                    .post, "/api/v1/comments", as: principal, tokens: tokens, json: #"{"task_id": "\#(taskID)", "body": "By the \#(who)"}"#
                )
                #expect(comment.status == .created)
                comments[who] = try #require(try comment.data["id"] as? String)
            }
            let mine = try #require(comments["member"])
            let theirs = try #require(comments["admin"])

            let own = try await client.request(.patch, "/api/v1/comments/\(mine)", as: Self.member, tokens: tokens, json: #"{"body": "Edited"}"#)
            #expect(own.status == .ok)
            // Members read every comment, so the row is no secret: 403 says why the edit failed.
            let other = try await client.request(.patch, "/api/v1/comments/\(theirs)", as: Self.member, tokens: tokens, json: #"{"body": "Hijacked"}"#)
            #expect(other.status == .forbidden)
            #expect(try await client.request(.get, "/api/v1/comments/\(theirs)", as: Self.member, tokens: tokens).data["body"] as? String == "By the admin")
            #expect(try await client.request(.delete, "/api/v1/comments/\(theirs)", as: Self.member, tokens: tokens).status == .forbidden)

            for id in [mine, theirs] {
                let edited = try await client.request(.patch, "/api/v1/comments/\(id)", as: Self.admin, tokens: tokens, json: #"{"body": "Moderated"}"#)
                #expect(edited.status == .ok)
            }
            #expect(try await client.request(.delete, "/api/v1/comments/\(mine)", as: Self.member, tokens: tokens).status == .noContent)
        }
    }
}
