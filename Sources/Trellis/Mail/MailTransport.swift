import Logging

/// Something that delivers a ``MailMessage``: ``SMTPTransport``, ``PostmarkTransport``.
///
/// `send` returns once the server (the SMTP server, the provider's API) accepted the message for
/// delivery. It throws ``MailDeliveryError`` only, whose ``MailDeliveryError/isPermanent`` tells
/// whether sending the same message again can succeed.
public protocol MailTransport: Sendable {
    /// Delivers `message` to its server, logging the steps (never the body or credentials) to `logger`.
    func send(_ message: MailMessage, logger: Logger) async throws
}
