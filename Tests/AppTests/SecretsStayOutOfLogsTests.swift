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
/// password, token or key appears in any of them, in any audit row, or in any response but the
/// one that issued it.
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

    /// One HTTP exchange's response as text: status, headers and body.
    static func text(_ response: TestResponse) -> String {
        "\(response.status.code) \(response.headers.map { "\($0.name)=\($0.value)" }) \(response.text)"
    }

    @Test func noSecretReachesALogLineOrAnotherResponse() async throws {
        let capture = Capture()
        let responses = Capture()
        let (pool, tokens) = try await TestEnvironment.shared.client()
        var logger = Logger(label: "capture") { _ in CapturingHandler(capture: capture) }
        logger.logLevel = .trace
        let router = TrellisServer.makeRouter(
            api: App.api(), database: Database(client: pool), tokens: tokens, options: ServerOptions(trustedProxyHops: 1)
        )
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)), logger: logger)
        let issued = Capture()
        try await app.test(.live) { client in
            /// Sends a request and keeps its response, except `issuing` ones (which answer a new secret).
            @Sendable func send(
                _ method: HTTPRequest.Method, _ uri: String, bearer: String? = nil, json: String? = nil, issuing: Bool = false
            ) async throws -> TestResponse {
                let response = try await client.request(method, uri, bearer: bearer, json: json, headers: AuthTests.ip(50))
                if !issuing { responses.append(Self.text(response)) }
                return response
            }
            let password = AuthTests.password
            let session = try AuthTests.session(try await send(
                .post, "/api/v1/auth/signup",
                json: #"{"email": "logs@example.test", "password": "\#(password)", "name": "Logs", "organization_name": "Logs"}"#,
                issuing: true
            ))
            _ = try await send(.post, "/api/v1/auth/login", json: #"{"email": "logs@example.test", "password": "wrong password, surely"}"#)
            let rotated = try AuthTests.session(
                try await send(.post, "/api/v1/auth/refresh", json: #"{"refresh_token": "\#(session.refresh)"}"#, issuing: true)
            )
            _ = try await send(.post, "/api/v1/auth/refresh", json: #"{"refresh_token": "\#(session.refresh)"}"#)  // reuse
            let fresh = try AuthTests.session(try await send(
                .post, "/api/v1/auth/login", json: #"{"email": "logs@example.test", "password": "\#(password)"}"#, issuing: true
            ))
            let created = try await send(
                .post, "/api/v1/api-keys", bearer: fresh.access, json: #"{"name": "Logs", "scopes": ["read:projects"]}"#, issuing: true
            )
            let key = try created.data["key"] as? String ?? ""
            _ = try await send(.get, "/api/v1/api-keys", bearer: fresh.access)
            _ = try await send(.get, "/api/v1/projects", bearer: key)
            _ = try await send(.get, "/api/v1/me", bearer: fresh.access)
            _ = try await send(.get, "/api/v1/members", bearer: fresh.access)
            let invitation = try await send(
                .post, "/api/v1/invitations", bearer: fresh.access, json: #"{"email": "logs-invitee@example.test", "role": "member"}"#
            )
            #expect(invitation.status == .created)
            _ = try await send(.get, "/api/v1/invitations", bearer: fresh.access)
            let stored = try await pool.query(
                "SELECT body FROM email_outbox WHERE recipient = 'logs-invitee@example.test'", logger: TestEnvironment.shared.logger
            ).decode(String.self).reduce(into: [String]()) { $0.append($1) }
            let token = stored.first.flatMap { $0.components(separatedBy: "/invitations/").last?.prefix(43) }.map(String.init) ?? ""
            #expect(token.count == 43 && key.hasPrefix("sk_test_"))
            #expect(try await send(.get, "/api/v1/invitations/\(token)").status == .ok)
            let changed = try await send(
                .post, "/api/v1/auth/password", bearer: fresh.access,
                json: #"{"current_password": "\#(password)", "new_password": "another long passphrase"}"#
            )
            #expect(changed.status == .noContent)
            for secret in [session.access, session.refresh, rotated.access, rotated.refresh, fresh.access, fresh.refresh, key, token] {
                issued.append(secret)
            }
        }
        let secrets = [AuthTests.password, "wrong password, surely", "another long passphrase"] + issued.all
        let lines = capture.all
        #expect(lines.count > 10, "the flows should have logged")
        #expect(responses.all.count == 10, "every non-issuing response was kept")
        for secret in secrets where !secret.isEmpty {
            #expect(!lines.contains { $0.contains(secret) }, "a log line holds a secret: \(lines.first { $0.contains(secret) } ?? "")")
            #expect(!responses.all.contains { $0.contains(secret) }, "a response repeats a secret: \(responses.all.first { $0.contains(secret) } ?? "")")
        }
        let audit = try await pool.query(
            "SELECT concat_ws('|', action, ip, user_agent, request_id) FROM audit_logs", logger: TestEnvironment.shared.logger
        ).decode(String.self).reduce(into: [String]()) { $0.append($1) }
        for secret in secrets where !secret.isEmpty {
            #expect(!audit.contains { $0.contains(secret) }, "an audit row holds a secret")
        }
    }

    /// A field the spec marks `sensitive` (tasks' `notes`): its values reach no log line (at trace
    /// level), no audit row and no change event, through a create, an update, a refused update
    /// and a delete.
    @Test func aSensitiveFieldIsInNoLogLineAuditRowOrEvent() async throws {
        let capture = Capture()
        let (pool, tokens) = try await TestEnvironment.shared.client()
        var logger = Logger(label: "capture") { _ in CapturingHandler(capture: capture) }
        logger.logLevel = .trace
        let router = TrellisServer.makeRouter(api: App.api(), database: Database(client: pool), tokens: tokens)
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)), logger: logger)
        let owner = Users.principal(.owner, in: "globex")
        let secrets = ["notes-secret-one 7f3a", "notes-secret-two 9c1e", "notes-secret-refused 4b2d"]
        try await app.test(.router) { client in
            let project = try await client.request(
                .post, "/api/v1/projects", as: owner, tokens: tokens, json: #"{"name": "Sensitive", "slug": "sensitive-notes"}"#
            )
            let projectID = try #require(try project.data["id"] as? String)
            let task = try await client.request(
                .post, "/api/v1/tasks", as: owner, tokens: tokens, json: #"{"project_id": "\#(projectID)", "title": "Private", "notes": "\#(secrets[0])"}"#
            )
            let taskID = try #require(try task.data["id"] as? String)
            #expect(try await client.request(.patch, "/api/v1/tasks/\(taskID)", as: owner, tokens: tokens, json: #"{"notes": "\#(secrets[1])"}"#).status == .ok)
            let refused = try await client.request(
                .patch, "/api/v1/tasks/\(taskID)", as: owner, tokens: tokens, json: #"{"notes": "\#(secrets[2])", "title": ""}"#
            )
            #expect(refused.status == .unprocessableContent)
            #expect(try await client.request(.delete, "/api/v1/tasks/\(taskID)", as: owner, tokens: tokens).status == .noContent)
        }
        let lines = capture.all
        #expect(lines.count > 4, "the requests should have logged")
        let recorded = try await pool.query(
            """
            SELECT coalesce(changes::text, '') || coalesce(details::text, '') FROM audit_logs WHERE resource_type = 'task'
            UNION ALL SELECT data::text FROM change_events WHERE resource_type = 'task'
            """,
            logger: TestEnvironment.shared.logger
        ).decode(String.self).reduce(into: [String]()) { $0.append($1) }
        #expect(recorded.count >= 3)
        for secret in secrets {
            #expect(!lines.contains { $0.contains(secret) }, "a log line holds a sensitive value: \(lines.first { $0.contains(secret) } ?? "")")
            #expect(!recorded.contains { $0.contains(secret) }, "the audit trail or the outbox holds a sensitive value")
        }
    }
}
