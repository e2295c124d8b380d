import App
import AppAPI
import Foundation
import HummingbirdTesting
import Testing
import Trellis

@Suite struct OperationsTests {
    @Test func healthReadinessAndDocument() async throws {
        try await withApp { client, tokens in
            let health = try await client.request(.get, "/health", tokens: tokens)
            #expect(health.status == .ok)
            #expect(health.text == #"{"status":"ok"}"#)
            let ready = try await client.request(.get, "/ready", tokens: tokens)
            #expect(ready.status == .ok)
            let document = try await client.request(.get, "/openapi.json", tokens: tokens)
            #expect(document.status == .ok)
            #expect(try document.json["openapi"] as? String == "3.1.0")
        }
    }

    @Test func unknownRoutesAnswerTheEnvelopeAndEchoTheRequestID() async throws {
        try await withApp { client, tokens in
            let response = try await client.request(.get, "/nowhere", tokens: tokens, headers: [.requestID: "trace-123"])
            #expect(response.status == .notFound)
            #expect(response.headers[.requestID] == "trace-123")
            #expect(try response.error["request_id"] as? String == "trace-123")
            #expect(response.headers[.contentType] == "application/json; charset=utf-8")

            let generated = try await client.request(.get, "/health", tokens: tokens)
            #expect(generated.headers[.requestID]?.count == 36)
        }
    }

    @Test func servesOverARealSocket() async throws {
        try await withApp(.live) { client, tokens in
            let viewer = Users.principal(.viewer, in: "acme")
            let response = try await client.request(.get, "/api/v1/projects?limit=1", as: viewer, tokens: tokens)
            #expect(response.status == .ok)
            #expect(try (response.json["data"] as? [Any])?.count == 1)
        }
    }
}
