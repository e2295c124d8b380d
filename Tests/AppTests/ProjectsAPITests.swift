import App
import Foundation
import HummingbirdTesting
import Testing
import Trellis

/// The walking skeleton end to end, in process, against the real PostgreSQL.
/// Acme is read-only here (its 45 seeded projects are listed); writes happen in Globex.
@Suite struct ProjectsAPITests {
    @Test func createThenReadRoundTrips() async throws {
        try await withApp { client, tokens in
            let member = Users.principal(.member, in: "globex")
            let created = try await client.request(
                .post, "/api/v1/projects", as: member, tokens: tokens,
                json: #"{"name": "Round trip", "slug": "round-trip", "description": "Made by a test"}"#
            )
            #expect(created.status == .created)
            let data = try created.data
            let id = try #require(data["id"] as? String)
            #expect(data["name"] as? String == "Round trip")
            #expect(data["status"] as? String == "active")
            #expect(data["org_id"] == nil)
            #expect(created.headers[.location] == "/api/v1/projects/\(id)")

            let read = try await client.request(.get, "/api/v1/projects/\(id)", as: member, tokens: tokens)
            #expect(read.status == .ok)
            #expect(try read.data["slug"] as? String == "round-trip")
            #expect(try read.data["created_at"] as? String == data["created_at"] as? String)
        }
    }

    @Test func listsSeededProjectsInStablePages() async throws {
        try await withApp { client, tokens in
            let viewer = Users.principal(.viewer, in: "acme")
            var seen: [String] = []
            var sizes: [Int] = []
            var uri = "/api/v1/projects?limit=20"
            while true {
                let response = try await client.request(.get, uri, as: viewer, tokens: tokens)
                #expect(response.status == .ok)
                let json = try response.json
                let items = try #require(json["data"] as? [[String: Any]])
                let meta = try #require(json["meta"] as? [String: Any])
                #expect(meta["limit"] as? Int == 20)
                sizes.append(items.count)
                seen += items.compactMap { $0["name"] as? String }
                guard meta["has_more"] as? Bool == true, let cursor = meta["next_cursor"] as? String else {
                    #expect(meta["next_cursor"] is NSNull)
                    break
                }
                uri = "/api/v1/projects?limit=20&cursor=\(cursor)"
            }
            #expect(sizes == [20, 20, 5])
            #expect(Set(seen).count == 45)
            #expect(seen.first == "Project 45")  // newest first
            #expect(seen.last == "Project 01")
        }
    }

    @Test func sortsByAllowedKeysOnly() async throws {
        try await withApp { client, tokens in
            let viewer = Users.principal(.viewer, in: "acme")
            let ascending = try await client.request(.get, "/api/v1/projects?sort=name&limit=2", as: viewer, tokens: tokens)
            let names = try (ascending.json["data"] as? [[String: Any]])?.compactMap { $0["name"] as? String }
            #expect(names == ["Project 01", "Project 02"])

            let bad = try await client.request(.get, "/api/v1/projects?sort=slug", as: viewer, tokens: tokens)
            #expect(bad.status == .unprocessableContent)
            #expect(try (bad.error["details"] as? [String: [String]])?["sort"] != nil)
        }
    }

    @Test func limitOutsideRangeIsRejectedAndBadCursorGivesEmptyPage() async throws {
        try await withApp { client, tokens in
            let viewer = Users.principal(.viewer, in: "acme")
            for limit in ["0", "101", "ten"] {
                let response = try await client.request(.get, "/api/v1/projects?limit=\(limit)", as: viewer, tokens: tokens)
                #expect(response.status == .unprocessableContent)
                #expect(try response.error["code"] as? String == "validation_error")
            }
            let response = try await client.request(.get, "/api/v1/projects?cursor=not-a-cursor", as: viewer, tokens: tokens)
            #expect(response.status == .ok)
            #expect(try (response.json["data"] as? [Any])?.isEmpty == true)

            // Well-formed cursors whose value PostgreSQL refuses for the sort column are unusable too.
            let newest = SortOrder(key: "created_at", descending: true)
            let someID = UUID(uuidString: "0193a5c8-0000-7000-8000-0000000000c5")!
            for value in ["not a time", "2026-01-31T09:30:00Z\u{0}", "a\u{0}b"] {
                let cursor = Cursor(sort: newest, value: value, id: someID).encoded
                let page = try await client.request(.get, "/api/v1/projects?cursor=\(cursor)", as: viewer, tokens: tokens)
                #expect(page.status == .ok, "cursor value \(value.debugDescription): \(page.text)")
                #expect(try (page.json["data"] as? [Any])?.isEmpty == true)
            }
        }
    }

    @Test func anotherOrganizationSeesNothing() async throws {
        try await withApp { client, tokens in
            let acmeProject = DemoData.projectID(1).uuidString.lowercased()
            let globex = Users.principal(.owner, in: "globex")
            let read = try await client.request(.get, "/api/v1/projects/\(acmeProject)", as: globex, tokens: tokens)
            #expect(read.status == .notFound)
            #expect(try read.error["code"] as? String == "not_found")

            let patch = try await client.request(.patch, "/api/v1/projects/\(acmeProject)", as: globex, tokens: tokens, json: #"{"name":"x"}"#)
            #expect(patch.status == .notFound)
            let delete = try await client.request(.delete, "/api/v1/projects/\(acmeProject)", as: globex, tokens: tokens)
            #expect(delete.status == .notFound)

            let initech = Principal(userID: TestEnvironment.emptyOrganizationOwner, orgID: TestEnvironment.emptyOrganization, role: .owner)
            let list = try await client.request(.get, "/api/v1/projects", as: initech, tokens: tokens)
            #expect(list.status == .ok)
            #expect(try (list.json["data"] as? [Any])?.isEmpty == true)
            #expect(try (list.json["meta"] as? [String: Any])?["has_more"] as? Bool == false)
        }
    }

    @Test func rolesAreEnforced() async throws {
        try await withApp { client, tokens in
            let viewer = Users.principal(.viewer, in: "globex")
            let post = try await client.request(.post, "/api/v1/projects", as: viewer, tokens: tokens, json: #"{"name":"No","slug":"no"}"#)
            #expect(post.status == .forbidden)
            #expect(try post.error["code"] as? String == "forbidden")

            let anonymous = try await client.request(.get, "/api/v1/projects", tokens: tokens)
            #expect(anonymous.status == .unauthorized)
            #expect(anonymous.headers[.wwwAuthenticate] == "Bearer")

            let garbage = try await client.request(.get, "/api/v1/projects", tokens: tokens, headers: [.authorization: "Bearer not.a.jwt"])
            #expect(garbage.status == .unauthorized)
        }
    }

    @Test func serverOwnedAndUnknownFieldsAreRejected() async throws {
        try await withApp { client, tokens in
            let member = Users.principal(.member, in: "globex")
            let withOrg = try await client.request(
                .post, "/api/v1/projects", as: member, tokens: tokens,
                json: #"{"name":"Sneaky","slug":"sneaky","org_id":"0193a5c8-0000-7000-8000-0a0000000001"}"#
            )
            #expect(withOrg.status == .unprocessableContent)
            #expect(try (withOrg.error["details"] as? [String: [String]])?["org_id"] == ["is set by the server and cannot be written"])

            let unknown = try await client.request(
                .post, "/api/v1/projects", as: member, tokens: tokens, json: #"{"name":"Extra","slug":"extra","colour":"red"}"#
            )
            #expect(unknown.status == .unprocessableContent)
            #expect(try (unknown.error["details"] as? [String: [String]])?["colour"] == ["is not a known field"])
        }
    }

    @Test func validationListsEveryProblem() async throws {
        try await withApp { client, tokens in
            let member = Users.principal(.member, in: "globex")
            let response = try await client.request(
                .post, "/api/v1/projects", as: member, tokens: tokens,
                json: #"{"name": "", "slug": "Not A Slug", "status": "lost", "description": 7}"#
            )
            #expect(response.status == .unprocessableContent)
            let error = try response.error
            #expect(error["code"] as? String == "validation_error")
            #expect(error["request_id"] as? String != nil)
            #expect(
                error["details"] as? [String: [String]] == [
                    "name": ["can't be blank"],
                    "slug": ["must be lowercase letters, digits and single hyphens"],
                    // A member may not set a project's status at all (write_roles), and this value is none of them.
                    "status": ["may be set only by owner, admin", "must be one of: active, on_hold, archived"],
                    "description": ["must be a string"],
                ]
            )
            let missing = try await client.request(.post, "/api/v1/projects", as: member, tokens: tokens, json: "{}")
            #expect(try (missing.error["details"] as? [String: [String]]) == ["name": ["is required"], "slug": ["is required"]])
        }
    }

    @Test func malformedAndOversizedBodies() async throws {
        try await withApp { client, tokens in
            let member = Users.principal(.member, in: "globex")
            let malformed = try await client.request(.post, "/api/v1/projects", as: member, tokens: tokens, json: #"{"name": "#)
            #expect(malformed.status == .badRequest)
            #expect(try malformed.error["code"] as? String == "bad_request")

            let array = try await client.request(.post, "/api/v1/projects", as: member, tokens: tokens, json: "[1, 2]")
            #expect(array.status == .unprocessableContent)

            let huge = #"{"name": ""# + String(repeating: "a", count: 1_100_000) + #""}"#
            let tooLarge = try await client.request(.post, "/api/v1/projects", as: member, tokens: tokens, json: huge)
            #expect(tooLarge.status == .contentTooLarge)
            #expect(try tooLarge.error["code"] as? String == "payload_too_large")
        }
    }

    @Test func patchChangesOnlyWhatIsSentAndNullClears() async throws {
        try await withApp { client, tokens in
            let admin = Users.principal(.admin, in: "globex")
            let created = try await client.request(
                .post, "/api/v1/projects", as: admin, tokens: tokens, json: #"{"name":"Patchable","slug":"patchable","description":"old"}"#
            )
            let id = try #require(try created.data["id"] as? String)

            let renamed = try await client.request(.patch, "/api/v1/projects/\(id)", as: admin, tokens: tokens, json: #"{"name":"Renamed"}"#)
            #expect(renamed.status == .ok)
            #expect(try renamed.data["name"] as? String == "Renamed")
            #expect(try renamed.data["description"] as? String == "old")

            let cleared = try await client.request(.patch, "/api/v1/projects/\(id)", as: admin, tokens: tokens, json: #"{"description":null}"#)
            #expect(try cleared.data["description"] is NSNull)

            let notNullable = try await client.request(.patch, "/api/v1/projects/\(id)", as: admin, tokens: tokens, json: #"{"name":null}"#)
            #expect(notNullable.status == .unprocessableContent)

            let immutable = try await client.request(.patch, "/api/v1/projects/\(id)", as: admin, tokens: tokens, json: #"{"slug":"other"}"#)
            #expect(immutable.status == .unprocessableContent)
            #expect(try (immutable.error["details"] as? [String: [String]])?["slug"] == ["cannot be changed after creation"])
        }
    }

    @Test func uniqueSlugIsPerOrganization() async throws {
        try await withApp { client, tokens in
            let owner = Users.principal(.owner, in: "globex")
            let body = #"{"name":"Twin","slug":"project-01"}"#  // Acme has project-01 too: other orgs don't count
            let first = try await client.request(.post, "/api/v1/projects", as: owner, tokens: tokens, json: body)
            #expect(first.status == .created)
            let second = try await client.request(.post, "/api/v1/projects", as: owner, tokens: tokens, json: body)
            #expect(second.status == .unprocessableContent)
            #expect(try second.error["code"] as? String == "validation_error")
            #expect(try (second.error["details"] as? [String: [String]])?["slug"] == ["is already taken"])
        }
    }

    @Test func deleteHidesAndRestoreBringsBack() async throws {
        try await withApp { client, tokens in
            let owner = Users.principal(.owner, in: "globex")
            let created = try await client.request(.post, "/api/v1/projects", as: owner, tokens: tokens, json: #"{"name":"Doomed","slug":"doomed"}"#)
            let id = try #require(try created.data["id"] as? String)

            let member = Users.principal(.member, in: "globex")
            #expect(try await client.request(.delete, "/api/v1/projects/\(id)", as: member, tokens: tokens).status == .forbidden)

            let deleted = try await client.request(.delete, "/api/v1/projects/\(id)", as: owner, tokens: tokens)
            #expect(deleted.status == .noContent)
            #expect(try await client.request(.get, "/api/v1/projects/\(id)", as: owner, tokens: tokens).status == .notFound)
            #expect(try await client.request(.delete, "/api/v1/projects/\(id)", as: owner, tokens: tokens).status == .notFound)

            let restored = try await client.request(.post, "/api/v1/projects/\(id)/restore", as: owner, tokens: tokens)
            #expect(restored.status == .ok)
            #expect(try await client.request(.get, "/api/v1/projects/\(id)", as: owner, tokens: tokens).status == .ok)
        }
    }
}
