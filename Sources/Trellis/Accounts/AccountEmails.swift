import Foundation

/// The account emails (``MailTemplates``), addressed and linked into the web app (`APP_URL`; the
/// links are relative without it): the app's pages take the token from the link and call the API.
///
/// | Email | Link |
/// |---|---|
/// | invitation | `/invitations/<token>` |
/// | email verification | `/verify-email?token=<token>` |
/// | password reset | `/reset-password?token=<token>` |
/// | welcome | `/` |
/// | password changed, email changed, new sign-in | `/settings/security` |
public struct AccountEmails: Sendable {
    public let templates: MailTemplates
    public let appURL: String?

    public init(templates: MailTemplates, appURL: String?) {
        self.templates = templates
        self.appURL = appURL
    }

    /// `path` in the web app.
    func link(_ path: String) -> URL {
        URL(string: (appURL ?? "") + path) ?? URL(fileURLWithPath: path)
    }

    public func invitation(to email: String, organization: String, inviter: String, token: String, expiresAt: Date) -> OutgoingEmail {
        OutgoingEmail(
            recipient: email,
            content: templates.invitation(organizationName: organization, inviterName: inviter, acceptURL: link("/invitations/\(token)"), expiresAt: expiresAt)
        )
    }

    public func welcome(to email: String, name: String) -> OutgoingEmail {
        OutgoingEmail(recipient: email, content: templates.welcome(userName: name, appURL: link("/")))
    }

    public func emailVerification(to email: String, token: String) -> OutgoingEmail {
        OutgoingEmail(
            recipient: email,
            content: templates.emailVerification(verificationURL: link("/verify-email?token=\(token)"), validFor: AccountTokens.Purpose.verifyEmail.lifetime)
        )
    }

    public func passwordReset(to email: String, token: String) -> OutgoingEmail {
        OutgoingEmail(
            recipient: email,
            content: templates.passwordReset(resetURL: link("/reset-password?token=\(token)"), validFor: AccountTokens.Purpose.resetPassword.lifetime)
        )
    }

    public func passwordChanged(to email: String, at date: Date) -> OutgoingEmail {
        OutgoingEmail(recipient: email, content: templates.passwordChanged(changedAt: date, resetURL: link("/settings/security")))
    }

    public func emailChanged(to oldAddress: String, newAddress: String, at date: Date) -> OutgoingEmail {
        OutgoingEmail(recipient: oldAddress, content: templates.emailChanged(newAddress: newAddress, changedAt: date, resetURL: link("/settings/security")))
    }

    public func newSignIn(to email: String, at date: Date, ip: String, userAgent: String) -> OutgoingEmail {
        OutgoingEmail(
            recipient: email,
            content: templates.newSignIn(signedInAt: date, ipAddress: ip, userAgent: userAgent, securityURL: link("/settings/security"))
        )
    }
}
