import App
import Foundation
import TestPeers
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Traces reach a real OTLP/HTTP collector (scripts/otlp_receiver.py, a Python HTTP server that
/// keeps what it is sent): a request sent with a W3C `traceparent` is a span of the caller's trace,
/// named by its route template, with the engine's database statement as its child, and the request's
/// log line carries the trace id.
@Suite struct TracingTests {
    static let secret = "tracing-test-secret-tracing-test-secret-01"
    static let traceID = "0af7651916cd43dd8448eb211c80319c"
    static let receiver = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("scripts/otlp_receiver.py")

    @Test func spansReachTheCollectorInTheCallersTrace() async throws {
        let collectorPort = try FreePort.find()
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("otlp-\(collectorPort).jsonl")
        try? FileManager.default.removeItem(at: output)
        let collector = try ChildProcess.launch(
            URL(fileURLWithPath: "/usr/bin/python3"), [Self.receiver.path, String(collectorPort), output.path], timeout: .seconds(120)
        )
        defer { collector.terminate() }
        try await ScratchDatabase.with("trellis_tracing") { database in
            for command in [["migrate"], ["seed"]] {
                let run = try await ServerProcess.launch(command, databaseURL: database.url).finish()
                try #require(run.status == 0, "\(command): \(run.stderr)")
            }
            let port = try FreePort.find()
            let server = try ServerProcess.launch(
                ["serve", "--host", "127.0.0.1", "--port", String(port)], databaseURL: database.url,
                environment: [
                    "JWT_SECRET": Self.secret, "OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:\(collectorPort)",
                    "OTEL_EXPORTER_OTLP_PROTOCOL": "http/json", "OTEL_SERVICE_NAME": "trellis-tracing-test", "OTEL_BSP_SCHEDULE_DELAY": "100",
                ]
            )
            let base = "http://127.0.0.1:\(port)"
            do {
                try await ServeTests.waitUntilHealthy(base)
                let owner = Users.user(.owner, in: "acme").email
                let login = try await ServeTests.send(
                    "POST", base + "/api/v1/auth/login", json: #"{"email": "\#(owner)", "password": "\#(DemoData.password)"}"#
                )
                let access = try #require((login.json["data"] as? [String: Any])?["access_token"] as? String)
                let list = try await ServeTests.send("GET", base + "/api/v1/projects?limit=1", bearer: access)
                let id = try #require(((list.json["data"] as? [[String: Any]])?.first)?["id"] as? String)
                let read = try await ServeTests.send(
                    "GET", base + "/api/v1/projects/\(id)", bearer: access, headers: ["traceparent": "00-\(Self.traceID)-b7ad6b7169203331-01"]
                )
                #expect(read.status == 200)
            } catch {
                server.terminate()
                throw error
            }
            server.terminate()  // the exporter sends what is left at shutdown
            let run = await server.finish()
            #expect(run.status == 0, "\(run.stderr.suffix(2000))")

            let requestLine = run.stdout.split(separator: "\n").first { $0.contains(#""route":"/api/v1/projects/{id}""#) }
            #expect(requestLine?.contains(#""trace_id":"\#(Self.traceID)""#) == true, "the log line carries the trace id: \(requestLine ?? "none")")

            var spans: [[String: Any]] = []
            for _ in 0..<50 where spans.isEmpty || !spans.contains(where: { $0["traceId"] as? String == Self.traceID }) {
                spans = Self.spans(in: output)
                if spans.isEmpty { try await Task.sleep(for: .milliseconds(100)) }
            }
            let inTrace = spans.filter { $0["traceId"] as? String == Self.traceID }
            let request = try #require(inTrace.first { $0["name"] as? String == "/api/v1/projects/{id}" }, "spans: \(spans.map { $0["name"] ?? "" })")
            #expect(request["parentSpanId"] as? String == "b7ad6b7169203331", "the caller's span is the parent")
            let statement = inTrace.first { ($0["name"] as? String)?.hasPrefix("db ") == true }
            #expect(statement?["parentSpanId"] as? String == request["spanId"] as? String, "the statement is a child of the request: \(inTrace)")
        }
    }

    /// An id as lowercase hex: OTLP/JSON says hex, swift-otel 1.6 writes protobuf's base64.
    static func hex(_ id: Any?) -> String? {
        guard let text = id as? String else { return nil }
        if text.count % 2 == 0, text.allSatisfy(\.isHexDigit) { return text.lowercased() }
        return Data(base64Encoded: text).map { $0.map { String(format: "%02x", $0) }.joined() }
    }

    /// Every span the collector received, from its OTLP JSON bodies, ids as hex.
    static func spans(in file: URL) -> [[String: Any]] {
        guard let text = try? String(contentsOf: file, encoding: .utf8) else { return [] }
        var spans: [[String: Any]] = []
        for line in text.split(separator: "\n") {
            guard let record = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                let body = record["body"] as? [String: Any], let resources = body["resourceSpans"] as? [[String: Any]]
            else { continue }
            for resource in resources {
                for scope in resource["scopeSpans"] as? [[String: Any]] ?? [] {
                    for var span in scope["spans"] as? [[String: Any]] ?? [] {
                        for key in ["traceId", "spanId", "parentSpanId"] { span[key] = hex(span[key]) }
                        spans.append(span)
                    }
                }
            }
        }
        return spans
    }
}
