import Crypto
import Foundation

/// A ``MailMessage`` as the RFC 5322 text a transport sends: 7-bit ASCII, CRLF line endings,
/// not dot-stuffed (SMTP does that).
public struct RenderedMail: Sendable, Hashable {
    /// The `Message-ID` header's value, without the angle brackets: `id@domain`.
    public var messageID: String
    /// The whole message, headers and body.
    public var data: String

    /// The size of ``data`` in bytes.
    public var size: Int { data.utf8.count }
}

extension MailMessage {
    /// Checks what a transport needs before it connects: at least one recipient, valid addresses,
    /// no control characters (CR, LF, ...) in the subject or in a display name.
    public func validate() throws(MailMessageError) {
        if to.isEmpty { throw .noRecipients }
        let fields =
            [("From", from)] + to.map { ("To", $0) } + (replyTo.map { [("Reply-To", $0)] } ?? [])
        for (field, address) in fields {
            guard address.isValid else { throw .invalidAddress(field: field, address: address.address) }
            if let name = address.name, MIMEEncoding.hasControlCharacters(name) {
                throw .headerInjection(field: field)
            }
        }
        if MIMEEncoding.hasControlCharacters(subject) { throw .headerInjection(field: "Subject") }
    }

    /// The message as RFC 5322 text: `multipart/alternative` with a `text/plain` then a `text/html`
    /// part, both UTF-8 in quoted-printable; non-ASCII header values as RFC 2047 encoded words;
    /// long header lines folded.
    ///
    /// - Parameters:
    ///   - messageID: the `Message-ID` (`id@domain`, no angle brackets); by default a random UUID
    ///     at the sender's domain.
    ///   - date: the `Date` header, written in UTC.
    /// - Throws: ``MailMessageError`` when ``validate()`` fails, the message ID is malformed, or the
    ///   rendering is larger than ``MailMessage/maximumRenderedSize``.
    public func rendered(messageID: String? = nil, date: Date = Date()) throws(MailMessageError)
        -> RenderedMail
    {
        try validate()
        let domain = from.address.split(separator: "@").last.map(String.init) ?? "localhost"
        let messageID = messageID ?? "\(UUID().lowercasedString)@\(domain)"
        guard Self.isValidMessageID(messageID) else { throw .invalidMessageID(messageID) }

        // A quoted-printable body never holds "=_" (a literal "=" is always "=XX" or a soft break),
        // so no boundary starting with it can occur in a part.
        let digest = SHA256.hash(data: Data(messageID.utf8)).prefix(8).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }
        let boundary = "=_trellis_" + digest.joined()

        var data = ""
        data += MIMEEncoding.header("Date", [MIMEEncoding.date(date)])
        data += MIMEEncoding.header("From", MIMEEncoding.addressTokens([from]))
        data += MIMEEncoding.header("To", MIMEEncoding.addressTokens(to))
        if let replyTo {
            data += MIMEEncoding.header("Reply-To", MIMEEncoding.addressTokens([replyTo]))
        }
        data += MIMEEncoding.header("Subject", MIMEEncoding.unstructuredTokens(subject))
        data += MIMEEncoding.header("Message-ID", ["<\(messageID)>"])
        data += "MIME-Version: 1.0\r\n"
        data += "Content-Type: multipart/alternative; boundary=\"\(boundary)\"\r\n"
        data += "\r\n"
        for (type, body) in [("text/plain", text), ("text/html", html)] {
            data += "--\(boundary)\r\n"
            data += "Content-Type: \(type); charset=utf-8\r\n"
            data += "Content-Transfer-Encoding: quoted-printable\r\n"
            data += "\r\n"
            data += MIMEEncoding.quotedPrintable(body) + "\r\n"
        }
        data += "--\(boundary)--\r\n"

        let size = data.utf8.count
        guard size <= Self.maximumRenderedSize else {
            throw .tooLarge(size: size, limit: Self.maximumRenderedSize)
        }
        return RenderedMail(messageID: messageID, data: data)
    }

    /// `left@right`, printable ASCII without spaces, angle brackets or a second `@`.
    static func isValidMessageID(_ id: String) -> Bool {
        let parts = id.split(separator: "@", omittingEmptySubsequences: false)
        return parts.count == 2 && parts.allSatisfy { !$0.isEmpty } && id.utf8.count <= 250
            && id.utf8.allSatisfy {
                (0x21...0x7E).contains($0) && $0 != UInt8(ascii: "<") && $0 != UInt8(ascii: ">")
            }
    }
}
