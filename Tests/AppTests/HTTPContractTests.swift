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
