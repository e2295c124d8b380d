import App
import Foundation
import TestPeers
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `Server serve` as `make run` starts it: a separate process on a real port, answering health,
/// sign-in and tenant-scoped lists, and exiting cleanly on SIGTERM.
@Suite struct ServeTests {
    static let secret = "serve-test-secret-serve-test-secret-0123"

    @Test func servesSignsInAndShutsDownGracefully() async throws {
        try await ScratchDatabase.with("trellis_serve") { database in
            for command in [["migrate"], ["seed"]] {
                let run = try await ServerProcess.launch(command, databaseURL: database.url).finish()
                try #require(run.status == 0, "\(command): \(run.stderr)")
            }
            let port = try FreePort.find()
            let server = try ServerProcess.launch(
                ["serve", "--host", "127.0.0.1", "--port", String(port)], databaseURL: database.url, environment: ["JWT_SECRET": Self.secret]
            )
            let base = "http://127.0.0.1:\(port)"
            do {
                try await Self.waitUntilHealthy(base)
                let ready = try await Self.send("GET", base + "/ready")
                #expect(ready.status == 200)

                let owner = Users.user(.owner, in: "acme").email
                let login = try await Self.send(
                    "POST", base + "/api/v1/auth/login", json: #"{"email": "\#(owner)", "password": "\#(DemoData.password)"}"#
                )
                #expect(login.status == 200)
                let access = try #require((login.json["data"] as? [String: Any])?["access_token"] as? String)
                let projects = try await Self.send("GET", base + "/api/v1/projects?limit=5", bearer: access)
                #expect(projects.status == 200)
                #expect((projects.json["data"] as? [Any])?.count == 5)
                #expect(try await Self.send("GET", base + "/api/v1/projects").status == 401)
            } catch {
                server.terminate()
                throw error
            }
            server.terminate()
            let run = await server.finish()
            #expect(run.status == 0, "graceful shutdown exits 0: \(run.stderr)")
            #expect(!run.stderr.contains("Fatal error") && !run.stderr.contains("crashed"), "\(run.stderr)")

            // Its log, as `make run` prints it: one JSON object per line, each request's with its id,
            // a signed-in request's with the user and organization.
            let lines = (run.stdout + run.stderr).split(separator: "\n")
            let objects = lines.compactMap { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any] }
            #expect(!lines.isEmpty && objects.count == lines.count, "lines that are not JSON: \(lines.filter { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) == nil })")
            let requests = objects.filter { $0["message"] as? String == "request" }
            #expect(requests.count >= 4 && requests.allSatisfy { ($0["request_id"] as? String)?.isEmpty == false })
            let owner = Users.user(.owner, in: "acme")
            let signedIn = requests.first { $0["route"] as? String == "/api/v1/projects" && $0["status"] as? Int == 200 }
            #expect(signedIn?["user_id"] as? String == owner.id.uuidString.lowercased())
            #expect(signedIn?["org_id"] as? String == owner.organization.uuidString.lowercased())
        }
    }

    struct Reply {
        var status: Int
        var body: Data

        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:] }
    }

    static func send(
        _ method: String, _ url: String, bearer: String? = nil, json: String? = nil, headers: [String: String] = [:],
        timeout: TimeInterval = 60
    ) async throws -> Reply {
        var request = URLRequest(url: try #require(URL(string: url)), timeoutInterval: timeout)
        request.httpMethod = method
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        if let bearer { request.setValue("Bearer \(bearer)", forHTTPHeaderField: "Authorization") }
        if let json {
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            request.httpBody = Data(json.utf8)
        }
        let (body, response) = try await URLSession.shared.data(for: request)
        return Reply(status: (response as? HTTPURLResponse)?.statusCode ?? 0, body: body)
    }

    /// Polls `/health` for up to 30 seconds (the process is starting its pool and listener).
    static func waitUntilHealthy(_ base: String) async throws {
        for _ in 0..<300 {
            if let reply = try? await send("GET", base + "/health"), reply.status == 200 { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw TestSetupError("no 200 from \(base)/health within 30 s")
    }
}
