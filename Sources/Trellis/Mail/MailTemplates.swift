import Foundation
import Mustache

/// The emails the runtime sends about accounts, rendered with swift-mustache from the sources in
/// ``MailTemplateSources``: each function returns a subject, an HTML body (in a shared,
/// inline-styled layout; every value HTML-escaped) and a plain-text body (values as they are).
/// Dates are written in UTC (`March 4, 2025, 09:05 UTC`). Each email is a few kilobytes, far under
/// ``MailMessage/maximumRenderedSize``.
public struct MailTemplates: Sendable {
    /// The product the emails speak for.
    public var branding: MailBranding

    /// Templates for `branding`.
    public init(branding: MailBranding) {
        self.branding = branding
    }

    /// An invitation to join an organization: who invites, the link that accepts, when it expires.
    public func invitation(
        organizationName: String, inviterName: String, acceptURL: URL, expiresAt: Date
    ) -> MailContent {
        render(
            "invitation", heading: "You are invited to join \(organizationName)",
            preheader: "\(inviterName) invited you to \(organizationName) on \(branding.productName).",
            values: [
                "organizationName": organizationName, "inviterName": inviterName,
                "expiry": Self.format(expiresAt),
                "action": ["url": acceptURL.absoluteString, "label": "Accept the invitation"],
            ]
        )
    }

    /// The welcome after sign-up, with a link to the app.
    public func welcome(userName: String, appURL: URL) -> MailContent {
        render(
            "welcome", heading: "Welcome to \(branding.productName)",
            preheader: "Your \(branding.productName) account is ready.",
            values: [
                "userName": userName,
                "action": ["url": appURL.absoluteString, "label": "Open \(branding.productName)"],
            ]
        )
    }

    /// The link that confirms an email address, valid for `validFor` (24 hours by default).
    public func emailVerification(verificationURL: URL, validFor: Duration = .seconds(24 * 3600))
        -> MailContent
    {
        render(
            "emailVerification", heading: "Confirm your email address",
            preheader: "Confirm your email address for \(branding.productName).",
            values: [
                "validity": Self.format(validFor),
                "action": ["url": verificationURL.absoluteString, "label": "Confirm my email address"],
            ]
        )
    }

    /// The link that sets a new password, valid for `validFor` (1 hour by default), with what to do
    /// when the reader did not ask for it (nothing).
    public func passwordReset(resetURL: URL, validFor: Duration = .seconds(3600)) -> MailContent {
        render(
            "passwordReset", heading: "Reset your password",
            preheader: "A link to choose a new \(branding.productName) password.",
            values: [
                "validity": Self.format(validFor),
                "action": ["url": resetURL.absoluteString, "label": "Choose a new password"],
            ]
        )
    }

    /// The notice that the password was changed at `changedAt`, with what to do if this wasn't the
    /// reader: reset it (through `resetURL`, when given) and write to the support address.
    public func passwordChanged(changedAt: Date, resetURL: URL? = nil) -> MailContent {
        var values: [String: Any] = ["when": Self.format(changedAt)]
        if let resetURL {
            values["action"] = ["url": resetURL.absoluteString, "label": "Reset my password"]
        }
        return render(
            "passwordChanged", heading: "Your password was changed",
            preheader: "The password of your \(branding.productName) account was changed.", values: values
        )
    }

    /// The notice, sent to the old address, that the account's address became `newAddress` at
    /// `changedAt`, with what to do if this wasn't the reader (`resetURL`: reset the password).
    public func emailChanged(newAddress: String, changedAt: Date, resetURL: URL? = nil) -> MailContent {
        var values: [String: Any] = ["when": Self.format(changedAt), "newAddress": newAddress]
        if let resetURL {
            values["action"] = ["url": resetURL.absoluteString, "label": "Reset my password"]
        }
        return render(
            "emailChanged", heading: "Your email address was changed",
            preheader: "The email address of your \(branding.productName) account was changed.", values: values
        )
    }

    /// The notice of a sign-in from a device not seen before: when, from which IP address, with
    /// which user agent; and what to do if this wasn't the reader (`securityURL`: where to change
    /// the password, when given).
    public func newSignIn(
        signedInAt: Date, ipAddress: String, userAgent: String, securityURL: URL? = nil
    ) -> MailContent {
        var values: [String: Any] = [
            "when": Self.format(signedInAt), "ipAddress": ipAddress, "userAgent": userAgent,
        ]
        if let securityURL {
            values["action"] = ["url": securityURL.absoluteString, "label": "Change my password"]
        }
        return render(
            "newSignIn", heading: "New sign-in to your account",
            preheader: "Your \(branding.productName) account was signed in to from a new device.",
            values: values
        )
    }

    // MARK: rendering

    /// The templates, parsed once. They are constants: a parse error is a bug the tests catch.
    static let library: MustacheLibrary = {
        var library = MustacheLibrary()
        let sources: [(String, String)] = [
            ("layout.html", MailTemplateSources.htmlLayout),
            ("layout.text", MailTemplateSources.textLayout),
            ("button.html", MailTemplateSources.htmlButton),
            ("button.text", MailTemplateSources.textButton),
            ("invitation.subject", MailTemplateSources.invitationSubject),
            ("invitation.html", MailTemplateSources.invitationHTML),
            ("invitation.text", MailTemplateSources.invitationText),
            ("welcome.subject", MailTemplateSources.welcomeSubject),
            ("welcome.html", MailTemplateSources.welcomeHTML),
            ("welcome.text", MailTemplateSources.welcomeText),
            ("emailVerification.subject", MailTemplateSources.emailVerificationSubject),
            ("emailVerification.html", MailTemplateSources.emailVerificationHTML),
            ("emailVerification.text", MailTemplateSources.emailVerificationText),
            ("passwordReset.subject", MailTemplateSources.passwordResetSubject),
            ("passwordReset.html", MailTemplateSources.passwordResetHTML),
            ("passwordReset.text", MailTemplateSources.passwordResetText),
            ("passwordChanged.subject", MailTemplateSources.passwordChangedSubject),
            ("passwordChanged.html", MailTemplateSources.passwordChangedHTML),
            ("passwordChanged.text", MailTemplateSources.passwordChangedText),
            ("emailChanged.subject", MailTemplateSources.emailChangedSubject),
            ("emailChanged.html", MailTemplateSources.emailChangedHTML),
            ("emailChanged.text", MailTemplateSources.emailChangedText),
            ("newSignIn.subject", MailTemplateSources.newSignInSubject),
            ("newSignIn.html", MailTemplateSources.newSignInHTML),
            ("newSignIn.text", MailTemplateSources.newSignInText),
        ]
        for (name, source) in sources {
            do {
                try library.register(source, named: name)
            } catch {
                preconditionFailure("the built-in mail template \(name) does not parse: \(error)")
            }
        }
        return library
    }()

    /// The names of the built-in templates (for tests).
    static var templateNames: [String] {
        ["layout", "button"].flatMap { ["\($0).html", "\($0).text"] }
            + [
                "invitation", "welcome", "emailVerification", "passwordReset", "passwordChanged",
                "emailChanged", "newSignIn",
            ].flatMap {
                ["\($0).subject", "\($0).html", "\($0).text"]
            }
    }

    /// Renders email `name`'s subject and fragments with `values` plus the branding, then puts the
    /// fragments into the layouts.
    private func render(_ name: String, heading: String, preheader: String, values: [String: Any])
        -> MailContent
    {
        var context = values
        context["productName"] = branding.productName
        if let support = branding.supportAddress { context["supportAddress"] = support }
        let library = Self.library
        func rendered(_ template: String) -> String {
            guard let text = library.render(context, withTemplate: template) else {
                preconditionFailure("no built-in mail template \(template)")
            }
            return text
        }
        let subject = Self.singleLine(rendered("\(name).subject"))
        context["subject"] = subject
        context["heading"] = Self.singleLine(heading)
        context["preheader"] = Self.singleLine(preheader)
        context["content"] = rendered("\(name).html")
        let html = rendered("layout.html")
        context["content"] = Self.tidy(rendered("\(name).text"))
        let text = Self.tidy(rendered("layout.text")) + "\n"
        return MailContent(subject: subject, html: html, text: text)
    }

    /// `text` on one line: line breaks and other control characters become spaces, runs of
    /// spaces one (a name with a line break cannot break a subject).
    static func singleLine(_ text: String) -> String {
        let spaced = String(
            String.UnicodeScalarView(
                text.unicodeScalars.map { scalar in
                    MIMEEncoding.hasControlCharacters(String(scalar)) ? " " : scalar
                }
            )
        )
        return spaced.split(separator: " ").joined(separator: " ")
    }

    /// `text` without trailing spaces on its lines, without runs of blank lines, trimmed.
    static func tidy(_ text: String) -> String {
        var lines: [String] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            var line = String(line)
            while line.last == " " { line.removeLast() }
            if line.isEmpty, lines.last?.isEmpty ?? true { continue }
            lines.append(line)
        }
        while lines.last?.isEmpty == true { lines.removeLast() }
        return lines.joined(separator: "\n")
    }

    /// `date` in UTC: `March 4, 2025, 09:05 UTC`.
    static func format(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        let months = [
            "January", "February", "March", "April", "May", "June", "July", "August", "September",
            "October", "November", "December",
        ]
        func two(_ value: Int?) -> String { (value ?? 0) < 10 ? "0\(value ?? 0)" : "\(value ?? 0)" }
        return
            "\(months[(parts.month ?? 1) - 1]) \(parts.day ?? 1), \(parts.year ?? 1970), \(two(parts.hour)):\(two(parts.minute)) UTC"
    }

    /// `duration` in words: `24 hours`, `1 hour`, `30 minutes`, `7 days`.
    static func format(_ duration: Duration) -> String {
        let minutes = Int(duration.components.seconds / 60)
        func plural(_ count: Int, _ unit: String) -> String {
            count == 1 ? "1 \(unit)" : "\(count) \(unit)s"
        }
        if minutes >= 2 * 24 * 60, minutes % (24 * 60) == 0 {
            return plural(minutes / (24 * 60), "day")
        }
        if minutes >= 60, minutes % 60 == 0 { return plural(minutes / 60, "hour") }
        return plural(max(minutes, 1), "minute")
    }
}
