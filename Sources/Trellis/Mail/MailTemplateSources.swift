/// The Mustache sources of the emails ``MailTemplates`` renders: one layout per format, and a
/// subject, an HTML fragment and a text fragment per email. HTML templates escape `{{value}}`;
/// text templates (`CONTENT_TYPE: TEXT`) leave values as they are. The fragments are rendered
/// first and put into the layout as `content`.
enum MailTemplateSources {
    static let htmlLayout = """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="color-scheme" content="light only">
        <title>{{subject}}</title>
        </head>
        <body style="margin:0;padding:0;background-color:#f4f4f5;">
        <div style="display:none;max-height:0;overflow:hidden;">{{preheader}}</div>
        <div style="max-width:560px;margin:0 auto;padding:32px 16px;font-family:-apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;font-size:16px;line-height:1.5;color:#18181b;">
        <div style="font-size:18px;font-weight:600;margin:0 0 24px;">{{productName}}</div>
        <div style="background-color:#ffffff;border-radius:8px;padding:32px 24px;">
        <h1 style="font-size:22px;line-height:1.3;font-weight:600;margin:0 0 16px;">{{heading}}</h1>
        {{{content}}}
        </div>
        <p style="font-size:13px;color:#71717a;margin:24px 0 0;">Sent by {{productName}}.{{#supportAddress}} Questions? Write to <a href="mailto:{{supportAddress}}" style="color:#71717a;">{{supportAddress}}</a>.{{/supportAddress}}</p>
        </div>
        </body>
        </html>

        """

    static let textLayout = """
        {{% CONTENT_TYPE: TEXT }}
        {{heading}}

        {{{content}}}

        --
        Sent by {{productName}}.{{#supportAddress}} Questions? Write to {{supportAddress}}.{{/supportAddress}}

        """

    /// The call to action of an HTML fragment: a button, and the link written out for mail clients
    /// that show no button. Renders `action` (`url`, `label`).
    static let htmlButton = """
        {{#action}}
        <p style="margin:24px 0;"><a href="{{url}}" style="display:inline-block;background-color:#2563eb;color:#ffffff;text-decoration:none;font-weight:600;padding:12px 20px;border-radius:6px;">{{label}}</a></p>
        <p style="font-size:13px;color:#52525b;margin:0 0 16px;">If the button does not work, copy this link into your browser:<br><a href="{{url}}" style="color:#2563eb;word-break:break-all;">{{url}}</a></p>
        {{/action}}
        """

    /// The call to action of a text fragment.
    static let textButton = """
        {{% CONTENT_TYPE: TEXT }}
        {{#action}}
        {{label}}:
        {{url}}
        {{/action}}
        """

    // MARK: invitation

    static let invitationSubject =
        "{{% CONTENT_TYPE: TEXT }}{{inviterName}} invited you to join {{organizationName}} on {{productName}}"
    static let invitationHTML = """
        <p style="margin:0 0 16px;">{{inviterName}} invited you to join <strong>{{organizationName}}</strong> on {{productName}}.</p>
        {{> button.html}}
        <p style="margin:0 0 16px;">This invitation expires on {{expiry}}.</p>
        <p style="font-size:13px;color:#52525b;margin:0;">If you were not expecting this invitation, you can ignore this email.</p>
        """
    static let invitationText = """
        {{% CONTENT_TYPE: TEXT }}
        {{inviterName}} invited you to join {{organizationName}} on {{productName}}.

        {{> button.text}}

        This invitation expires on {{expiry}}.

        If you were not expecting this invitation, you can ignore this email.
        """

    // MARK: welcome

    static let welcomeSubject = "{{% CONTENT_TYPE: TEXT }}Welcome to {{productName}}"
    static let welcomeHTML = """
        <p style="margin:0 0 16px;">Hi {{userName}},</p>
        <p style="margin:0 0 16px;">your {{productName}} account is ready. We are glad to have you.</p>
        {{> button.html}}
        """
    static let welcomeText = """
        {{% CONTENT_TYPE: TEXT }}
        Hi {{userName}},

        your {{productName}} account is ready. We are glad to have you.

        {{> button.text}}
        """

    // MARK: email verification

    static let emailVerificationSubject =
        "{{% CONTENT_TYPE: TEXT }}Confirm your email address for {{productName}}"
    static let emailVerificationHTML = """
        <p style="margin:0 0 16px;">Please confirm that this is your email address by opening the link below.</p>
        {{> button.html}}
        <p style="margin:0 0 16px;">The link is valid for {{validity}}.</p>
        <p style="font-size:13px;color:#52525b;margin:0;">If you did not sign up for {{productName}}, you can ignore this email.</p>
        """
    static let emailVerificationText = """
        {{% CONTENT_TYPE: TEXT }}
        Please confirm that this is your email address by opening the link below.

        {{> button.text}}

        The link is valid for {{validity}}.

        If you did not sign up for {{productName}}, you can ignore this email.
        """

    // MARK: password reset

    static let passwordResetSubject = "{{% CONTENT_TYPE: TEXT }}Reset your {{productName}} password"
    static let passwordResetHTML = """
        <p style="margin:0 0 16px;">Someone asked to reset the password of your {{productName}} account. To choose a new password, open the link below.</p>
        {{> button.html}}
        <p style="margin:0 0 16px;">The link is valid for {{validity}}.</p>
        <p style="font-size:13px;color:#52525b;margin:0;">If you did not ask for this, ignore this email: your password stays as it is.</p>
        """
    static let passwordResetText = """
        {{% CONTENT_TYPE: TEXT }}
        Someone asked to reset the password of your {{productName}} account. To choose a new password, open the link below.

        {{> button.text}}

        The link is valid for {{validity}}.

        If you did not ask for this, ignore this email: your password stays as it is.
        """

    // MARK: password changed

    static let passwordChangedSubject =
        "{{% CONTENT_TYPE: TEXT }}Your {{productName}} password was changed"
    static let passwordChangedHTML = """
        <p style="margin:0 0 16px;">The password of your {{productName}} account was changed on {{when}}.</p>
        <p style="margin:0 0 16px;">If you changed it, there is nothing more to do.</p>
        <p style="margin:0 0 16px;"><strong>If this wasn't you</strong>, reset your password right away{{#action}} with the link below{{/action}}{{#supportAddress}} and write to <a href="mailto:{{supportAddress}}" style="color:#2563eb;">{{supportAddress}}</a>{{/supportAddress}}.</p>
        {{> button.html}}
        """
    static let passwordChangedText = """
        {{% CONTENT_TYPE: TEXT }}
        The password of your {{productName}} account was changed on {{when}}.

        If you changed it, there is nothing more to do.

        If this wasn't you, reset your password right away{{#action}} with the link below{{/action}}{{#supportAddress}} and write to {{supportAddress}}{{/supportAddress}}.

        {{> button.text}}
        """

    // MARK: email changed

    static let emailChangedSubject =
        "{{% CONTENT_TYPE: TEXT }}The email address of your {{productName}} account was changed"
    static let emailChangedHTML = """
        <p style="margin:0 0 16px;">On {{when}}, the email address of your {{productName}} account was changed from this one to <strong>{{newAddress}}</strong>. Emails about the account go there from now on.</p>
        <p style="margin:0 0 16px;">If you changed it, there is nothing more to do.</p>
        <p style="margin:0 0 16px;"><strong>If this wasn't you</strong>, someone has your password: reset it right away{{#action}} with the link below{{/action}}{{#supportAddress}} and write to <a href="mailto:{{supportAddress}}" style="color:#2563eb;">{{supportAddress}}</a>{{/supportAddress}}.</p>
        {{> button.html}}
        """
    static let emailChangedText = """
        {{% CONTENT_TYPE: TEXT }}
        On {{when}}, the email address of your {{productName}} account was changed from this one to {{newAddress}}. Emails about the account go there from now on.

        If you changed it, there is nothing more to do.

        If this wasn't you, someone has your password: reset it right away{{#action}} with the link below{{/action}}{{#supportAddress}} and write to {{supportAddress}}{{/supportAddress}}.

        {{> button.text}}
        """

    // MARK: new sign-in

    static let newSignInSubject =
        "{{% CONTENT_TYPE: TEXT }}New sign-in to your {{productName}} account"
    static let newSignInHTML = """
        <p style="margin:0 0 16px;">Your {{productName}} account was just signed in to from a device it had not been used on before.</p>
        <p style="margin:0 0 16px;padding:12px 16px;background-color:#f4f4f5;border-radius:6px;font-size:14px;">
        <strong>When:</strong> {{when}}<br>
        <strong>IP address:</strong> {{ipAddress}}<br>
        <strong>Device:</strong> {{userAgent}}
        </p>
        <p style="margin:0 0 16px;">If this was you, there is nothing more to do.</p>
        <p style="margin:0 0 16px;"><strong>If this wasn't you</strong>, change your password right away{{#action}} with the link below{{/action}}{{#supportAddress}} and write to <a href="mailto:{{supportAddress}}" style="color:#2563eb;">{{supportAddress}}</a>{{/supportAddress}}.</p>
        {{> button.html}}
        """
    static let newSignInText = """
        {{% CONTENT_TYPE: TEXT }}
        Your {{productName}} account was just signed in to from a device it had not been used on before.

        When: {{when}}
        IP address: {{ipAddress}}
        Device: {{userAgent}}

        If this was you, there is nothing more to do.

        If this wasn't you, change your password right away{{#action}} with the link below{{/action}}{{#supportAddress}} and write to {{supportAddress}}{{/supportAddress}}.

        {{> button.text}}
        """
}
