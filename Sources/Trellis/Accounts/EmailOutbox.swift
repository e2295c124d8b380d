import Foundation
import Logging
import PostgresNIO

/// An email to send: who to, the subject, the plain-text body and, usually, an HTML body.
public struct OutgoingEmail: Sendable, Hashable {
    public var recipient: String
    public var subject: String
    public var body: String
    public var html: String?

    /// The subject is kept on one line (CR and LF become spaces), so no value put in it can add
    /// a header when the message is rendered.
    public init(recipient: String, subject: String, body: String, html: String? = nil) {
        self.recipient = recipient
        self.subject = subject.replacingOccurrences(of: "\r", with: " ").replacingOccurrences(of: "\n", with: " ")
        self.body = body
        self.html = html
    }

    /// A message of ``MailTemplates``.
    public init(recipient: String, content: MailContent) {
        self.init(recipient: recipient, subject: content.subject, body: content.text, html: content.html)
    }
}

/// An `email_outbox` row just written: what may be logged about it. No body: bodies may hold
/// secrets (invitation and reset links), so they never leave the database except to the recipient.
public struct QueuedEmail: Sendable, Hashable {
    public var id: UUID
    public var recipient: String
    public var subject: String
}

/// Outgoing email, written to `email_outbox` with the ``SendEmail`` job that delivers it, in the
/// transaction of the change that sends it: an email is sent exactly when that change commits.
public enum EmailOutbox {
    /// Queues `email` on `connection` (inside the caller's transaction, if any).
    @discardableResult
    public static func enqueue(_ email: OutgoingEmail, on connection: PostgresConnection, logger: Logger) async throws -> QueuedEmail {
        let id = UUID.v7()
        try await connection.query(
            """
            INSERT INTO email_outbox (id, recipient, subject, body, html)
            VALUES (\(id), \(email.recipient), \(email.subject), \(email.body), \(email.html))
            """,
            logger: logger
        )
        try await JobQueue.enqueue(SendEmail(outboxID: id), on: connection, logger: logger)
        logger.debug("email queued", metadata: ["outbox_id": "\(id.lowercasedString)", "subject": "\(email.subject)"])
        return QueuedEmail(id: id, recipient: email.recipient, subject: email.subject)
    }
}

/// The job that delivers one `email_outbox` row, on the `mailers` queue (``EmailDelivery``).
public struct SendEmail: JobDefinition {
    public static let kind = "trellis.send_email"
    public static let queue = JobQueueName.mailers
    public static let maxAttempts = 10

    public var outboxID: UUID
}
