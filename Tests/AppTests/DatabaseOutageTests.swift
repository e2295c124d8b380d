import App
import Foundation
import NIOConcurrencyHelpers
import TestPeers
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The database stops under a running server: requests answer 503 `database_unavailable` (never
/// 500), `/ready` answers 503, and once the database is back the same process serves again, with no
/// restart. The test runs a PostgreSQL cluster of its own (scripts/db.sh with TRELLIS_PG_DIR), since
/// it stops it.
@Suite struct DatabaseOutageTests {
    static let secret = "outage-test-secret-outage-test-secret-01"
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("scripts/db.sh")

    /// `scripts/db.sh <command>` for the cluster in `folder` on `port`, its output in a file.
    ///
    /// The PostgreSQL server it starts outlives it and inherits every descriptor the test process
    /// leaves open to children, among them the output pipes of the other child processes running
    /// (Foundation's `Pipe` does not close on exec): their readers would wait for that server to stop.
    /// So the script runs under a shell that closes every descriptor above 2 first.
    static func cluster(_ command: String, folder: String, port: Int) async throws {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("db-sh-\(port)-\(command).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let output = try FileHandle(forWritingTo: log)
        defer { try? output.close() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [
            "-c", #"for fd in /proc/$$/fd/*; do fd=${fd##*/}; if (( fd > 2 )); then eval "exec $fd>&-"; fi; done; exec "$0" "$@""#,
            script.path, command,
        ]
        process.environment = ProcessInfo.processInfo.environment.merging(
            ["TRELLIS_PG_DIR": folder, "TRELLIS_PG_PORT": String(port), "DATABASE_URL": "", "TEST_DATABASE_URL": ""]
        ) { _, new in new }
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do { try process.run() } catch { continuation.resume(throwing: error) }
        }
        guard status == 0 else {
            throw TestSetupError("db.sh \(command) failed: \((try? String(contentsOf: log, encoding: .utf8)) ?? "")")
        }
    }

    @Test func requestsAnswer503WhileTheDatabaseIsDownAndRecoverWithoutARestart() async throws {
        let port = try FreePort.find()
        let folder = "/tmp/trellis-outage-\(ProcessInfo.processInfo.processIdentifier)"
        try? FileManager.default.removeItem(atPath: folder)
        try await Self.cluster("start", folder: folder, port: port)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let url = "postgres://trellis@127.0.0.1:\(port)/trellis"
        for command in [["migrate"], ["seed"]] {
            let run = try await ServerProcess.launch(command, databaseURL: url).finish()
            try #require(run.status == 0, "\(command): \(run.stderr)")
        }
        let serverPort = try FreePort.find()
        let server = try ServerProcess.launch(
            ["serve", "--host", "127.0.0.1", "--port", String(serverPort)], databaseURL: url,
            // The HTTP side alone: with the job runner in the process too, this test stalled twice in
            // about ten full runs (a request over 10 s during the outage), not yet explained.
            environment: [
                "JWT_SECRET": Self.secret, "DATABASE_LEASE_TIMEOUT_SECONDS": "1", "RATE_LIMIT_PER_MINUTE": "0", "DATABASE_POOL_SIZE": "4",
                "SERVE_RUNS_JOBS": "false",
            ]
        )
        let base = "http://127.0.0.1:\(serverPort)"
        do {
            try await ServeTests.waitUntilHealthy(base)
            let owner = Users.user(.owner, in: "acme").email
            let login = try await ServeTests.send(
                "POST", base + "/api/v1/auth/login", json: #"{"email": "\#(owner)", "password": "\#(DemoData.password)"}"#
            )
            let access = try #require((login.json["data"] as? [String: Any])?["access_token"] as? String)
            #expect(try await ServeTests.send("GET", base + "/api/v1/projects?limit=1", bearer: access).status == 200)

            // Load from four clients all along; the database stops under it and comes back.
            let stop = NIOLockedValueBox(false)
            let load = Task {
                try await withThrowingTaskGroup(of: [Int: Int].self) { group in
                    for _ in 0..<4 {
                        group.addTask {
                            var statuses: [Int: Int] = [:]
                            while !stop.withLockedValue({ $0 }) {
                                let reply = try await ServeTests.send("GET", base + "/api/v1/projects?limit=1", bearer: access, timeout: 120)
                                statuses[reply.status, default: 0] += 1
                                if reply.status == 503 {
                                    #expect((reply.json["error"] as? [String: Any])?["code"] as? String == "database_unavailable")
                                }
                                try await Task.sleep(for: .milliseconds(20))
                            }
                            return statuses
                        }
                    }
                    return try await group.reduce(into: [:]) { total, part in total.merge(part, uniquingKeysWith: +) }
                }
            }
            try await Task.sleep(for: .seconds(1))
            try await Self.cluster("stop", folder: folder, port: port)
            let stopped = ContinuousClock.now

            // Within the lease timeout (1 s here) and a probe, the server knows: /ready and requests
            // answer 503 at once.
            var ready = 200
            while ready != 503 && ContinuousClock.now - stopped < .seconds(10) {
                ready = try await ServeTests.send("GET", base + "/ready", timeout: 10).status
                if ready != 503 { try await Task.sleep(for: .milliseconds(100)) }
            }
            #expect(ready == 503, "/ready answers 503 while the database is down")
            let noticed = ContinuousClock.now - stopped
            var slowest = Duration.zero
            for _ in 0..<10 {
                let asked = ContinuousClock.now
                let reply = try await ServeTests.send("GET", base + "/api/v1/projects?limit=1", bearer: access, timeout: 10)
                #expect(reply.status == 503)
                #expect((reply.json["error"] as? [String: Any])?["code"] as? String == "database_unavailable")
                slowest = max(slowest, ContinuousClock.now - asked)
            }
            #expect(try await ServeTests.send("GET", base + "/health").status == 200)

            try await Self.cluster("start", folder: folder, port: port)
            let restarted = ContinuousClock.now
            var back = 0
            var waits: [Int] = []
            while back != 200 && ContinuousClock.now - restarted < .seconds(60) {
                // A request that reached the pool before it reconnected waits for it: not an answer yet.
                back = (try? await ServeTests.send("GET", base + "/api/v1/projects?limit=1", bearer: access, timeout: 10))?.status ?? 0
                if back != 200 {
                    waits.append(back)
                    try await Task.sleep(for: .milliseconds(100))
                }
            }
            #expect(!waits.contains(500), "while it reconnects: \(waits)")
            #expect(back == 200, "the same process serves again once the database is back")
            let recovered = ContinuousClock.now - restarted
            #expect(try await ServeTests.send("GET", base + "/ready").status == 200)
            stop.withLockedValue { $0 = true }
            let statuses = try await load.value
            #expect(Set(statuses.keys).isSubset(of: [200, 503]), "under load: only 200 and 503, never 500: \(statuses)")
            print("DatabaseOutageTests: down noticed after \(noticed) (slowest 503 then: \(slowest)), serving again \(recovered) after the restart; load: \(statuses)")
        } catch {
            server.terminate()
            let run = await server.finish()
            print("DatabaseOutageTests: the server's last output:\n\(run.stdout.suffix(3000))\n\(run.stderr.suffix(3000))")
            try? await Self.cluster("stop", folder: folder, port: port)
            throw error
        }
        server.terminate()
        let run = await server.finish()
        try? await Self.cluster("stop", folder: folder, port: port)
        #expect(run.status == 0, "\(run.stderr.suffix(2000))")
        #expect(!run.stdout.contains("\"status\":500"), "no request answered 500")
    }
}
