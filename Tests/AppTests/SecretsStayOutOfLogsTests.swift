import App
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOConcurrencyHelpers
import Testing
import Trellis

/// Runs the account flows with every log line captured at trace level and checks that no
/// password, token or key appears in any of them.
@Suite struct SecretsStayOutOfLogsTests {
    /// Every line logged through the app's logger: message plus metadata, as text.
    final class Capture: Sendable {
        private let lines = NIOLockedValueBox<[String]>([])

        func append(_ line: String) { lines.withLockedValue { $0.append(line) } }
        var all: [String] { lines.withLockedValue { $0 } }
    }

    struct CapturingHandler: LogHandler {
        let capture: Capture
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let merged = metadata.merging(event.metadata ?? [:]) { $1 }
            capture.append("\(event.level) \(event.message) \(merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" })")
        }
    }

    @Test func noSecretReachesALogLine() async throws {
        let capture = Capture()
        let (pool, tokens) = try await TestEnvironment.shared.client()
        var logger = Logger(label: "capture") { _ in CapturingHandler(capture: capture) }
        logger.logLevel = .trace
        let router = TrellisServer.makeRouter(
            api: App.api(), database: Database(client: pool), tokens: tokens, options: ServerOptions(trustedProxyHops: 1)
        )
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)), logger: logger)
        let issued = Capture()
        try await app.test(.router) { client in
            let session = try await AuthTests.signup(client, email: "logs@example.test", organization: "Logs", ip: 50)
            _ = try await AuthTests.login(client, "logs@example.test", "wrong password, surely", ip: 50)
            let rotated = try AuthTests.session(try await AuthTests.refresh(client, session.refresh, ip: 50))
            _ = try await AuthTests.refresh(client, session.refresh, ip: 50)  // reuse
            let fresh = try AuthTests.session(try await AuthTests.login(client, "logs@example.test", AuthTests.password, ip: 50))
            let key = try await APIKeyTests.createKey(client, as: fresh, scopes: ["read:projects"]).data["key"] as? String ?? ""
            _ = try await client.request(.get, "/api/v1/projects", bearer: key)
            let invitation = try await client.request(
                .post, "/api/v1/invitations", bearer: fresh.access, json: #"{"email": "logs-invitee@example.test", "role": "member"}"#
            )
            #expect(invitation.status == .created)
            let stored = try await pool.query(
                "SELECT body FROM email_outbox WHERE recipient = 'logs-invitee@example.test'", logger: TestEnvironment.shared.logger
            ).decode(String.self).reduce(into: [String]()) { $0.append($1) }
            let token = stored.first.flatMap { $0.components(separatedBy: "/invitations/").last?.prefix(43) }.map(String.init) ?? ""
            #expect(token.count == 43 && key.hasPrefix("sk_test_"))
            #expect(try await client.request(.get, "/api/v1/invitations/\(token)", bearer: nil).status == .ok)
            for secret in [session.access, session.refresh, rotated.access, rotated.refresh, fresh.access, fresh.refresh, key, token] {
                issued.append(secret)
            }
        }
        let secrets = [AuthTests.password, "wrong password, surely"] + issued.all
        let lines = capture.all
        #expect(lines.count > 10, "the flows should have logged")
        for secret in secrets where !secret.isEmpty {
            #expect(!lines.contains { $0.contains(secret) }, "a log line holds a secret: \(lines.first { $0.contains(secret) } ?? "")")
        }
    }
}
