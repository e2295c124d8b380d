import Foundation
import TestPeers
import Testing

@testable import Trellis

/// The email delivery layer: rendering (this file), SMTP (MailTests+SMTP.swift), Postmark
/// (MailTests+Postmark.swift) and the templates (MailTests+Templates.swift).
@Suite struct MailTests {
    static let date = Date(timeIntervalSince1970: 1_741_079_100)  // Tue, 04 Mar 2025 09:05:00 UTC

    static let message = MailMessage(
        from: MailAddress("hello@acme.example", name: "Acme Café"),
        to: [MailAddress("ada@example.org", name: "Ada Lovelace"), MailAddress("bob@example.org")],
        replyTo: MailAddress("support@acme.example", name: "Acme, Support"),
        subject:
            "Grüße aus Köln — 你好 ✓, a subject long enough that it has to be folded over more than one header line",
        text: "Hello Ada,\n\n.a line that starts with a dot\n.\nTrailing spaces   \n"
            + String(repeating: "long line ", count: 30)
            + "\nÜmlaut, emoji 🎉 and = signs.\n",
        html:
            "<p>Hello <strong>Ada</strong> — <a href=\"https://acme.example/x?a=1&amp;b=2\">link</a></p>\n"
            + String(repeating: "<span>cell</span>", count: 40)
    )

    @Test func rendersAMultipartAlternativeMessageThatDecodesBackToItsValues() throws {
        let mail = try Self.message.rendered(messageID: "0195-test@acme.example", date: Self.date)
        #expect(mail.messageID == "0195-test@acme.example")
        #expect(mail.data.utf8.allSatisfy { $0 < 128 }, "7-bit ASCII")
        #expect(!mail.data.replacingOccurrences(of: "\r\n", with: "").contains("\n"), "no bare LF")
        #expect(!mail.data.replacingOccurrences(of: "\r\n", with: "").contains("\r"), "no bare CR")
        let lines = mail.data.components(separatedBy: "\r\n")
        #expect(lines.allSatisfy { $0.utf8.count <= 78 }, "\(lines.filter { $0.utf8.count > 78 })")

        let parsed = MIMEDecoding.parse(mail.data)
        #expect(parsed.header("Date") == "Tue, 04 Mar 2025 09:05:00 +0000")
        #expect(parsed.header("Message-ID") == "<0195-test@acme.example>")
        #expect(parsed.header("MIME-Version") == "1.0")
        #expect(parsed.header("Content-Type")?.hasPrefix("multipart/alternative; boundary=") == true)
        #expect(MIMEDecoding.decodeWords(parsed.header("Subject") ?? "") == Self.message.subject)
        #expect(
            MIMEDecoding.decodeWords(parsed.header("From") ?? "") == "Acme Café <hello@acme.example>")
        #expect(
            MIMEDecoding.decodeWords(parsed.header("To") ?? "")
                == "Ada Lovelace <ada@example.org>, bob@example.org")
        #expect(parsed.header("Reply-To") == #""Acme, Support" <support@acme.example>"#)

        let parts = MIMEDecoding.parts(of: parsed)
        try #require(parts.count == 2)
        #expect(parts[0].header("Content-Type") == "text/plain; charset=utf-8")
        #expect(parts[1].header("Content-Type") == "text/html; charset=utf-8")
        #expect(parts.allSatisfy { $0.header("Content-Transfer-Encoding") == "quoted-printable" })
        #expect(MIMEDecoding.quotedPrintable(parts[0].body) == Self.message.text)
        #expect(MIMEDecoding.quotedPrintable(parts[1].body) == Self.message.html)
    }

    @Test func rendersTheSameMessageIDAndDateTheSameWay() throws {
        let first = try Self.message.rendered(messageID: "a@b.example", date: Self.date)
        let second = try Self.message.rendered(messageID: "a@b.example", date: Self.date)
        #expect(first == second)
        let generated = try Self.message.rendered()
        #expect(generated.messageID.hasSuffix("@acme.example"))
        #expect(generated.messageID != (try Self.message.rendered()).messageID)
    }

    @Test(arguments: [
        (
            "Subject",
            MailMessage(
                from: .init("a@x.example"), to: [.init("b@y.example")],
                subject: "Hi\r\nBcc: victim@z.example", text: "", html: "")
        ),
        (
            "Subject",
            MailMessage(
                from: .init("a@x.example"), to: [.init("b@y.example")],
                subject: "Hi\nBcc: victim@z.example", text: "", html: "")
        ),
        (
            "Subject",
            MailMessage(
                from: .init("a@x.example"), to: [.init("b@y.example")], subject: "Hi\u{2028}there",
                text: "", html: "")
        ),
        (
            "From",
            MailMessage(
                from: .init("a@x.example", name: "Eve\r\nBcc: v@z.example"), to: [.init("b@y.example")],
                subject: "", text: "", html: "")
        ),
        (
            "To",
            MailMessage(
                from: .init("a@x.example"), to: [.init("b@y.example", name: "Bob\rX")], subject: "",
                text: "", html: "")
        ),
    ])
    func refusesHeaderInjection(field: String, message: MailMessage) {
        #expect(throws: MailMessageError.headerInjection(field: field)) { try message.rendered() }
    }

    @Test func refusesBadAddressesAndNoRecipients() {
        let base = MailMessage(
            from: .init("a@x.example"), to: [.init("b@y.example")], subject: "s", text: "t", html: "h")
        for bad in [
            "b@y.example\r\nBcc: v@z.example", "no-at-sign", "two@@y.example", "a b@y.example",
            "<b@y.example>", "b@-y.example", ".b@y.example",
            "b@y..example", "jörg@y.example", "b@",
        ] {
            var message = base
            message.to = [.init(bad)]
            #expect(throws: MailMessageError.invalidAddress(field: "To", address: bad)) {
                try message.rendered()
            }
        }
        var message = base
        message.to = []
        #expect(throws: MailMessageError.noRecipients) { try message.rendered() }
        message = base
        message.replyTo = .init("not an address")
        #expect(throws: MailMessageError.invalidAddress(field: "Reply-To", address: "not an address")) {
            try message.rendered()
        }
        #expect(throws: MailMessageError.invalidMessageID("a\r\nb@c")) {
            try base.rendered(messageID: "a\r\nb@c")
        }
        for good in ["b@y.example", "first.last+tag@sub.y.example", "o'brien@y.example", "x@localhost"] {
            #expect(MailAddress(good).isValid, "\(good)")
        }
    }

    @Test func refusesAMessageOverTheGmailClippingLimit() throws {
        var message = MailMessage(
            from: .init("a@x.example"), to: [.init("b@y.example")], subject: "Big", text: "small",
            html: "")
        message.html = String(repeating: "<p>0123456789</p>\n", count: 100 * 1024 / 18)  // ~100 KB, over with the text and headers
        #expect(throws: MailMessageError.self) { try message.rendered() }
        do {
            _ = try message.rendered()
        } catch {
            guard case .tooLarge(let size, let limit) = error else { throw error }
            #expect(limit == 102 * 1024 && size > limit)
        }
        message.html = String(repeating: "<p>0123456789</p>\n", count: 90 * 1024 / 18)
        #expect(try message.rendered().size <= MailMessage.maximumRenderedSize)
    }

    @Test func quotedPrintableKeepsLinesShortAndEncodesWhatItMust() {
        let encoded = MIMEEncoding.quotedPrintable(
            "a = b\t\nend with space \n" + String(repeating: "é", count: 60))
        let lines = encoded.components(separatedBy: "\r\n")
        #expect(lines[0] == "a =3D b=09")
        #expect(lines[1] == "end with space=20")
        #expect(lines.allSatisfy { $0.utf8.count <= 76 })
        #expect(
            MIMEDecoding.quotedPrintable(encoded.replacingOccurrences(of: "\r\n", with: "\n"))
                == "a = b\t\nend with space \n" + String(repeating: "é", count: 60))
    }

    @Test func dotStuffingDoublesLeadingDotsAndEndsTheData() {
        let stuffed = String(
            decoding: SMTPSession.dotStuffed(".first\r\nmiddle\r\n.\r\n..two\r\nlast"), as: UTF8.self)
        #expect(stuffed == "..first\r\nmiddle\r\n..\r\n...two\r\nlast\r\n.\r\n")
    }

    @Test func parsesSMTPURLs() throws {
        let submission = try SMTPConfiguration(url: "smtp://mailer:s3cret%3A%40%2F@smtp.example.com")
        #expect(
            submission.host == "smtp.example.com" && submission.port == 587
                && submission.security == .startTLS)
        #expect(submission.username == "mailer" && submission.password == "s3cret:@/")
        #expect(!submission.description.contains("s3cret"))
        #expect(submission.timeout == .seconds(30))

        let smtps = try SMTPConfiguration(
            url: "smtps://u:p@127.0.0.1?timeout=2.5&ca_file=/tmp/ca.pem&client_name=app.example")
        #expect(
            smtps.port == 465 && smtps.security == .implicitTLS && smtps.timeout == .milliseconds(2500))
        #expect(smtps.additionalTrustRootsFile == "/tmp/ca.pem" && smtps.clientName == "app.example")

        let local = try SMTPConfiguration(url: "smtp://localhost:1025?security=none")
        #expect(
            local.security == .none && local.port == 1025 && local.username == nil
                && local.password == nil)

        for (url, complaint) in [
            ("ftp://host", "scheme 'ftp'"), ("smtp://", "no host"), ("smtp://user@host", "no password"),
            ("smtp://host?secure=yes", "unknown parameter 'secure'"),
            ("smtp://host?security=ssl", "security=ssl"),
            ("smtp://host?timeout=-1", "timeout=-1"), ("not a url at all", "not a URL"),
        ] {
            let error = #expect(throws: SMTPConfigurationError.self) {
                _ = try SMTPConfiguration(url: url)
            }
            #expect(
                error?.description.contains(complaint) == true,
                "\(url): \(error?.description ?? "no error")")
        }
    }

    @Test func deliveryErrorsTellPermanentFromTransient() {
        #expect(
            MailDeliveryError.smtp(step: "RCPT TO", reply: SMTPReply(code: 550, lines: ["no"]))
                .isPermanent)
        #expect(
            !MailDeliveryError.smtp(step: "RCPT TO", reply: SMTPReply(code: 451, lines: ["later"]))
                .isPermanent)
        #expect(MailDeliveryError.http(status: 422, providerCode: 300, message: nil).isPermanent)
        #expect(MailDeliveryError.http(status: 401, providerCode: 10, message: nil).isPermanent)
        #expect(!MailDeliveryError.http(status: 429, providerCode: nil, message: nil).isPermanent)
        #expect(!MailDeliveryError.http(status: 503, providerCode: nil, message: nil).isPermanent)
    }
}
