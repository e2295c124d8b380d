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
}
