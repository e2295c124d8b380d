import Foundation
import Logging
import PostgresNIO

/// Where email comes from and how it leaves: through a transport (`SMTP_URL`: ``SMTPTransport``;
/// `POSTMARK_SERVER_TOKEN`: ``PostmarkTransport``), or, with none, into the mailbox: messages stay
/// in `email_outbox`, shown at `/dev/mailbox` in development.
public struct MailOptions: Sendable {
    /// `MAIL_FROM`: `Name <address>` or an address.
    public var from: MailAddress
    /// The product name in templates (`MAIL_PRODUCT_NAME`).
    public var productName: String
    /// The transport; nil keeps messages in the mailbox.
    public var transport: (any MailTransport)?
    /// `smtp`, `postmark` or `mailbox`: recorded in `email_outbox.transport`.
    public var transportName: String

    public init(
        from: MailAddress = MailAddress("no-reply@localhost", name: "Trellis"), productName: String = "Trellis",
        transport: (any MailTransport)? = nil, transportName: String = "mailbox"
    ) {
        self.from = from
        self.productName = productName
        self.transport = transport
        self.transportName = transport == nil ? "mailbox" : transportName
    }

    /// The account emails' templates.
    public var templates: MailTemplates { MailTemplates(branding: MailBranding(productName: productName, supportAddress: nil)) }
}

/// Sends `email_outbox` rows (``SendEmail`` jobs) through the configured transport. A permanent
/// refusal (an SMTP 5xx, a provider's 4xx) fails the row at once; a transient one is retried with
/// the job queue's backoff, up to ``SendEmail/maxAttempts``; the row records how it ended.
public struct EmailDelivery: Sendable {
    public let options: MailOptions

    public init(options: MailOptions) {
        self.options = options
    }

    /// The send job, for the server's registry.
    public var jobs: JobRegistry {
        var registry = JobRegistry()
        registry.register(SendEmail.self) { job, context in try await send(job.outboxID, context: context) }
        return registry
    }

    func send(_ id: UUID, context: JobContext) async throws {
        let logger = context.logger
        let rows = try await context.database.client.query(
            // A failed message is sent again only when an administrator retries its job.
            "SELECT recipient, subject, body, html FROM email_outbox WHERE id = \(id) AND status IN ('pending', 'failed')", logger: logger
        )
        var row: (String, String, String, String?)?
        for try await found in rows.decode((String, String, String, String?).self) { row = found }
        guard let (recipient, subject, text, html) = row else { return }
        do {
            if let transport = options.transport {
                let message = MailMessage(
                    from: options.from, to: [MailAddress(recipient)], subject: subject, text: text, html: html ?? Self.html(from: text)
                )
                try await transport.send(message, logger: logger)
            }
        } catch let error as MailDeliveryError {
            let final = error.isPermanent || context.attempt >= context.maxAttempts
            if final { try await record(id, status: "failed", error: error.description, context: context) }
            if error.isPermanent { throw JobDiscarded(error.description) }
            throw error
        }
        try await record(id, status: "sent", error: nil, context: context)
    }

    private func record(_ id: UUID, status: String, error: String?, context: JobContext) async throws {
        try await context.database.client.query(
            """
            UPDATE email_outbox SET status = \(status), transport = \(options.transportName), last_error = \(error),
                sent_at = CASE WHEN \(status) = 'sent' THEN now() END
            WHERE id = \(id)
            """,
            logger: context.logger
        )
    }

    /// A plain-text body as HTML, for rows queued without one.
    static func html(from text: String) -> String {
        let escaped = text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
        return "<!DOCTYPE html><html><body><pre style=\"font-family: sans-serif; white-space: pre-wrap\">\(escaped)</pre></body></html>"
    }
}
