import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@testable import Trellis

/// What every JSON body and every query goes through before a handler sees it.
@Suite struct RequestBodyTests {
    // MARK: Content-Type

    @Test(arguments: [
        "application/json",
        "application/json; charset=utf-8",
        "Application/JSON",
        " application/json ;charset=UTF-8",
        "application/merge-patch+json",
        "application/vnd.api+json; charset=utf-8",
        "APPLICATION/PROBLEM+JSON",
    ])
    func acceptsJSONMediaTypes(contentType: String) {
        #expect(JSONMediaType.matches(contentType))
    }

    @Test(arguments: [
        nil, "", "text/plain", "text/plain; charset=utf-8", "text/json", "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x", "application/jsonx", "application/json-seq", "application/+json",
        "application/a/b+json", "application/a b+json", "application/json+xml", "application/json, text/plain",
        "text/plain; x=application/json", "application", "application/",
    ] as [String?])
    func refusesOtherMediaTypes(contentType: String?) {
        #expect(!JSONMediaType.matches(contentType))
    }

    // MARK: NUL

    @Test func findsTheNULCharacterAnywhereInAValue() {
        let nul = "a\u{0}b"
        #expect(JSONValue.string(nul).containsNUL)
        #expect(JSONValue.object([nul: .null]).containsNUL)
        #expect(JSONValue.array([.integer(1), .object(["a": .array([.string("x"), .string(nul)])])]).containsNUL)
        #expect(!JSONValue.string("a0b").containsNUL)
        #expect(!JSONValue.object(["a": .array([.string("x"), .null, .integer(0), .object(["": .bool(false)])])]).containsNUL)
        #expect(!JSONValue.integer(0).containsNUL)
    }

    // MARK: through a router

    /// A router whose `POST /body` echoes the body's keys and whose `GET /page` accepts `limit`.
    private func withRouter(_ body: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let router = Router(context: TrellisRequestContext.self)
        router.add(middleware: ErrorMiddleware())
        router.post("/body") { request, context in
            let object = try await request.jsonObject(context: context)
            return object.keys.sorted().joined(separator: ",")
        }
        router.get("/page") { request, _ in
            try request.rejectUnknownQueryParameters(accepting: ["limit"])
            return "ok"
        }
        try await Application(router: router).test(.router) { client in try await body(client) }
    }

    private func post(_ client: any TestClientProtocol, _ body: String, contentType: String? = "application/json") async throws
        -> TestResponse
    {
        var headers = HTTPFields()
        if let contentType { headers[.contentType] = contentType }
        return try await client.executeRequest(uri: "/body", method: .post, headers: headers, body: ByteBuffer(string: body))
    }

    @Test func nulCharacterIs422NamingTheTopLevelKey() async throws {
        try await withRouter { client in
            let response = try await post(
                client, #"{"plain": "a\u0000b", "nested": {"list": [1, {"deep": "\u0000"}]}, "key": {"k\u0000": 1}, "fine": "x"}"#
            )
            #expect(response.status == .unprocessableContent)
            let error = try response.error
            #expect(error["code"] as? String == "validation_error")
            let nul = ["must not contain the NUL character"]
            #expect(error["details"] as? [String: [String]] == ["plain": nul, "nested": nul, "key": nul])

            let clean = try await post(client, #"{"a": "\u0001", "b": "\\u0000"}"#)  // an escaped backslash is no NUL
            #expect(clean.status == .ok)
            #expect(String(buffer: clean.body) == "a,b")
        }
    }

    @Test func bodiesThatAreNotLabelledJSONAre415() async throws {
        try await withRouter { client in
            for contentType in ["text/plain", "application/x-www-form-urlencoded", nil] as [String?] {
                let response = try await post(client, #"{"a": 1}"#, contentType: contentType)
                #expect(response.status == .unsupportedMediaType, "\(contentType ?? "no Content-Type")")
                let error = try response.error
                #expect(error["code"] as? String == "unsupported_media_type")
                #expect(error["message"] as? String == "The request body must be JSON: send Content-Type: application/json.")
            }
            for contentType in ["application/json; charset=utf-8", "application/merge-patch+json"] {
                #expect(try await post(client, #"{"a": 1}"#, contentType: contentType).status == .ok)
            }
        }
    }

    @Test func duplicateKeyIs400NamingTheKeyAndWhereItIs() async throws {
        try await withRouter { client in
            let response = try await post(client, "{\n  \"a\": {\"b\": 1, \"\\u0062\": 2}\n}")
            #expect(response.status == .badRequest)
            let error = try response.error
            #expect(error["code"] as? String == "bad_request")
            #expect(error["message"] as? String == #"The body has a duplicate key "b" (line 2, column 17)."#)

            let syntax = try await post(client, #"{"a": 1,}"#)
            #expect(try syntax.error["message"] as? String == "The body is not valid JSON (line 1, column 9).")
        }
    }

    @Test func unknownQueryParametersAre422ListingEachOne() async throws {
        try await withRouter { client in
            let response = try await client.executeRequest(uri: "/page?limit=2&status=on_hold&sort=x&flag", method: .get, headers: [:], body: nil)
            #expect(response.status == .unprocessableContent)
            let unknown = ["is not a known query parameter"]
            #expect(try response.error["details"] as? [String: [String]] == ["status": unknown, "sort": unknown, "flag": unknown])

            for uri in ["/page", "/page?", "/page?limit=2", "/page?limit=2&"] {
                #expect(try await client.executeRequest(uri: uri, method: .get, headers: [:], body: nil).status == .ok, "\(uri)")
            }
        }
    }
}
