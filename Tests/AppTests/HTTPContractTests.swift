import App
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing
import Trellis

/// What every route does with a method it does not serve, a body that is not JSON or holds what
/// PostgreSQL cannot store, and a query parameter it does not know. Writes happen in Globex.
@Suite struct HTTPContractTests {
    /// A request with a raw body and the given Content-Type (none when nil).
    private func send(
        _ client: any TestClientProtocol, _ method: HTTPRequest.Method, _ uri: String, as principal: Principal, tokens: AccessTokens,
        body: String, contentType: String?
    ) async throws -> TestResponse {
        var headers: HTTPFields = [.authorization: "Bearer \(try await tokens.issue(for: principal))"]
        if let contentType { headers[.contentType] = contentType }
        return try await client.executeRequest(uri: uri, method: method, headers: headers, body: ByteBuffer(string: body))
    }

    private func details(_ response: TestResponse) throws -> [String: [String]]? {
        try response.error["details"] as? [String: [String]]
    }

    // MARK: NUL

    @Test func nulCharacterInABodyIs422NamingTheField() async throws {
        try await withApp { client, tokens in
            let member = Users.principal(.member, in: "globex")
            let nul = ["must not contain the NUL character"]
            let create = try await client.request(
                .post, "/api/v1/projects", as: member, tokens: tokens,
                json: #"{"name": "a\u0000b", "slug": "nul-name", "description": {"nested": ["x\u0000"]}, "colour": {"k\u0000": 1}}"#
            )
            #expect(create.status == .unprocessableContent)
            #expect(try create.error["code"] as? String == "validation_error")
            #expect(try details(create) == ["name": nul, "description": nul, "colour": nul])

            let created = try await client.request(.post, "/api/v1/projects", as: member, tokens: tokens, json: #"{"name":"Clean","slug":"nul-free"}"#)
            let id = try #require(try created.data["id"] as? String)
            let patch = try await client.request(.patch, "/api/v1/projects/\(id)", as: member, tokens: tokens, json: #"{"description":"\u0000"}"#)
            #expect(patch.status == .unprocessableContent)
            #expect(try details(patch) == ["description": nul])

            let login = try await client.request(
                .post, "/api/v1/auth/login", bearer: nil, json: #"{"email": "owner@acme.test\u0000", "password": "x"}"#,
                headers: [.xForwardedFor: "203.0.113.200"]
            )
            #expect(login.status == .unprocessableContent)
            #expect(try details(login) == ["email": nul])
        }
    }

    // MARK: Content-Type

    @Test func bodiesThatAreNotJSONAre415() async throws {
        try await withApp { client, tokens in
            let member = Users.principal(.member, in: "globex")
            let body = #"{"name": "Plain", "slug": "plain-text"}"#
            for contentType in ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", nil] as [String?] {
                let response = try await send(client, .post, "/api/v1/projects", as: member, tokens: tokens, body: body, contentType: contentType)
                #expect(response.status == .unsupportedMediaType, "\(contentType ?? "no Content-Type")")
                #expect(try response.error["code"] as? String == "unsupported_media_type")
                #expect(try response.error["message"] as? String == "The request body must be JSON: send Content-Type: application/json.")
            }
            let created = try await send(
                client, .post, "/api/v1/projects", as: member, tokens: tokens, body: body, contentType: "application/json; charset=UTF-8"
            )
            #expect(created.status == .created)
            let id = try #require(try created.data["id"] as? String)
            let patched = try await send(
                client, .patch, "/api/v1/projects/\(id)", as: member, tokens: tokens, body: #"{"name": "Merged"}"#,
                contentType: "application/merge-patch+json"
            )
            #expect(patched.status == .ok)
            let plainPatch = try await send(
                client, .patch, "/api/v1/projects/\(id)", as: member, tokens: tokens, body: #"{"name": "Plain"}"#, contentType: "text/plain"
            )
            #expect(plainPatch.status == .unsupportedMediaType)

            let login = try await client.executeRequest(
                uri: "/api/v1/auth/login", method: .post, headers: [.contentType: "text/plain", .xForwardedFor: "203.0.113.201"],
                body: ByteBuffer(string: #"{"email": "owner@acme.test", "password": "trellis demo password"}"#)
            )
            #expect(login.status == .unsupportedMediaType)
        }
    }

    // MARK: duplicate keys

    @Test func duplicateKeysAre400NamingTheKeyAndWhereItIs() async throws {
        try await withApp { client, tokens in
            let member = Users.principal(.member, in: "globex")
            let response = try await client.request(
                .post, "/api/v1/projects", as: member, tokens: tokens, json: #"{"name": "First", "slug": "twice", "name": "Second"}"#
            )
            #expect(response.status == .badRequest)
            #expect(try response.error["code"] as? String == "bad_request")
            #expect(try response.error["message"] as? String == #"The body has a duplicate key "name" (line 1, column 36)."#)

            let nested = try await client.request(
                .post, "/api/v1/auth/login", bearer: nil, json: "{\"email\": \"a@b.test\",\n \"password\": {\"x\": 1, \"\\u0078\": 2}}",
                headers: [.xForwardedFor: "203.0.113.202"]
            )
            #expect(nested.status == .badRequest)
            #expect(try nested.error["message"] as? String == #"The body has a duplicate key "x" (line 2, column 23)."#)
        }
    }

    // MARK: methods

    @Test func aMethodThePathDoesNotServeIs405WithAllow() async throws {
        try await withApp { client, tokens in
            let viewer = Users.principal(.viewer, in: "acme")
            let project = DemoData.projectID(1).uuidString.lowercased()
            let cases: [(HTTPRequest.Method, String, String)] = [
                (.put, "/api/v1/projects", "GET, POST"),
                (.delete, "/api/v1/projects", "GET, POST"),
                (.put, "/api/v1/projects/\(project)", "DELETE, GET, PATCH"),
                (.get, "/api/v1/projects/\(project)/restore", "POST"),
                (.put, "/api/v1/tasks/\(project)", "DELETE, GET, PATCH"),
                (.get, "/api/v1/auth/login", "POST"),
                (.get, "/api/v1/auth/logout", "DELETE"),
                (.post, "/api/v1/me", "GET"),
                (.put, "/api/v1/members/\(project)", "DELETE, PATCH"),
                (.put, "/api/v1/invitations/some-token", "DELETE, GET"),
                (.get, "/api/v1/invitations/some-token/accept", "POST"),
                (.patch, "/api/v1/api-keys", "GET, POST"),
                (.post, "/health", "GET"),
                (.post, "/ready", "GET"),
                (.delete, "/openapi.json", "GET"),
            ]
            for (method, path, allow) in cases {
                let response = try await client.request(method, path, as: viewer, tokens: tokens, headers: [.requestID: "trace-405"])
                #expect(response.status == .methodNotAllowed, "\(method) \(path)")
                #expect(response.headers[.allow] == allow, "\(method) \(path)")
                #expect(try response.error["code"] as? String == "method_not_allowed", "\(method) \(path)")
                #expect(try response.error["request_id"] as? String == "trace-405")
            }
            let archive = try await client.request(.get, "/api/v1/projects/\(project)/archive", as: viewer, tokens: tokens)
            #expect(archive.status == .methodNotAllowed && archive.headers[.allow] == "POST", "an action's path serves POST")
            for path in ["/nowhere", "/api/v1/projects/\(project)/publish", "/api/v1"] {
                let response = try await client.request(.get, path, as: viewer, tokens: tokens)
                #expect(response.status == .notFound, "\(path)")
                #expect(response.headers[.allow] == nil)
            }
        }
    }

    // MARK: query parameters

    @Test func unknownQueryParametersAre422() async throws {
        try await withApp { client, tokens in
            let viewer = Users.principal(.viewer, in: "acme")
            let unknown = ["is not a known query parameter"]
            // `slug` is a field, but not one the spec makes filterable.
            let filtered = try await client.request(.get, "/api/v1/projects?slug=launch", as: viewer, tokens: tokens)
            #expect(filtered.status == .unprocessableContent)
            #expect(try filtered.error["code"] as? String == "validation_error")
            #expect(try details(filtered) == ["slug": unknown])

            let several = try await client.request(.get, "/api/v1/tasks?limit=5&status=todo&assignee=me&estimate__gt=1&sort=title", as: viewer, tokens: tokens)
            #expect(try details(several) == ["assignee": unknown, "estimate__gt": unknown])
            #expect(try await client.request(.get, "/api/v1/projects?limit=5&sort=name&cursor=", as: viewer, tokens: tokens).status == .ok)

            let project = DemoData.projectID(1).uuidString.lowercased()
            // A read takes the includes its list takes, and nothing else.
            let read = try await client.request(.get, "/api/v1/projects/\(project)?include=tasks&expand=tasks", as: viewer, tokens: tokens)
            #expect(try details(read) == ["expand": unknown])
            let included = try await client.request(.get, "/api/v1/projects/\(project)?include=tasks", as: viewer, tokens: tokens)
            #expect(included.status == .ok)
            #expect(((try included.data["tasks"] as? [String: Any])?["data"] as? [Any])?.count == 4)

            let member = Users.principal(.member, in: "globex")
            let create = try await client.request(
                .post, "/api/v1/projects?dry_run=1", as: member, tokens: tokens, json: #"{"name":"Dry","slug":"dry-run"}"#
            )
            #expect(try details(create) == ["dry_run": unknown])
            let created = try await client.request(.post, "/api/v1/projects", as: member, tokens: tokens, json: #"{"name":"Dry","slug":"dry-run"}"#)
            #expect(created.status == .created, "the refused create stored nothing")
            let id = try #require(try created.data["id"] as? String)
            let owner = Users.principal(.owner, in: "globex")
            for (method, uri) in [(HTTPRequest.Method.patch, "/api/v1/projects/\(id)?x=1"), (.delete, "/api/v1/projects/\(id)?force=true")] {
                let response = try await client.request(method, uri, as: owner, tokens: tokens, json: method == .patch ? #"{"name":"X"}"# : nil)
                #expect(response.status == .unprocessableContent, "\(method) \(uri)")
            }
            #expect(try await client.request(.get, "/api/v1/projects/\(id)", as: owner, tokens: tokens).data["name"] as? String == "Dry")
            #expect(try await client.request(.delete, "/api/v1/projects/\(id)", as: owner, tokens: tokens).status == .noContent)
            let restore = try await client.request(.post, "/api/v1/projects/\(id)/restore?now=1", as: owner, tokens: tokens)
            #expect(try details(restore) == ["now": unknown])

            for uri in ["/api/v1/me?verbose=1", "/api/v1/members?role=admin", "/api/v1/api-keys?limit=5", "/api/v1/invitations?page=2"] {
                let response = try await client.request(.get, uri, as: owner, tokens: tokens)
                #expect(response.status == .unprocessableContent, "\(uri)")
            }
            let login = try await client.request(
                .post, "/api/v1/auth/login?next=/", bearer: nil, json: #"{"email": "owner@acme.test", "password": "x"}"#,
                headers: [.xForwardedFor: "203.0.113.203"]
            )
            #expect(try details(login) == ["next": unknown])
            let preview = try await client.request(.get, "/api/v1/invitations/no-such-token?lang=en", bearer: nil)
            #expect(preview.status == .unprocessableContent)

            for uri in ["/health?probe=1", "/ready?probe=1", "/openapi.json?v=2"] {
                #expect(try await client.request(.get, uri, tokens: tokens).status == .ok, "\(uri)")
            }
        }
    }
}
