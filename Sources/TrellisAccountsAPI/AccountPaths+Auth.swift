import TrellisOpenAPI

/// `/auth/...` and `/me`: sessions and the signed-in caller.
extension AccountPaths {
    static func authPaths() -> [(String, Document)] {
        let pair = "TokenPairResponse"
        let notASession = failure(.forbidden, "Called with an API key: only a signed-in session can do this.")
        return [
            item(operation(
                .authSignup, summary: "Create an account and its organization, and sign in.",
                description: "The new user owns the new organization. The response signs them in to it.",
                authenticated: false, body: "SignupRequest",
                success: ("201", json(pair, "Signed up: a token pair for the new organization.")),
                failures: [
                    failure(.conflict, "An account with this email already exists; sign in instead."),
                    failure(
                        .validationFailed,
                        "A field is missing or invalid: a malformed email, or a password that is too short, too long or too common."
                    ),
                ]
            )),
            item(operation(
                .authLogin, summary: "Sign in with email and password.",
                description: "Throttled to 5 attempts per minute per IP address and per account.",
                authenticated: false, body: "LoginRequest",
                success: ("200", json(pair, "Signed in: a token pair for the user's default organization.")),
                failures: [
                    failure(.unauthorized, "The email or password is incorrect (an unknown email answers the same)."),
                    failure(.forbidden, "The account belongs to no organization; accept an invitation first."),
                    failure(.validationFailed, "The email or the password is missing, or the email is longer than 254 bytes."),
                    failure(.rateLimited, "Too many sign-in attempts; retry after `Retry-After` seconds."),
                ]
            )),
            item(operation(
                .authRefresh, summary: "Exchange a refresh token for a new token pair.",
                description: "Each refresh token works once. Presenting a used one revokes its whole session.",
                authenticated: false, body: "RefreshRequest",
                success: ("200", json(pair, "A new token pair; the presented refresh token is now used.")),
                failures: [
                    failure(.unauthorized, "The refresh token is invalid, expired or already used (reuse revokes the session)."),
                    failure(.validationFailed, "The refresh token is missing."),
                ]
            )),
            item(operation(
                .authLogout, summary: "Sign out: revoke the current session.",
                success: ("204", noContent("The session is revoked; its refresh tokens no longer work.")), failures: [notASession]
            )),
            item(operation(
                .authLogoutAll, summary: "Sign out everywhere: revoke every session of the user.",
                success: ("204", noContent("Every session of the user is revoked.")), failures: [notASession]
            )),
            item(operation(
                .authSwitchOrg, summary: "Switch to another organization the user belongs to.",
                description: "Ends the current session and answers a token pair acting in the chosen organization.",
                body: "SwitchOrganizationRequest",
                success: ("200", json(pair, "A token pair for the chosen organization.")),
                failures: [
                    failure(.forbidden, "The user is not a member of that organization, or the caller is an API key."),
                    failure(.validationFailed, "`org_id` is missing or not a UUID."),
                ]
            )),
            item(operation(
                .authChangePassword, summary: "Change the user's password.",
                description: "Revokes every other session of the user; the current one stays signed in. "
                    + "Throttled to 5 attempts per minute per user.",
                body: "PasswordChangeRequest",
                success: ("204", noContent("The password is changed.")),
                failures: [
                    failure(
                        .validationFailed,
                        "`details.current_password` when the current password is incorrect; "
                            + "`details.new_password` when the new one is too short, too long or too common."
                    ),
                    notASession,
                    failure(.rateLimited, "Too many password attempts; retry after `Retry-After` seconds."),
                ]
            )),
            item(operation(
                .authRequestPasswordReset, summary: "Email a link that sets a new password.",
                description: "The link (`APP_URL/reset-password?token=...`) works once, for one hour. The answer is the same "
                    + "whether or not an account has this email; an account is sent at most 3 links an hour.",
                authenticated: false, body: "PasswordResetRequest",
                success: ("202", json("MessageResponse", "If an account has this email, the link is on its way.")),
                failures: [
                    failure(.validationFailed, "`details.email` when the email is missing or malformed."),
                    failure(.rateLimited, "Too many requests from this address; retry after `Retry-After` seconds."),
                ]
            )),
            item(operation(
                .authResetPassword, summary: "Set a new password with the token from a reset email.",
                description: "The token works once. Every session of the account ends; the account is told by email.",
                authenticated: false, body: "PasswordResetConfirmRequest",
                success: ("204", noContent("The password is set; sign in with it.")),
                failures: [
                    failure(
                        .validationFailed,
                        "`details.token` when the token is invalid, used or expired; `details.new_password` when the password is refused."
                    ),
                    failure(.rateLimited, "Too many attempts from this address; retry after `Retry-After` seconds."),
                ]
            )),
            item(operation(
                .authVerifyEmail, summary: "Confirm the account's email address with the token from the verification email.",
                description: "Sign-up emails the link (`APP_URL/verify-email?token=...`); it works once, for 24 hours.",
                authenticated: false, body: "VerifyEmailRequest",
                success: ("200", json("EmailVerifiedResponse", "The email address is verified.")),
                failures: [failure(.validationFailed, "`details.token` when the token is invalid, used or expired.")]
            )),
            item(operation(
                .authChangeEmail, summary: "Move the account to another email address.",
                description: "Needs the password (throttled like a password change). The new address must be verified again: "
                    + "a link is sent to it, and the old address is told of the change. Links sent to the old address stop working.",
                body: "EmailChangeRequest",
                success: ("200", json("EmailChangedResponse", "The account's address now.")),
                failures: [
                    notASession,
                    failure(.conflict, "Another account has this email address."),
                    failure(.validationFailed, "`details.password` when the password is incorrect; `details.new_email` when it is malformed."),
                    failure(.rateLimited, "Too many password attempts; retry after `Retry-After` seconds."),
                ]
            )),
            item(operation(
                .authResendVerification, summary: "Email a new verification link to the signed-in user.",
                description: "At most 3 links an hour.",
                success: ("202", noContent("The link is on its way.")),
                failures: [
                    notASession, failure(.conflict, "The email address is already verified."),
                    failure(.rateLimited, "3 links were sent in the last hour; retry after `Retry-After` seconds."),
                ]
            )),
        ]
    }

    static func mePaths() -> [(String, Document)] {
        [
            item(operation(
                .getMe, summary: "Get the signed-in user, their current organization and role, and all their memberships.",
                success: ("200", json("MeResponse", "The caller.")),
                failures: [failure(.forbidden, "The user is no longer a member of the token's organization.")]
            ))
        ]
    }
}
