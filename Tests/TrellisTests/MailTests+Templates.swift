import Foundation
import TestPeers
import Testing

@testable import Trellis

extension MailTests {
    /// The account emails: both parts rendered, values escaped in HTML and plain in text, small.
    @Suite struct Templates {
        static let templates = MailTemplates(
            branding: MailBranding(productName: "Acme <Cloud>", supportAddress: "help@acme.example"))
        /// A value that would be markup (and a line break) if it were not escaped.
        static let hostile = "<script>alert(\"x\")</script> & O'Brien\nBcc: eve@example.org"
        static let link = URL(string: "https://app.acme.example/accept?token=abc&next=%2Fhome")!
        static let when = Date(timeIntervalSince1970: 1_741_079_100)  // March 4, 2025, 09:05 UTC

        static let emails: [(String, MailContent)] = [
            (
                "invitation",
                templates.invitation(
                    organizationName: hostile, inviterName: "Grace <Hopper>", acceptURL: link, expiresAt: when
                )
            ),
            ("welcome", templates.welcome(userName: hostile, appURL: link)),
            ("emailVerification", templates.emailVerification(verificationURL: link)),
            ("passwordReset", templates.passwordReset(resetURL: link)),
            ("passwordChanged", templates.passwordChanged(changedAt: when, resetURL: link)),
            (
                "newSignIn",
                templates.newSignIn(
                    signedInAt: when, ipAddress: "203.0.113.7", userAgent: hostile, securityURL: link)
            ),
        ]

        @Test func everyTemplateIsRegistered() {
            for name in MailTemplates.templateNames {
                #expect(MailTemplates.library.getTemplate(named: name) != nil, "\(name)")
            }
        }

        @Test(arguments: 0..<6)
        func rendersBothPartsEscapedInHTMLAndPlainInText(index: Int) throws {
            let (name, content) = Self.emails[index]
            #expect(
                !content.subject.isEmpty && !content.subject.contains("\n"), "\(name): \(content.subject)")
            #expect(
                content.html.hasPrefix("<!DOCTYPE html>") && content.html.contains("</html>"), "\(name)")
            #expect(
                content.html.contains("Acme &lt;Cloud&gt;") && !content.html.contains("Acme <Cloud>"),
                "\(name): the product name is escaped")
            #expect(
                content.text.contains("Acme <Cloud>"), "\(name): the text keeps the product name as it is")
            #expect(
                content.html.contains("help@acme.example") && content.text.contains("help@acme.example"),
                "\(name)")
            #expect(!content.html.contains("<script>"), "\(name): nothing unescaped")
            #expect(
                !content.html.contains("{{") && !content.text.contains("{{"), "\(name): no tag left over")
            #expect(
                !content.text.contains("&lt;") && !content.text.contains("&amp;"),
                "\(name): the text is not HTML-escaped")
            #expect(!content.text.contains("\n\n\n"), "\(name): no runs of blank lines")
            // The link, escaped in the HTML (href and text), as it is in the text.
            #expect(
                content.html.contains("https://app.acme.example/accept?token=abc&amp;next=%2Fhome"),
                "\(name)")
            #expect(
                content.text.contains("https://app.acme.example/accept?token=abc&next=%2Fhome"), "\(name)")

            let message = MailMessage(
                from: MailAddress("hello@acme.example"), to: [MailAddress("ada@example.org")],
                content: content)
            let rendered = try message.rendered(messageID: "\(name)@acme.example", date: Self.when)
            #expect(
                rendered.size < 20 * 1024, "\(name): \(rendered.size) bytes, far under the 102 KB limit")
        }

        @Test func valuesAppearInTheirEmails() {
            let escapedHostile = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; O&#39;Brien"
            let invitation = Self.emails[0].1
            #expect(
                invitation.subject
                    == "Grace <Hopper> invited you to join <script>alert(\"x\")</script> & O'Brien Bcc: eve@example.org on Acme <Cloud>"
            )
            #expect(invitation.html.contains(escapedHostile))
            #expect(invitation.html.contains("Grace &lt;Hopper&gt;"))
            #expect(
                invitation.text.contains(
                    "Grace <Hopper> invited you to join <script>alert(\"x\")</script> & O'Brien"))
            #expect(
                invitation.html.contains("March 4, 2025, 09:05 UTC")
                    && invitation.text.contains("March 4, 2025, 09:05 UTC"))

            #expect(Self.emails[1].1.html.contains("Hi \(escapedHostile)"))
            #expect(Self.emails[2].1.text.contains("valid for 24 hours"))
            #expect(Self.emails[3].1.text.contains("valid for 1 hour"))
            #expect(Self.emails[3].1.text.contains("If you did not ask for this, ignore this email"))
            #expect(Self.emails[4].1.text.contains("changed on March 4, 2025, 09:05 UTC"))
            #expect(Self.emails[4].1.text.contains("If this wasn't you"))
            let signIn = Self.emails[5].1
            #expect(signIn.text.contains("IP address: 203.0.113.7"))
            #expect(signIn.html.contains("<strong>Device:</strong> \(escapedHostile)"))

            let bare = Self.templates.newSignIn(
                signedInAt: Self.when, ipAddress: "203.0.113.7", userAgent: "curl/8")
            #expect(
                !bare.html.contains("href=\"http") && !bare.text.contains("http"),
                "no link when none is given")
        }

        @Test func durationsAndDatesInWords() {
            #expect(MailTemplates.format(Duration.seconds(24 * 3600)) == "24 hours")
            #expect(MailTemplates.format(Duration.seconds(3600)) == "1 hour")
            #expect(MailTemplates.format(Duration.seconds(7 * 24 * 3600)) == "7 days")
            #expect(MailTemplates.format(Duration.seconds(30 * 60)) == "30 minutes")
            #expect(MailTemplates.format(Date(timeIntervalSince1970: 0)) == "January 1, 1970, 00:00 UTC")
        }
    }
}
