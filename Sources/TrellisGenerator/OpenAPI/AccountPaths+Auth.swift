/// `/auth/...` and `/me`: sessions and the signed-in caller.
extension AccountPaths {
    static func authPaths() -> [(String, Document)] {
        let pair = "TokenPairResponse"
        let notASession = failure("Forbidden", "Called with an API key: only a signed-in session can do this.")
        return [
            (base + "/auth/signup", ["post": operation(
                "authSignup", .auth, summary: "Create an account and its organization, and sign in.",
                description: "The new user owns the new organization. The response signs them in to it.",
                authenticated: false, body: "SignupRequest",
                success: ("201", json(pair, "Signed up: a token pair for the new organization.")),
                failures: [
                    failure("Conflict", "An account with this email already exists; sign in instead."),
                    failure(
                        "ValidationFailed",
                        "A field is missing or invalid: a malformed email, or a password that is too short, too long or too common."
                    ),
                ]
            )]),
            (base + "/auth/login", ["post": operation(
                "authLogin", .auth, summary: "Sign in with email and password.",
                description: "Throttled to 5 attempts per minute per IP address and per account.",
                authenticated: false, body: "LoginRequest",
                success: ("200", json(pair, "Signed in: a token pair for the user's default organization.")),
                failures: [
                    failure("Unauthorized", "The email or password is incorrect (an unknown email answers the same)."),
                    failure("Forbidden", "The account belongs to no organization; accept an invitation first."),
                    failure("ValidationFailed", "The email or the password is missing, or the email is longer than 254 bytes."),
                    failure("RateLimited", "Too many sign-in attempts; retry after `Retry-After` seconds."),
                ]
            )]),
            (base + "/auth/refresh", ["post": operation(
                "authRefresh", .auth, summary: "Exchange a refresh token for a new token pair.",
                description: "Each refresh token works once. Presenting a used one revokes its whole session.",
                authenticated: false, body: "RefreshRequest",
                success: ("200", json(pair, "A new token pair; the presented refresh token is now used.")),
                failures: [
                    failure("Unauthorized", "The refresh token is invalid, expired or already used (reuse revokes the session)."),
                    failure("ValidationFailed", "The refresh token is missing."),
                ]
            )]),
            (base + "/auth/logout", ["delete": operation(
                "authLogout", .auth, summary: "Sign out: revoke the current session.",
                success: ("204", noContent("The session is revoked; its refresh tokens no longer work.")), failures: [notASession]
            )]),
            (base + "/auth/logout-all", ["post": operation(
                "authLogoutAll", .auth, summary: "Sign out everywhere: revoke every session of the user.",
                success: ("204", noContent("Every session of the user is revoked.")), failures: [notASession]
            )]),
            (base + "/auth/switch-org", ["post": operation(
                "authSwitchOrg", .auth, summary: "Switch to another organization the user belongs to.",
                description: "Ends the current session and answers a token pair acting in the chosen organization.",
                body: "SwitchOrganizationRequest",
                success: ("200", json(pair, "A token pair for the chosen organization.")),
                failures: [
                    failure("Forbidden", "The user is not a member of that organization, or the caller is an API key."),
                    failure("ValidationFailed", "`org_id` is missing or not a UUID."),
                ]
            )]),
            (base + "/auth/password", ["post": operation(
                "authChangePassword", .auth, summary: "Change the user's password.",
                description: "Revokes every other session of the user; the current one stays signed in. "
                    + "Throttled to 5 attempts per minute per user.",
                body: "PasswordChangeRequest",
                success: ("204", noContent("The password is changed.")),
                failures: [
                    failure(
                        "ValidationFailed",
                        "`details.current_password` when the current password is incorrect; "
                            + "`details.new_password` when the new one is too short, too long or too common."
                    ),
                    notASession,
                    failure("RateLimited", "Too many password attempts; retry after `Retry-After` seconds."),
                ]
            )]),
        ]
    }

    static func mePaths() -> [(String, Document)] {
        [
            (base + "/me", ["get": operation(
                "getMe", .me, summary: "Get the signed-in user, their current organization and role, and all their memberships.",
                success: ("200", json("MeResponse", "The caller.")),
                failures: [failure("Forbidden", "The user is no longer a member of the token's organization.")]
            )])
        ]
    }
}
