import App
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOConcurrencyHelpers
import NIOCore
import Testing
import Trellis

/// What an operator sees: JSON log lines with the request id and the caller, Prometheus metrics
/// behind a token, CORS for the allowed origins only, and the security headers.
@Suite struct ObservabilityTests {
    final class Lines: Sendable {
        private let lines = NIOLockedValueBox<[String]>([])
        func append(_ buffer: ByteBuffer) { lines.withLockedValue { $0.append(String(buffer: buffer)) } }
        var all: [String] { lines.withLockedValue { $0 } }
    }

    static func object(_ line: String) -> [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
    }

    @Test func everyLogLineIsOneJSONObjectAndARequestLineNamesTheCaller() async throws {
        let lines = Lines()
        let logger = Logger(label: "trellis") { label in JSONLogHandler(label: label, level: .info) { lines.append($0) } }
        let viewer = Users.principal(.viewer, in: "acme")
        try await withApp(logger: logger) { client, tokens in
            _ = try await client.request(.get, "/health", tokens: tokens, headers: [.requestID: "log-health"])
            let list = try await client.request(.get, "/api/v1/projects?limit=1", as: viewer, tokens: tokens, headers: [.requestID: "log-list"])
            let id = try #require(((list.json["data"] as? [[String: Any]])?.first)?["id"] as? String)
            _ = try await client.request(.get, "/api/v1/projects/\(id)", as: viewer, tokens: tokens, headers: [.requestID: "log-get"])
            _ = try await client.request(.get, "/nowhere", tokens: tokens, headers: [.requestID: "log-missing"])
        }
        let all = lines.all
        #expect(!all.isEmpty)
        for line in all {
            #expect(line.hasSuffix("\n") && line.dropLast().firstIndex(of: "\n") == nil, "one line per event: \(line)")
            #expect(Self.object(line) != nil, "not JSON: \(line)")
        }
        let requests = all.compactMap(Self.object).filter { $0["message"] as? String == "request" }
        func line(_ id: String) throws -> [String: Any] { try #require(requests.first { $0["request_id"] as? String == id }, "\(id): \(all)") }

        let get = try line("log-get")
        #expect(get["route"] as? String == "/api/v1/projects/{id}")
        #expect(get["method"] as? String == "GET")
        #expect(get["status"] as? Int == 200)
        #expect(get["duration_ms"] is Double || get["duration_ms"] is Int)
        #expect(get["user_id"] as? String == viewer.userID.uuidString.lowercased())
        #expect(get["org_id"] as? String == viewer.orgID.uuidString.lowercased())
        #expect(get["level"] as? String == "info")
        #expect((get["timestamp"] as? String)?.hasSuffix("Z") == true)

        let health = try line("log-health")
        #expect(health["route"] as? String == "/health")
        #expect(health["user_id"] == nil)
        let missing = try line("log-missing")
        #expect(missing["status"] as? Int == 404)
        #expect(missing["route"] as? String == "NotFound", "Hummingbird's name for no route")
    }

    @Test func theJSONHandlerKeepsAnEventOnOneLineAndTypesItsValues() throws {
        let lines = Lines()
        var logger = Logger(label: "unit") { label in JSONLogHandler(label: label, level: .debug) { lines.append($0) } }
        logger[metadataKey: "request_id"] = "r-1"
        logger.debug("two\nlines \"quoted\"", metadata: ["count": .stringConvertible(3), "ratio": .stringConvertible(0.5), "ok": .stringConvertible(true),
                                                    "nested": ["a": ["1", "2"]], "message": "dropped: the handler's own key"])
        logger.trace("below the level")
        let all = lines.all
        #expect(all.count == 1)
        let object = Self.object(all.first ?? "")
        #expect(object?["message"] as? String == "two\nlines \"quoted\"")
        #expect(object?["count"] as? Int == 3)
        #expect(object?["ratio"] as? Double == 0.5)
        #expect(object?["ok"] as? Bool == true)
        #expect((object?["nested"] as? [String: [String]])?["a"] == ["1", "2"])
        #expect(object?["request_id"] as? String == "r-1")
        #expect(object?["logger"] as? String == "unit")
    }

    @Test func metricsNeedTheTokenAndCountRequestsByRouteTemplate() async throws {
        let token = "metrics-test-token-0123456789"
        let viewer = Users.principal(.viewer, in: "acme")
        try await withApp(configure: { $0.metricsToken = token }) { client, tokens in
            for _ in 0..<3 { _ = try await client.request(.get, "/api/v1/projects?limit=1", as: viewer, tokens: tokens) }
            let anonymous = try await client.request(.get, "/metrics", tokens: tokens)
            #expect(anonymous.status == .unauthorized)
            let wrong = try await client.request(.get, "/metrics", bearer: "wrong-token-0123456789")
            #expect(wrong.status == .unauthorized)
            let metrics = try await client.request(.get, "/metrics", bearer: token)
            #expect(metrics.status == .ok)
            #expect(metrics.headers[.contentType]?.hasPrefix("text/plain; version=0.0.4") == true)
            let text = metrics.text
            #expect(text.contains(#"http_server_requests_total{route="/api/v1/projects",method="GET",status="200"}"#), "\(text.prefix(3000))")
            #expect(text.contains(#"http_server_request_duration_seconds_bucket{route="/api/v1/projects",method="GET",status="200",le="#))
            #expect(text.contains("http_server_active_requests"))
            #expect(text.contains(#"trellis_db_connections{state="idle"}"#) || text.contains(#"trellis_db_connections{state="active"}"#))
        }
        try await withApp { client, tokens in
            let unmounted = try await client.request(.get, "/metrics", bearer: token)
            #expect(unmounted.status == .notFound, "no token configured: no /metrics")
        }
    }

    @Test func corsAnswersTheAllowedOriginsAndNoOther() async throws {
        try await withApp(configure: { $0.corsOrigins = CORSOrigins(allowed: ["https://app.example.com"]) }) { client, tokens in
            let preflight = try await client.request(
                .options, "/api/v1/projects", tokens: tokens,
                headers: [.origin: "https://app.example.com", .accessControlRequestMethod: "POST", .accessControlRequestHeaders: "authorization, content-type"]
            )
            #expect(preflight.status == .noContent)
            #expect(preflight.headers[.accessControlAllowOrigin] == "https://app.example.com")
            #expect(preflight.headers[.accessControlAllowCredentials] == "true")
            #expect(preflight.headers[.accessControlMaxAge] == "86400")
            #expect(preflight.headers[.accessControlAllowMethods]?.contains("PATCH") == true)
            #expect(preflight.headers[.accessControlAllowHeaders]?.contains("Idempotency-Key") == true)
            #expect(preflight.headers[.vary]?.contains("Origin") == true)

            let foreign = try await client.request(
                .options, "/api/v1/projects", tokens: tokens, headers: [.origin: "https://evil.example", .accessControlRequestMethod: "POST"]
            )
            #expect(foreign.headers.filter { $0.name.canonicalName.hasPrefix("access-control-") }.isEmpty, "\(foreign.headers)")

            let viewer = Users.principal(.viewer, in: "acme")
            let allowed = try await client.request(.get, "/api/v1/projects?limit=1", as: viewer, tokens: tokens, headers: [.origin: "https://app.example.com"])
            #expect(allowed.headers[.accessControlAllowOrigin] == "https://app.example.com")
            #expect(allowed.headers[.accessControlExposeHeaders]?.contains("X-Request-ID") == true)
            #expect(allowed.headers[.accessControlExposeHeaders]?.contains("RateLimit-Remaining") == true)
            #expect(allowed.headers[.accessControlExposeHeaders]?.contains("ETag") == true)
            let refusedToo = try await client.request(.get, "/api/v1/projects", tokens: tokens, headers: [.origin: "https://app.example.com"])
            #expect(refusedToo.status == .unauthorized)
            #expect(refusedToo.headers[.accessControlAllowOrigin] == "https://app.example.com", "errors carry CORS headers too")
            let other = try await client.request(.get, "/api/v1/projects?limit=1", as: viewer, tokens: tokens, headers: [.origin: "https://evil.example"])
            #expect(other.status == .ok)
            #expect(other.headers[.accessControlAllowOrigin] == nil)
        }
    }

    @Test func securityHeadersAndHSTSBehindATLSProxy() async throws {
        try await withApp { client, tokens in
            let plain = try await client.request(.get, "/api/v1/projects", tokens: tokens)
            #expect(plain.headers[.contentSecurityPolicy] == "default-src 'none'; frame-ancestors 'none'")
            #expect(plain.headers[.init("Permissions-Policy")!]?.contains("camera=()") == true)
            #expect(plain.headers[.init("X-Content-Type-Options")!] == "nosniff")
            #expect(plain.headers[.init("X-Frame-Options")!] == "DENY")
            #expect(plain.headers[.init("Referrer-Policy")!] == "no-referrer")
            #expect(plain.headers[.strictTransportSecurity] == nil, "plain HTTP: no HSTS")

            let secure = try await client.request(.get, "/health", tokens: tokens, headers: [.init("X-Forwarded-Proto")!: "https"])
            #expect(secure.headers[.strictTransportSecurity] == "max-age=31536000; includeSubDomains")

            let docs = try await client.request(.get, "/docs", tokens: tokens)
            #expect(docs.headers[.contentSecurityPolicy]?.contains("script-src 'self'") == true, "the docs page keeps its own policy")
        }
        try await withApp(configure: { $0.trustedProxyHops = 0 }) { client, tokens in
            let spoofed = try await client.request(.get, "/health", tokens: tokens, headers: [.init("X-Forwarded-Proto")!: "https"])
            #expect(spoofed.headers[.strictTransportSecurity] == nil, "no trusted proxy: X-Forwarded-Proto is ignored")
        }
    }
}
