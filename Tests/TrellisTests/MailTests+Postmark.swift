import Foundation
import Logging
import TestPeers
import Testing

@testable import Trellis

extension MailTests {
    /// PostmarkTransport against scripts/http_receiver.py standing in for Postmark's API.
    @Suite struct Postmark {
        static let token = "server-token-0123"

        /// Runs the receiver answering `statuses` with `body`, and gives `body` the receiver and a
        /// transport pointed at it.
        static func withReceiver<Result>(
            statuses: String, answer: String = "{}",
            _ body: (PeerProcess, PostmarkTransport) async throws -> Result
        ) async throws -> Result {
            let directory = try PeerProcess.temporaryDirectory(named: "postmark")
            defer { try? FileManager.default.removeItem(at: directory) }
            return try await PeerProcess.with(
                script: "http_receiver.py",
                arguments: [
                    "--port", "0", "--output", "{dir}/requests.jsonl", "--statuses", statuses, "--body",
                    answer,
                ],
                in: directory
            ) { receiver in
                let transport = PostmarkTransport(
                    serverToken: token, messageStream: "account-mail",
                    baseURL: "http://127.0.0.1:\(receiver.port)/", timeout: .seconds(10)
                )
                return try await body(receiver, transport)
            }
        }

        @Test func postsTheMessageAsPostmarkJSONWithTheToken() async throws {
            let answer =
                #"{"To": "ada@example.org", "SubmittedAt": "2025-03-04T09:05:00Z", "MessageID": "b7bc2f4a", "ErrorCode": 0, "Message": "OK"}"#
            try await Self.withReceiver(statuses: "200", answer: answer) { receiver, transport in
                try await transport.send(MailTests.message, logger: SMTP.logger)

                let requests = receiver.records(in: "requests.jsonl")
                try #require(requests.count == 1, "\(receiver.stderr)")
                #expect(requests[0]["method"] as? String == "POST")
                #expect(requests[0]["path"] as? String == "/email")
                let headers = try #require(requests[0]["headers"] as? [String: String])
                #expect(headers["x-postmark-server-token"] == Self.token)
                #expect(headers["accept"] == "application/json")
                #expect(headers["content-type"] == "application/json")
                let body = try #require(requests[0]["body"] as? String)
                let json = try #require(
                    try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: String])
                #expect(
                    json == [
                        "From": "Acme Café <hello@acme.example>",
                        "To": "Ada Lovelace <ada@example.org>, bob@example.org",
                        "ReplyTo": "\"Acme, Support\" <support@acme.example>",
                        "Subject": MailTests.message.subject, "HtmlBody": MailTests.message.html,
                        "TextBody": MailTests.message.text,
                        "MessageStream": "account-mail",
                    ]
                )
            }
        }

        @Test func a422IsPermanentWithPostmarksErrorCode() async throws {
            let answer =
                #"{"ErrorCode": 406, "Message": "You tried to send to a recipient that has been marked as inactive."}"#
            try await Self.withReceiver(statuses: "422", answer: answer) { _, transport in
                let error = await SMTP.deliveryError {
                    try await transport.send(MailTests.message, logger: SMTP.logger)
                }
                #expect(error?.isPermanent == true)
                #expect(
                    error?.reason
                        == .httpStatus(
                            422, providerCode: 406,
                            message: "You tried to send to a recipient that has been marked as inactive.")
                )
                #expect(error.map { !"\($0)".contains(Self.token) } == true)
            }
        }

        @Test func a500Or429IsTransientAndTheNextTryGoesThrough() async throws {
            try await Self.withReceiver(statuses: "500,429,200") { receiver, transport in
                let first = await SMTP.deliveryError {
                    try await transport.send(MailTests.message, logger: SMTP.logger)
                }
                #expect(
                    first == MailDeliveryError(.transient, .httpStatus(500, providerCode: nil, message: nil)))
                let second = await SMTP.deliveryError {
                    try await transport.send(MailTests.message, logger: SMTP.logger)
                }
                #expect(
                    second == MailDeliveryError(.transient, .httpStatus(429, providerCode: nil, message: nil))
                )
                try await transport.send(MailTests.message, logger: SMTP.logger)
                #expect(receiver.records(in: "requests.jsonl").count == 3)
            }
        }

        @Test func anUnreachableAPIIsTransient() async throws {
            let port = try FreePort.find()
            // AsyncHTTPClient tries connecting again until the request's deadline.
            let transport = PostmarkTransport(
                serverToken: Self.token, baseURL: "http://127.0.0.1:\(port)", timeout: .seconds(2))
            let error = await SMTP.deliveryError {
                try await transport.send(MailTests.message, logger: SMTP.logger)
            }
            #expect(error?.isPermanent == false)
        }

        @Test func anInvalidMessageIsNotPosted() async throws {
            try await Self.withReceiver(statuses: "200") { receiver, transport in
                var message = MailTests.message
                message.to = [MailAddress("ada@example.org\r\nBcc: eve@example.org")]
                let error = await SMTP.deliveryError {
                    try await transport.send(message, logger: SMTP.logger)
                }
                #expect(error?.isPermanent == true)
                #expect(receiver.records(in: "requests.jsonl").isEmpty)
            }
        }
    }
}
