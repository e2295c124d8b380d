import Foundation
import Logging
import TestPeers
import Testing

@testable import Trellis

extension MailTests {
    /// SMTPTransport against a real SMTP server: scripts/smtp_server.py (aiosmtpd), with STARTTLS
    /// or implicit TLS on a self-signed certificate made for the test, and AUTH required.
    @Suite struct SMTP {
        static let username = "mailer"
        static let password = "s3cret:@/ pass"
        static let encodedPassword = "s3cret%3A%40%2F%20pass"

        static let logger: Logger = {
            var logger = Logger(label: "trellis.tests.mail")
            logger.logLevel = .warning
            return logger
        }()

        /// A message to `ada@example.org` and `bob@example.org` with a non-ASCII subject and a line that starts with a dot.
        static let message = MailTests.message

        /// Runs scripts/smtp_server.py (TLS `tls`, AUTH with ``username``/``password``, then
        /// `options`) and gives `body` the server and the certificate to trust.
        static func withServer<Result>(
            tls: String = "starttls", options: [String] = [],
            _ body: (PeerProcess, SelfSignedCertificate) async throws -> Result
        ) async throws -> Result {
            let directory = try PeerProcess.temporaryDirectory(named: "smtp")
            defer { try? FileManager.default.removeItem(at: directory) }
            let certificate = try SelfSignedCertificate.make(in: directory)
            return try await PeerProcess.with(
                script: "smtp_server.py",
                arguments: [
                    "--port", "0", "--output", "{dir}/messages.jsonl", "--tls", tls, "--cert",
                    certificate.certificate.path,
                    "--key", certificate.key.path, "--username", username, "--password", password,
                ] + options,
                in: directory
            ) { server in
                try await body(server, certificate)
            }
        }

        /// The transport for `server`: STARTTLS unless `scheme` is smtps, trusting `certificate`.
        static func transport(
            _ server: PeerProcess, _ certificate: SelfSignedCertificate?, scheme: String = "smtp",
            password: String = encodedPassword,
            query: String = ""
        ) throws -> SMTPTransport {
            let caFile = certificate.map { "ca_file=\($0.certificate.path)&" } ?? ""
            return try SMTPTransport(
                url:
                    "\(scheme)://\(username):\(password)@127.0.0.1:\(server.port)?\(caFile)timeout=10\(query)"
            )
        }

        /// `body` throws a ``MailDeliveryError``, which is returned.
        static func deliveryError(_ body: () async throws -> Void) async -> MailDeliveryError? {
            do {
                try await body()
                return nil
            } catch let error as MailDeliveryError {
                return error
            } catch {
                Issue.record("not a MailDeliveryError: \(error)")
                return nil
            }
        }

        @Test func deliversOverSTARTTLSWithAuthBothPartsIntact() async throws {
            try await Self.withServer { server, certificate in
                try await Self.transport(server, certificate).send(Self.message, logger: Self.logger)

                let records = server.records(in: "messages.jsonl")
                try #require(records.count == 1, "\(server.stderr)")
                #expect(records[0]["mail_from"] as? String == "hello@acme.example")
                #expect(records[0]["rcpt_tos"] as? [String] == ["ada@example.org", "bob@example.org"])
                let data = try #require(records[0]["data"] as? String)
                let parsed = MIMEDecoding.parse(data)
                #expect(MIMEDecoding.decodeWords(parsed.header("Subject") ?? "") == Self.message.subject)
                #expect(parsed.header("Message-ID")?.hasSuffix("@acme.example>") == true)
                #expect(parsed.header("Date") != nil && parsed.header("MIME-Version") == "1.0")
                let parts = MIMEDecoding.parts(of: parsed)
                try #require(parts.count == 2)
                #expect(parts[0].header("Content-Type") == "text/plain; charset=utf-8")
                #expect(parts[1].header("Content-Type") == "text/html; charset=utf-8")
                #expect(
                    MIMEDecoding.quotedPrintable(parts[0].body) == Self.message.text,
                    "the dot-stuffed lines come back as they were")
                #expect(MIMEDecoding.quotedPrintable(parts[1].body) == Self.message.html)
            }
        }

        @Test func deliversOverImplicitTLSWithAuthLogin() async throws {
            try await Self.withServer(tls: "implicit", options: ["--auth-exclude", "PLAIN"]) {
                server, certificate in
                try await Self.transport(server, certificate, scheme: "smtps").send(
                    Self.message, logger: Self.logger)
                let records = server.records(in: "messages.jsonl")
                #expect(records.count == 1, "\(server.stderr)")
                #expect(records.first?["rcpt_tos"] as? [String] == ["ada@example.org", "bob@example.org"])
            }
        }

        @Test func aWrongPasswordIsPermanentAndNotRepeated() async throws {
            try await Self.withServer { server, certificate in
                let error = await Self.deliveryError {
                    try await Self.transport(server, certificate, password: "wrong-password").send(
                        Self.message, logger: Self.logger)
                }
                #expect(error?.isPermanent == true)
                guard case .smtpReply(let step, let code, _) = error?.reason else {
                    Issue.record("not a reply: \(String(describing: error))")
                    return
                }
                #expect(step == "AUTH PLAIN" && code == 535)
                #expect(error.map { !"\($0)".contains("wrong-password") } == true)
                #expect(server.records(in: "messages.jsonl").isEmpty)
            }
        }

        @Test func aRecipientAnswered451IsTransient() async throws {
            try await Self.withServer(options: ["--reject-rcpt", "451", "--reject-count", "1"]) {
                server, certificate in
                let transport = try Self.transport(server, certificate)
                let error = await Self.deliveryError {
                    try await transport.send(Self.message, logger: Self.logger)
                }
                #expect(error?.isPermanent == false)
                #expect(
                    error?.reason
                        == .smtpReply(
                            step: "RCPT TO", code: 451, text: "4.3.0 Temporary local problem, try again later"))
                #expect(
                    server.records(in: "messages.jsonl").isEmpty,
                    "a refused recipient stops the message before DATA")

                // The server accepts again: the same message goes through.
                try await transport.send(Self.message, logger: Self.logger)
                #expect(server.records(in: "messages.jsonl").count == 1)
            }
        }

        @Test func aMessageAnswered550IsPermanent() async throws {
            try await Self.withServer(options: ["--reject-data", "550"]) { server, certificate in
                let error = await Self.deliveryError {
                    try await Self.transport(server, certificate).send(Self.message, logger: Self.logger)
                }
                #expect(error?.isPermanent == true)
                #expect(
                    error?.reason
                        == .smtpReply(step: "end of data", code: 550, text: "5.1.1 Mailbox unavailable"))
                #expect(
                    error.map { !"\($0)".contains("Hello Ada") } == true, "the body is not in the error")
            }
        }

        @Test func aServerWithoutTLSIsRefusedWhenSTARTTLSIsRequired() async throws {
            try await Self.withServer(tls: "none") { server, _ in
                let error = await Self.deliveryError {
                    try await Self.transport(server, nil).send(Self.message, logger: Self.logger)
                }
                #expect(error == MailDeliveryError(.permanent, .tlsUnavailable))
                #expect(server.records(in: "messages.jsonl").isEmpty)

                // Chosen explicitly (local development), plain text works.
                try await Self.transport(server, nil, query: "&security=none").send(
                    Self.message, logger: Self.logger)
                #expect(server.records(in: "messages.jsonl").count == 1)
            }
        }

        @Test func anUntrustedCertificateFailsTLS() async throws {
            try await Self.withServer { server, _ in
                let error = await Self.deliveryError {
                    try await Self.transport(server, nil).send(Self.message, logger: Self.logger)
                }
                guard case .tlsFailed = error?.reason else {
                    Issue.record("not a TLS failure: \(String(describing: error))")
                    return
                }
                #expect(error?.isPermanent == false)
                #expect(server.records(in: "messages.jsonl").isEmpty)
            }
        }

        @Test func aRefusedConnectionIsTransient() async throws {
            let port = try FreePort.find()
            let transport = try SMTPTransport(url: "smtp://127.0.0.1:\(port)?timeout=5")
            let error = await Self.deliveryError {
                try await transport.send(Self.message, logger: Self.logger)
            }
            guard case .connectionFailed = error?.reason else {
                Issue.record("not a connection failure: \(String(describing: error))")
                return
            }
            #expect(error?.isPermanent == false)
        }

        @Test func aServerThatSaysNothingTimesOut() async throws {
            // An HTTP server waits for a request: as an SMTP server, it never greets.
            let directory = try PeerProcess.temporaryDirectory(named: "silent")
            defer { try? FileManager.default.removeItem(at: directory) }
            try await PeerProcess.with(
                script: "http_receiver.py", arguments: ["--port", "0", "--output", "{dir}/requests.jsonl"],
                in: directory
            ) {
                server in
                let transport = try SMTPTransport(url: "smtp://127.0.0.1:\(server.port)?timeout=1")
                let started = ContinuousClock.now
                let error = await Self.deliveryError {
                    try await transport.send(Self.message, logger: Self.logger)
                }
                #expect(error == MailDeliveryError(.transient, .timeout(step: "greeting")))
                #expect(ContinuousClock.now - started < .seconds(5))
            }
        }

        @Test func anInvalidMessageIsRefusedBeforeConnecting() async throws {
            var message = Self.message
            message.subject = "Hi\r\nBcc: victim@example.org"
            let transport = try SMTPTransport(url: "smtp://127.0.0.1:1")
            let error = await Self.deliveryError {
                try await transport.send(message, logger: Self.logger)
            }
            #expect(
                error == MailDeliveryError(.permanent, .invalidMessage(.headerInjection(field: "Subject"))))
        }
    }
}
