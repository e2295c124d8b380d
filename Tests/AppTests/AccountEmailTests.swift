import App
import AppAPI
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import PostgresNIO
import TestPeers
import Testing
import Trellis

/// Account email end to end, delivered by `mailers` jobs to a real SMTP server
/// (scripts/smtp_server.py: aiosmtpd with STARTTLS and AUTH on a certificate made for the test):
/// sign-up sends a verification and a welcome email, both with HTML and text parts; the reset
/// link of a password-reset email sets a new password once and ends the old sessions; the
/// verification link verifies once; a sign-in from a new device is emailed; `/dev/mailbox` shows
/// the messages in development only.
@Suite(.serialized) struct AccountEmailTests {
    static let username = "mailer"
    static let password = "mailer-password"

    /// A message the SMTP server received.
    struct Delivered {
        var recipient: String
        var subject: String
        var text: String
        var html: String
        var partTypes: [String]
    }

    /// Runs the SMTP server and a `mailers` worker sending through it for `body`.
    static func withMail(_ body: (_ delivered: @escaping @Sendable () -> [Delivered]) async throws -> Void) async throws {
        let directory = try PeerProcess.temporaryDirectory(named: "account-mail")
        defer { try? FileManager.default.removeItem(at: directory) }
        let certificate = try SelfSignedCertificate.make(in: directory)
        try await PeerProcess.with(
            script: "smtp_server.py",
            arguments: [
                "--port", "0", "--output", "{dir}/messages.jsonl", "--tls", "starttls", "--cert", certificate.certificate.path,
                "--key", certificate.key.path, "--username", username, "--password", password,
            ],
            in: directory
        ) { server in
            let transport = try SMTPTransport(url: "smtp://\(username):\(password)@127.0.0.1:\(server.port)?ca_file=\(certificate.certificate.path)&timeout=10")
            let mail = MailOptions(from: MailAddress("no-reply@trellis.test", name: "Trellis"), transport: transport, transportName: "smtp")
            let database = Database(client: try await TestEnvironment.shared.client().client)
            let worker = JobWorker(
                queue: .mailers, concurrency: 4, registry: EmailDelivery(options: mail).jobs, database: database, pollInterval: .milliseconds(50),
                logger: TestEnvironment.shared.logger
            )
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await worker.run() }
                try await body {
                    server.records(in: "messages.jsonl").compactMap { record in
                        guard let data = record["data"] as? String, let recipient = (record["rcpt_tos"] as? [String])?.first else { return nil }
                        let message = MIMEDecoding.parse(data)
                        let parts = MIMEDecoding.parts(of: message)
                        return Delivered(
                            recipient: recipient, subject: MIMEDecoding.decodeWords(message.header("Subject") ?? ""),
                            text: parts.first.map { MIMEDecoding.quotedPrintable($0.body) } ?? "",
                            html: parts.dropFirst().first.map { MIMEDecoding.quotedPrintable($0.body) } ?? "",
                            partTypes: parts.compactMap { $0.header("Content-Type") }
                        )
                    }
                }
                group.cancelAll()
            }
        }
    }

    /// Waits until `count` messages to `recipient` have arrived; returns them.
    static func messages(to recipient: String, count: Int, _ delivered: () -> [Delivered]) async throws -> [Delivered] {
        let start = ContinuousClock.now
        while true {
            let found = delivered().filter { $0.recipient == recipient }
            if found.count >= count { return found }
            guard ContinuousClock.now - start < .seconds(60) else {
                throw TestSetupError("\(found.count) of \(count) messages to \(recipient) arrived: \(found.map(\.subject))")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// The token of the link to `path` in `text`.
    static func token(after path: String, in text: String) throws -> String {
        let start = try #require(text.range(of: path + "?token="), "no \(path) link in: \(text)")
        return String(text[start.upperBound...].prefix { !$0.isWhitespace })
    }

    static func ip(_ last: Int) -> HTTPFields { [.xForwardedFor: "198.51.100.\(last)"] }

    @Test func signingUpSendsAVerificationAndAWelcomeEmailWithBothParts() async throws {
        try await Self.withMail { delivered in
            try await withApp { client, _ in
                let email = "mail-ada@emails.test"
                let session = try await AuthTests.signup(client, email: email, organization: "Mail Ada", ip: 71)
                let messages = try await Self.messages(to: email, count: 2, delivered)
                #expect(Set(messages.map(\.subject)) == ["Confirm your email address for Trellis", "Welcome to Trellis"])
                for message in messages {
                    #expect(message.partTypes == ["text/plain; charset=utf-8", "text/html; charset=utf-8"], "\(message.subject)")
                    #expect(message.html.contains("<html") && !message.text.contains("<p"), "\(message.subject)")
                }
                let verification = try #require(messages.first { $0.subject.hasPrefix("Confirm") })
                let token = try Self.token(after: "\(TestEnvironment.appURL)/verify-email", in: verification.text)
                #expect(verification.html.contains("verify-email?token=\(token)"))

                let verified = try await client.request(.post, "/api/v1/auth/verify-email", bearer: nil, json: #"{"token": "\#(token)"}"#)
                #expect(verified.status == .ok, "\(verified.text)")
                #expect(try verified.data["email_verified_at"] as? String != nil)
                let again = try await client.request(.post, "/api/v1/auth/verify-email", bearer: nil, json: #"{"token": "\#(token)"}"#)
                #expect(again.status == .unprocessableContent, "the token works once")
                let resend = try await client.request(.post, "/api/v1/auth/verify-email/resend", bearer: session.access)
                #expect(resend.status == .conflict, "already verified: \(resend.text)")
            }
        }
    }

    @Test func thePasswordResetLinkSetsANewPasswordOnceAndEndsTheSessions() async throws {
        try await Self.withMail { delivered in
            try await withApp { client, _ in
                let email = "mail-grace@emails.test"
                let session = try await AuthTests.signup(client, email: email, organization: "Mail Grace", ip: 72)
                let asked = try await client.request(
                    .post, "/api/v1/auth/password-reset", bearer: nil, json: #"{"email": "\#(email)"}"#, headers: Self.ip(72)
                )
                let unknown = try await client.request(
                    .post, "/api/v1/auth/password-reset", bearer: nil, json: #"{"email": "nobody-here@emails.test"}"#, headers: Self.ip(72)
                )
                #expect(asked.status == .accepted)
                #expect(unknown.status == .accepted)
                #expect(try asked.data["message"] as? String == unknown.data["message"] as? String, "unknown emails get the same answer")

                let reset = try #require(
                    try await Self.messages(to: email, count: 3, delivered).first { $0.subject == "Reset your Trellis password" }
                )
                #expect(reset.partTypes.count == 2)
                let token = try Self.token(after: "\(TestEnvironment.appURL)/reset-password", in: reset.text)
                let newPassword = "a brand new passphrase for grace"
                let confirm = #"{"token": "\#(token)", "new_password": "\#(newPassword)"}"#
                let done = try await client.request(.post, "/api/v1/auth/password-reset/confirm", bearer: nil, json: confirm, headers: Self.ip(72))
                #expect(done.status == .noContent, "\(done.text)")
                let twice = try await client.request(.post, "/api/v1/auth/password-reset/confirm", bearer: nil, json: confirm, headers: Self.ip(72))
                #expect(twice.status == .unprocessableContent, "the token works once: \(twice.text)")

                #expect(try await AuthTests.login(client, email, newPassword, ip: 72).status == .ok)
                #expect(try await AuthTests.login(client, email, AuthTests.password, ip: 72).status == .unauthorized)
                #expect(try await AuthTests.refresh(client, session.refresh, ip: 72).status == .unauthorized, "the old session ended")
                let changed = try await Self.messages(to: email, count: 4, delivered)
                #expect(changed.contains { $0.subject == "Your Trellis password was changed" })

                // Three links an hour per account: the fourth request sends nothing, answered alike (from
                // other addresses: one address may ask 5 times a minute).
                for address in 75..<78 {
                    let more = try await client.request(
                        .post, "/api/v1/auth/password-reset", bearer: nil, json: #"{"email": "\#(email)"}"#, headers: Self.ip(address)
                    )
                    #expect(more.status == .accepted)
                }
                let issued = try await JobQueueTests.count(
                    "SELECT count(*) FROM account_tokens t JOIN users u ON u.id = t.user_id WHERE u.email = \(email) AND t.purpose = 'reset_password'",
                    in: Database(client: try await TestEnvironment.shared.client().client)
                )
                #expect(issued == 3)
            }
        }
    }

    @Test func aSignInFromANewDeviceIsEmailed() async throws {
        try await withApp { client, _ in
            let email = "mail-linus@emails.test"
            _ = try await AuthTests.signup(client, email: email, organization: "Mail Linus", ip: 73)
            var headers = Self.ip(73)
            headers[.userAgent] = "TrellisTests/1 (a new laptop)"
            let login = try await client.request(
                .post, "/api/v1/auth/login", bearer: nil, json: #"{"email": "\#(email)", "password": "\#(AuthTests.password)"}"#, headers: headers
            )
            #expect(login.status == .ok)
            let again = try await client.request(
                .post, "/api/v1/auth/login", bearer: nil, json: #"{"email": "\#(email)", "password": "\#(AuthTests.password)"}"#, headers: headers
            )
            #expect(again.status == .ok)
            let database = Database(client: try await TestEnvironment.shared.client().client)
            #expect(
                try await JobQueueTests.count(
                    "SELECT count(*) FROM email_outbox WHERE recipient = \(email) AND subject = 'New sign-in to your Trellis account'", in: database
                ) == 1,
                "the first sign-in from that device only"
            )
        }
    }

    @Test func changingTheEmailReverifiesAndTellsTheOldAddress() async throws {
        try await withApp { client, _ in
            let (old, new) = ("mail-ada-old@emails.test", "mail-ada-new@emails.test")
            let session = try await AuthTests.signup(client, email: old, organization: "Mail Move", ip: 78)
            let database = Database(client: try await TestEnvironment.shared.client().client)
            let wrong = try await client.request(
                .post, "/api/v1/auth/email", bearer: session.access, json: #"{"new_email": "\#(new)", "password": "not the password at all"}"#
            )
            #expect(wrong.status == .unprocessableContent)
            let moved = try await client.request(
                .post, "/api/v1/auth/email", bearer: session.access, json: #"{"new_email": "\#(new)", "password": "\#(AuthTests.password)"}"#
            )
            #expect(moved.status == .ok, "\(moved.text)")
            #expect(try moved.data["email"] as? String == new)
            #expect(try moved.data["email_verified_at"] is NSNull)
            let told = try await JobQueueTests.count(
                "SELECT count(*) FROM email_outbox WHERE recipient = \(old) AND subject = 'The email address of your Trellis account was changed' AND body LIKE '%' || \(new) || '%'",
                in: database
            )
            #expect(told == 1, "the old address is told")
            let verification = try await JobQueueTests.count(
                "SELECT count(*) FROM email_outbox WHERE recipient = \(new) AND subject = 'Confirm your email address for Trellis'", in: database
            )
            #expect(verification == 1, "the new address is verified again")
            // The link sent at sign-up, to the old address, no longer verifies anything.
            var body = ""
            for try await text in try await database.client.query(
                "SELECT body FROM email_outbox WHERE recipient = \(old) AND subject LIKE 'Confirm%'", logger: TestEnvironment.shared.logger
            ).decode(String.self) { body = text }
            let token = try Self.token(after: "\(TestEnvironment.appURL)/verify-email", in: body)
            let stale = try await client.request(.post, "/api/v1/auth/verify-email", bearer: nil, json: #"{"token": "\#(token)"}"#)
            #expect(stale.status == .unprocessableContent)
            #expect(try await AuthTests.login(client, new, AuthTests.password, ip: 78).status == .ok)
            let taken = try await client.request(
                .post, "/api/v1/auth/email", bearer: session.access,
                json: #"{"new_email": "\#(Users.user(.owner, in: "acme").email)", "password": "\#(AuthTests.password)"}"#
            )
            #expect(taken.status == .conflict)
        }
    }

    @Test func theMailboxShowsMessagesInDevelopmentOnly() async throws {
        try await withApp(configure: { $0.environment = .development }) { client, _ in
            let email = "mail-barbara@emails.test"
            _ = try await AuthTests.signup(client, email: email, organization: "Mail Barbara", ip: 74)
            let page = try await client.request(.get, "/dev/mailbox", bearer: nil)
            #expect(page.status == .ok)
            #expect(page.headers[.contentType]?.hasPrefix("text/html") == true)
            #expect(page.text.contains(email) && page.text.contains("Welcome to Trellis"))
            let database = Database(client: try await TestEnvironment.shared.client().client)
            var id: UUID?
            for try await value in try await database.client.query(
                "SELECT id FROM email_outbox WHERE recipient = \(email) AND subject = 'Welcome to Trellis'", logger: TestEnvironment.shared.logger
            ).decode(UUID.self) { id = value }
            let message = try await client.request(.get, "/dev/mailbox/\(try #require(id).uuidString.lowercased())", bearer: nil)
            #expect(message.status == .ok)
            #expect(message.text.contains("<html") && message.text.contains("Open Trellis"))
            #expect(message.headers[.contentSecurityPolicy]?.contains("sandbox") == true)
        }
        try await withApp { client, _ in
            let page = try await client.request(.get, "/dev/mailbox", bearer: nil)
            #expect(page.status == .notFound, "not mounted outside development")
        }
    }
}

/// The example app's API with `email_verification: required_for_writes`, as a project file sets it.
struct VerifiedWritesAPI: TrellisAPI {
    let base = App.api()
    static var migrations: [Migration] { GeneratedAPI.migrations }
    static var openAPIJSON: String { GeneratedAPI.openAPIJSON }
    static var constraints: ConstraintCatalog { GeneratedAPI.constraints }
    static var emailVerification: EmailVerificationRule { .requiredForWrites }

    func addRoutes(to group: RouterGroup<TrellisRequestContext>, database: Database) {
        base.addRoutes(to: group, database: database)
    }
}

/// An API that requires a verified email for writes: an unverified account reads but cannot
/// write (403 naming the email), through its session or its API key; once verified, its next
/// session writes.
@Suite struct VerifiedWritesTests {
    @Test func unverifiedAccountsReadButCannotWriteUntilVerified() async throws {
        try await withApp(serving: VerifiedWritesAPI()) { client, _ in
            let email = "mail-unverified@emails.test"
            let session = try await AuthTests.signup(client, email: email, organization: "Mail Unverified", ip: 79)
            #expect(try await client.request(.get, "/api/v1/projects", bearer: session.access).status == .ok)
            let refused = try await client.request(.post, "/api/v1/projects", bearer: session.access, json: #"{"name": "Early", "slug": "early"}"#)
            #expect(refused.status == .forbidden)
            #expect(refused.text.contains("is not verified"), "\(refused.text)")
            let key = try await client.request(
                .post, "/api/v1/api-keys", bearer: session.access, json: #"{"name": "ci", "scopes": ["*"]}"#
            )
            let secret = try #require(try key.data["key"] as? String)
            #expect(try await client.request(.post, "/api/v1/projects", bearer: secret, json: #"{"name": "Key", "slug": "key"}"#).status == .forbidden)

            let database = Database(client: try await TestEnvironment.shared.client().client)
            var body = ""
            for try await text in try await database.client.query(
                "SELECT body FROM email_outbox WHERE recipient = \(email) AND subject LIKE 'Confirm%'", logger: TestEnvironment.shared.logger
            ).decode(String.self) { body = text }
            let token = try AccountEmailTests.token(after: "\(TestEnvironment.appURL)/verify-email", in: body)
            #expect(try await client.request(.post, "/api/v1/auth/verify-email", bearer: nil, json: #"{"token": "\#(token)"}"#).status == .ok)
            let refreshed = try AuthTests.session(try await AuthTests.refresh(client, session.refresh, ip: 79))
            let created = try await client.request(.post, "/api/v1/projects", bearer: refreshed.access, json: #"{"name": "Later", "slug": "later"}"#)
            #expect(created.status == .created, "\(created.text)")
            #expect(try await client.request(.post, "/api/v1/projects", bearer: secret, json: #"{"name": "Key", "slug": "key"}"#).status == .created)
        }
    }
}
