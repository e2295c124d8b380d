import Foundation

/// One email: who sends it, to whom, and its subject with a plain-text and an HTML body.
///
/// ``rendered(messageID:date:)`` turns it into the RFC 5322 text a transport sends
/// (`multipart/alternative`, text then HTML); every ``MailTransport`` renders (and so checks) a
/// message before it sends it.
public struct MailMessage: Sendable, Hashable {
    /// The sender (the `From` header and the SMTP envelope sender).
    public var from: MailAddress
    /// The recipients (the `To` header and the SMTP envelope recipients); at least one.
    public var to: [MailAddress]
    /// Where replies go, when not to ``from``.
    public var replyTo: MailAddress?
    /// The subject line; any Unicode, no line breaks.
    public var subject: String
    /// The plain-text body.
    public var text: String
    /// The HTML body (a whole document or a fragment).
    public var html: String

    /// A message from `from` to `to` with both bodies.
    public init(
        from: MailAddress, to: [MailAddress], replyTo: MailAddress? = nil, subject: String,
        text: String, html: String
    ) {
        self.from = from
        self.to = to
        self.replyTo = replyTo
        self.subject = subject
        self.text = text
        self.html = html
    }

    /// A message from `from` to `to` with the subject and bodies of `content` (a ``MailTemplates`` email).
    public init(
        from: MailAddress, to: [MailAddress], replyTo: MailAddress? = nil, content: MailContent
    ) {
        self.init(
            from: from, to: to, replyTo: replyTo, subject: content.subject, text: content.text,
            html: content.html)
    }

    /// The largest rendered message accepted, in bytes: 102 KB, past which Gmail clips a message.
    public static let maximumRenderedSize = 102 * 1024
}

/// Why a ``MailMessage`` cannot be rendered (and so will never be sent as it is).
public enum MailMessageError: Error, Sendable, Hashable, CustomStringConvertible {
    /// An address that ``MailAddress/isValid`` rejects; `field` is the header it was for (`From`, `To`, `Reply-To`).
    case invalidAddress(field: String, address: String)
    /// The message has no recipient.
    case noRecipients
    /// A header value (`field`: `Subject`, or the display name of `From`, `To`, `Reply-To`) holds a
    /// carriage return, a line feed or another control character, which could smuggle in headers.
    case headerInjection(field: String)
    /// The message ID is not `left@right` of printable ASCII without spaces or angle brackets.
    case invalidMessageID(String)
    /// The rendered message is larger than ``MailMessage/maximumRenderedSize``.
    case tooLarge(size: Int, limit: Int)

    /// What is wrong, naming the field (never a body).
    public var description: String {
        switch self {
        case .invalidAddress(let field, let address):
            "invalid \(field) address \(address.debugDescription)"
        case .noRecipients: "the message has no recipient"
        case .headerInjection(let field):
            "the \(field) header holds a line break or another control character"
        case .invalidMessageID(let id): "invalid message ID \(id.debugDescription)"
        case .tooLarge(let size, let limit):
            "the rendered message is \(size) bytes, over the \(limit) bytes allowed"
        }
    }
}
