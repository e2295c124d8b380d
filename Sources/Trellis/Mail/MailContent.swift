/// What an email says: its subject and its two bodies (``MailTemplates`` makes them; a
/// ``MailMessage`` carries them).
public struct MailContent: Sendable, Hashable {
    /// The subject line (one line).
    public var subject: String
    /// The HTML body: a whole document, values HTML-escaped.
    public var html: String
    /// The plain-text body.
    public var text: String

    /// Content of `subject`, `html` and `text`.
    public init(subject: String, html: String, text: String) {
        self.subject = subject
        self.html = html
        self.text = text
    }
}
