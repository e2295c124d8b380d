/// Why a ``MailTransport`` could not deliver a message, and whether trying again may help.
///
/// Permanent: an SMTP 5xx reply, an HTTP 4xx status other than 429, a message that cannot be
/// rendered (a bad address, a header injection attempt, too large), a server that offers no TLS or no
/// authentication when they are required. Transient: an SMTP 4xx reply, an HTTP 5xx or 429, a
/// timeout, a refused or broken connection, a failed TLS handshake. The text carries the server's
/// reply, never the message's body nor a credential.
public struct MailDeliveryError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Whether sending the same message again may succeed.
    public enum Severity: String, Sendable, Hashable {
        /// It will fail the same way: give up (and tell someone).
        case permanent
        /// It may succeed later: try again after a while.
        case transient
    }

    /// What failed.
    public enum Reason: Sendable, Hashable {
        /// The SMTP server answered `step` (`EHLO`, `AUTH PLAIN`, `MAIL FROM`, `RCPT TO`, `DATA`, ...)
        /// with `code` and `text` (its reply lines, joined by newlines).
        case smtpReply(step: String, code: Int, text: String)
        /// The HTTP API answered with `status`; `providerCode` and `message` are the provider's own
        /// error code and message when its answer had them (Postmark's `ErrorCode` and `Message`).
        case httpStatus(Int, providerCode: Int?, message: String?)
        /// The message cannot be rendered as it is.
        case invalidMessage(MailMessageError)
        /// The server did not answer `step` within the configured time.
        case timeout(step: String)
        /// The connection could not be made or broke: the underlying error's description.
        case connectionFailed(String)
        /// The server does not offer STARTTLS, which the configuration requires.
        case tlsUnavailable
        /// The TLS handshake failed (an untrusted certificate, a name mismatch, ...).
        case tlsFailed(String)
        /// Credentials are configured but the server offers no AUTH mechanism this client speaks
        /// (PLAIN, LOGIN), or offers AUTH only without TLS.
        case authenticationUnavailable(String)
        /// The server broke the protocol (an unparsable reply, an unexpected code).
        case protocolViolation(String)
    }

    /// Whether trying again may help.
    public var severity: Severity
    /// What failed.
    public var reason: Reason

    /// An error of `severity` for `reason`.
    public init(_ severity: Severity, _ reason: Reason) {
        self.severity = severity
        self.reason = reason
    }

    /// Whether the same message will fail the same way however often it is sent.
    public var isPermanent: Bool { severity == .permanent }

    /// The severity for an SMTP reply code: 5xx permanent, anything else (4xx) transient.
    static func smtp(step: String, reply: SMTPReply) -> MailDeliveryError {
        MailDeliveryError(
            reply.code >= 500 ? .permanent : .transient,
            .smtpReply(step: step, code: reply.code, text: reply.text))
    }

    /// The severity for an HTTP status: 4xx but 429 permanent, anything else transient.
    static func http(status: Int, providerCode: Int?, message: String?) -> MailDeliveryError {
        let permanent = (400..<500).contains(status) && status != 429
        return MailDeliveryError(
            permanent ? .permanent : .transient,
            .httpStatus(status, providerCode: providerCode, message: message))
    }

    /// `permanent`/`transient`, then what failed.
    public var description: String {
        let what: String =
            switch reason {
            case .smtpReply(let step, let code, let text):
                "SMTP server answered \(step) with \(code) \(text)"
            case .httpStatus(let status, let providerCode, let message):
                "HTTP API answered \(status)" + (providerCode.map { " (error code \($0))" } ?? "")
                    + (message.map { ": \($0)" } ?? "")
            case .invalidMessage(let error): "invalid message: \(error)"
            case .timeout(let step): "no answer to \(step) in time"
            case .connectionFailed(let detail): "connection failed: \(detail)"
            case .tlsUnavailable:
                "the SMTP server does not offer STARTTLS, which the configuration requires"
            case .tlsFailed(let detail): "TLS failed: \(detail)"
            case .authenticationUnavailable(let detail): "cannot authenticate: \(detail)"
            case .protocolViolation(let detail): "protocol error: \(detail)"
            }
        return "\(severity.rawValue) mail delivery failure: \(what)"
    }
}
