import Foundation
import Logging
import PostgresNIO

/// An email to send: who to, the subject and the plain-text body.
public struct OutgoingEmail: Sendable, Hashable {
    public var recipient: String
    public var subject: String
    public var body: String

    /// The subject is kept on one line (CR and LF become spaces), so no value put in it can add
    /// a header when a worker renders the message.
    public init(recipient: String, subject: String, body: String) {
        self.recipient = recipient
        self.subject = subject.replacingOccurrences(of: "\r", with: " ").replacingOccurrences(of: "\n", with: " ")
        self.body = body
    }
}

/// An `email_outbox` row just written: what a transport may say about it. No body: bodies may
/// hold secrets (invitation links), so they never leave the database except to the recipient.
public struct QueuedEmail: Sendable, Hashable {
    public var id: UUID
    public var recipient: String
    public var subject: String
}

/// Outgoing email, written to `email_outbox` in the transaction of the change that sends it, so
/// an email is queued exactly when that change commits. A worker delivers the rows later.
public enum EmailOutbox {
    /// Queues `email` on `connection` (inside the caller's transaction, if any).
    public static func enqueue(_ email: OutgoingEmail, on connection: PostgresConnection, logger: Logger) async throws -> QueuedEmail {
        let id = UUID.v7()
        try await connection.query(
            "INSERT INTO email_outbox (id, recipient, subject, body) VALUES (\(id), \(email.recipient), \(email.subject), \(email.body))",
            logger: logger
        )
        return QueuedEmail(id: id, recipient: email.recipient, subject: email.subject)
    }
}

/// Told about each email once the transaction that queued it has committed.
public protocol EmailTransport: Sendable {
    func queued(_ email: QueuedEmail, logger: Logger) async
}

/// The development transport: logs that an email was queued (outbox id, recipient and subject;
/// never the body) and leaves the row for a real worker.
public struct LoggingEmailTransport: EmailTransport {
    public init() {}

    public func queued(_ email: QueuedEmail, logger: Logger) async {
        logger.info(
            "email queued",
            metadata: [
                "outbox_id": "\(email.id.uuidString.lowercased())", "recipient": "\(email.recipient)", "subject": "\(email.subject)",
            ]
        )
    }
}
