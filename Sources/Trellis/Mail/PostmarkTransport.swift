import AsyncHTTPClient
import Foundation
import Logging
import NIOCore

/// Delivers mail through Postmark's HTTP API (`POST /email`), for hosts where outgoing SMTP is
/// blocked.
///
/// Statuses: 2xx delivered; 4xx other than 429 permanent (422 is Postmark's "invalid request":
/// an inactive recipient, a sender signature not confirmed, ...); 429 and 5xx transient, as are
/// timeouts and connection failures. Postmark's `ErrorCode` and `Message` go into the error.
public struct PostmarkTransport: MailTransport {
    /// Postmark's API.
    public static let defaultBaseURL = "https://api.postmarkapp.com"

    /// The server's API token (the `X-Postmark-Server-Token` header; never logged).
    private let serverToken: String
    /// The message stream (`outbound` is the default transactional stream).
    public let messageStream: String
    /// The API's base URL, without a trailing slash (a local receiver in tests).
    public let baseURL: String
    /// How long a request may take, from connecting to the whole answer.
    public let timeout: Duration
    private let httpClient: HTTPClient

    /// A transport sending with `serverToken` to `messageStream`, through `httpClient`
    /// (by default the process's shared client).
    public init(
        serverToken: String, messageStream: String = "outbound",
        baseURL: String = PostmarkTransport.defaultBaseURL,
        timeout: Duration = .seconds(30), httpClient: HTTPClient = .shared
    ) {
        self.serverToken = serverToken
        self.messageStream = messageStream
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.timeout = timeout
        self.httpClient = httpClient
    }

    /// The JSON body of `POST /email`.
    struct EmailRequest: Encodable {
        var From: String
        var To: String
        var ReplyTo: String?
        var Subject: String
        var HtmlBody: String
        var TextBody: String
        var MessageStream: String
    }

    /// The fields of Postmark's answer this transport reads.
    struct EmailResponse: Decodable {
        var ErrorCode: Int?
        var Message: String?
        var MessageID: String?
    }

    /// The request body for `message`: its addresses as `Name <address>`, its subject and bodies.
    func requestBody(for message: MailMessage) throws -> Data {
        let body = EmailRequest(
            From: Self.formatted(message.from),
            To: message.to.map(Self.formatted).joined(separator: ", "),
            ReplyTo: message.replyTo.map(Self.formatted), Subject: message.subject,
            HtmlBody: message.html, TextBody: message.text,
            MessageStream: messageStream
        )
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(body)
    }

    /// Checks and sends `message` (it is rendered first, so the limits of
    /// ``MailMessage/rendered(messageID:date:)`` hold here too).
    ///
    /// - Throws: ``MailDeliveryError`` only.
    public func send(_ message: MailMessage, logger: Logger) async throws {
        do {
            _ = try message.rendered()
        } catch {
            throw MailDeliveryError(.permanent, .invalidMessage(error))
        }
        var request = HTTPClientRequest(url: baseURL + "/email")
        request.method = .POST
        request.headers.add(name: "Accept", value: "application/json")
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "X-Postmark-Server-Token", value: serverToken)
        do {
            request.body = .bytes(ByteBuffer(bytes: try requestBody(for: message)))
        } catch {
            throw MailDeliveryError(.permanent, .protocolViolation("cannot encode the request: \(error)"))
        }

        let status: Int
        let answer: EmailResponse?
        do {
            let response = try await httpClient.execute(
                request, timeout: TimeAmount(timeout), logger: logger)
            status = Int(response.status.code)
            let body = try await response.body.collect(upTo: 64 * 1024)
            answer = try? JSONDecoder().decode(EmailResponse.self, from: Data(body.readableBytesView))
        } catch let error as HTTPClientError
            where [.deadlineExceeded, .connectTimeout, .readTimeout, .writeTimeout].contains(error)
        {
            throw MailDeliveryError(.transient, .timeout(step: "POST /email"))
        } catch {
            throw MailDeliveryError(.transient, .connectionFailed("\(baseURL): \(error)"))
        }
        guard (200..<300).contains(status) else {
            throw MailDeliveryError.http(
                status: status, providerCode: answer?.ErrorCode,
                message: answer?.Message.map { String($0.prefix(500)) })
        }
        logger.info(
            "mail delivered",
            metadata: [
                "postmark_message_id": "\(answer?.MessageID ?? "")",
                "mail_recipients": "\(message.to.count)",
            ])
    }

    /// `Name <address>`, the name quoted when it holds more than letters, digits and spaces.
    static func formatted(_ address: MailAddress) -> String {
        guard let name = address.name, !name.isEmpty else { return address.address }
        let plain = name.unicodeScalars.allSatisfy {
            $0.properties.isAlphabetic || $0.properties.numericType != nil || $0 == " "
        }
        if plain { return "\(name) <\(address.address)>" }
        let escaped = name.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(
            of: "\"", with: "\\\"")
        return "\"\(escaped)\" <\(address.address)>"
    }
}
