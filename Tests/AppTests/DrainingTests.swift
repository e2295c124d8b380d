import App
import Foundation
import PostgresNIO
import TestPeers
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// SIGTERM with a slow request in flight: `/ready` answers 503 at once, the request still
/// completes with 200, the listener then closes, and the process exits 0 within the grace period.
///
/// The slow request is a real one: a PATCH of a project whose row a test transaction holds locked,
/// so the server's UPDATE waits until the test lets it go.
@Suite struct DrainingTests {
    static let secret = "draining-test-secret-draining-test-0123"

    @Test func aRequestInFlightAtSIGTERMFinishesWhileReadyAnswers503() async throws {
        try await ScratchDatabase.with("trellis_draining") { database in
            for command in [["migrate"], ["seed"]] {
                let run = try await ServerProcess.launch(command, databaseURL: database.url).finish()
                try #require(run.status == 0, "\(command): \(run.stderr)")
            }
            let port = try FreePort.find()
            let server = try ServerProcess.launch(
                ["serve", "--host", "127.0.0.1", "--port", String(port)], databaseURL: database.url,
                environment: ["JWT_SECRET": Self.secret, "SHUTDOWN_DELAY_SECONDS": "5", "SHUTDOWN_GRACE_SECONDS": "10"]
            )
            let base = "http://127.0.0.1:\(port)"
            var signalled: ContinuousClock.Instant?
            do {
                try await ServeTests.waitUntilHealthy(base)
                let owner = Users.user(.owner, in: "acme").email
                let login = try await ServeTests.send(
                    "POST", base + "/api/v1/auth/login", json: #"{"email": "\#(owner)", "password": "\#(DemoData.password)"}"#
                )
                let access = try #require((login.json["data"] as? [String: Any])?["access_token"] as? String)
                let list = try await ServeTests.send("GET", base + "/api/v1/projects?limit=1", bearer: access)
                let id = try #require(((list.json["data"] as? [[String: Any]])?.first)?["id"] as? String)

                signalled = try await PostgresClient.withRunning(database.configuration, logger: ScratchDatabase.logger) { client in
                    try await client.withConnection { connection in
                        try await connection.query("BEGIN", logger: ScratchDatabase.logger)
                        try await connection.query(
                            "SELECT 1 FROM projects WHERE id = \(UUID(uuidString: id)!) FOR UPDATE", logger: ScratchDatabase.logger
                        )
                        let slow = Task {
                            try await ServeTests.send("PATCH", base + "/api/v1/projects/\(id)", bearer: access, json: #"{"name": "Renamed while draining"}"#)
                        }
                        try await Self.waitUntilAStatementWaitsForALock(connection)
                        server.terminate()
                        let signalledAt = ContinuousClock.now
                        var ready = try await ServeTests.send("GET", base + "/ready")
                        for _ in 0..<40 where ready.status == 200 {
                            try await Task.sleep(for: .milliseconds(50))
                            ready = try await ServeTests.send("GET", base + "/ready")
                        }
                        #expect(ready.status == 503, "/ready answers 503 once SIGTERM arrived")
                        #expect(String(decoding: ready.body, as: UTF8.self).contains("unavailable"))
                        try await connection.query("ROLLBACK", logger: ScratchDatabase.logger)
                        let answer = try await slow.value
                        #expect(answer.status == 200, "the request in flight completes: \(String(decoding: answer.body, as: UTF8.self))")
                        #expect((answer.json["data"] as? [String: Any])?["name"] as? String == "Renamed while draining")
                        return signalledAt
                    }
                }
                // After SHUTDOWN_DELAY_SECONDS the listener is closed: new connections are refused.
                var refused = false
                for _ in 0..<60 where !refused {
                    refused = (try? await ServeTests.send("GET", base + "/health", timeout: 1)) == nil
                    if !refused { try await Task.sleep(for: .milliseconds(100)) }
                }
                #expect(refused, "the listener closes after the delay")
            } catch {
                server.terminate()
                throw error
            }
            let run = await server.finish()
            let took = signalled.map { ContinuousClock.now - $0 } ?? .zero
            #expect(run.status == 0, "exits 0: \(run.stderr.suffix(2000))")
            #expect(took < .seconds(15), "exits within the delay and grace period (took \(took))")
            #expect(run.stdout.contains("draining"), "the log says it drains")
        }
    }

    /// Polls until a statement in the database waits for a lock (the server's UPDATE), for up to 10 s.
    static func waitUntilAStatementWaitsForALock(_ connection: PostgresConnection) async throws {
        for _ in 0..<200 {
            let rows = try await connection.query(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
                logger: ScratchDatabase.logger
            )
            for try await count in rows.decode(Int64.self) where count > 0 { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw TestSetupError("the PATCH never waited for the row lock")
    }
}
