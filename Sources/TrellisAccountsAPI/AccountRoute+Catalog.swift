import TrellisVocabulary

/// Every account route, by group, in the order the document lists them.
extension AccountRoute {
    // MARK: - Auth

    package static let authSignup = AccountRoute("authSignup", .auth, .post, ["auth", "signup"])
    package static let authLogin = AccountRoute("authLogin", .auth, .post, ["auth", "login"])
    package static let authRefresh = AccountRoute("authRefresh", .auth, .post, ["auth", "refresh"])
    package static let authLogout = AccountRoute("authLogout", .auth, .delete, ["auth", "logout"])
    package static let authLogoutAll = AccountRoute("authLogoutAll", .auth, .post, ["auth", "logout-all"])
    package static let authSwitchOrg = AccountRoute("authSwitchOrg", .auth, .post, ["auth", "switch-org"])
    package static let authChangePassword = AccountRoute("authChangePassword", .auth, .post, ["auth", "password"])
    package static let authRequestPasswordReset = AccountRoute("authRequestPasswordReset", .auth, .post, ["auth", "password-reset"])
    package static let authResetPassword = AccountRoute("authResetPassword", .auth, .post, ["auth", "password-reset", "confirm"])
    package static let authVerifyEmail = AccountRoute("authVerifyEmail", .auth, .post, ["auth", "verify-email"])
    package static let authResendVerification = AccountRoute("authResendVerification", .auth, .post, ["auth", "verify-email", "resend"])
    package static let authChangeEmail = AccountRoute("authChangeEmail", .auth, .post, ["auth", "email"])

    // MARK: - Me

    package static let getMe = AccountRoute("getMe", .me, .get, ["me"])

    // MARK: - Members

    package static let listMembers = AccountRoute("listMembers", .members, .get, ["members"])
    package static let updateMember = AccountRoute("updateMember", .members, .patch, ["members", .parameter("user_id")])
    package static let removeMember = AccountRoute("removeMember", .members, .delete, ["members", .parameter("user_id")])

    // MARK: - Invitations

    package static let listInvitations = AccountRoute("listInvitations", .invitations, .get, ["invitations"])
    package static let createInvitation = AccountRoute("createInvitation", .invitations, .post, ["invitations"])
    /// `{id}` is the invitation token here (the path template is shared with ``revokeInvitation``).
    package static let getInvitationByToken = AccountRoute("getInvitationByToken", .invitations, .get, ["invitations", .parameter("id")])
    package static let revokeInvitation = AccountRoute("revokeInvitation", .invitations, .delete, ["invitations", .parameter("id")])
    package static let acceptInvitation = AccountRoute(
        "acceptInvitation", .invitations, .post, ["invitations", .parameter("token", capture: "id"), "accept"]
    )
    package static let declineInvitation = AccountRoute(
        "declineInvitation", .invitations, .post, ["invitations", .parameter("token", capture: "id"), "decline"]
    )

    // MARK: - API keys

    package static let listAPIKeys = AccountRoute("listApiKeys", .apiKeys, .get, ["api-keys"])
    package static let createAPIKey = AccountRoute("createApiKey", .apiKeys, .post, ["api-keys"])
    package static let revokeAPIKey = AccountRoute("revokeApiKey", .apiKeys, .delete, ["api-keys", .parameter("id")])

    // MARK: - Audit logs

    package static let listAuditLogs = AccountRoute("listAuditLogs", .auditLogs, .get, ["audit-logs"])

    // MARK: - Webhook endpoints

    package static let listWebhookEndpoints = AccountRoute("listWebhookEndpoints", .webhookEndpoints, .get, ["webhook-endpoints"])
    package static let createWebhookEndpoint = AccountRoute("createWebhookEndpoint", .webhookEndpoints, .post, ["webhook-endpoints"])
    package static let getWebhookEndpoint = AccountRoute("getWebhookEndpoint", .webhookEndpoints, .get, ["webhook-endpoints", .parameter("id")])
    package static let updateWebhookEndpoint = AccountRoute(
        "updateWebhookEndpoint", .webhookEndpoints, .patch, ["webhook-endpoints", .parameter("id")]
    )
    package static let deleteWebhookEndpoint = AccountRoute(
        "deleteWebhookEndpoint", .webhookEndpoints, .delete, ["webhook-endpoints", .parameter("id")]
    )
    package static let listWebhookDeliveries = AccountRoute(
        "listWebhookDeliveries", .webhookEndpoints, .get, ["webhook-endpoints", .parameter("id"), "deliveries"]
    )
    package static let redeliverWebhook = AccountRoute(
        "redeliverWebhook", .webhookEndpoints, .post,
        ["webhook-endpoints", .parameter("id"), "deliveries", .parameter("delivery_id"), "redeliver"]
    )
    package static let testWebhookEndpoint = AccountRoute(
        "testWebhookEndpoint", .webhookEndpoints, .post, ["webhook-endpoints", .parameter("id"), "test"]
    )

    // MARK: - Platform administration

    package static let listJobs = AccountRoute("listJobs", .admin, .get, ["admin", "jobs"])
    package static let retryJob = AccountRoute("retryJob", .admin, .post, ["admin", "jobs", .parameter("job_id"), "retry"])
    package static let discardJob = AccountRoute("discardJob", .admin, .post, ["admin", "jobs", .parameter("job_id"), "discard"])
    package static let listWebhookEvents = AccountRoute("listWebhookEvents", .admin, .get, ["admin", "webhook-events"])
    package static let retryWebhookEvent = AccountRoute(
        "retryWebhookEvent", .admin, .post, ["admin", "webhook-events", .parameter("event_id"), "retry"]
    )

    /// Every account route.
    package static let all: [AccountRoute] = [
        authSignup, authLogin, authRefresh, authLogout, authLogoutAll, authSwitchOrg, authChangePassword,
        authRequestPasswordReset, authResetPassword, authVerifyEmail, authResendVerification, authChangeEmail,
        getMe,
        listMembers, updateMember, removeMember,
        listInvitations, createInvitation, getInvitationByToken, revokeInvitation, acceptInvitation, declineInvitation,
        listAPIKeys, createAPIKey, revokeAPIKey,
        listAuditLogs,
        listWebhookEndpoints, createWebhookEndpoint, getWebhookEndpoint, updateWebhookEndpoint, deleteWebhookEndpoint,
        listWebhookDeliveries, redeliverWebhook, testWebhookEndpoint,
        listJobs, retryJob, discardJob, listWebhookEvents, retryWebhookEvent,
    ]

    /// The routes of `groups`.
    package static func routes(of groups: Set<AccountGroup>) -> [AccountRoute] {
        all.filter { groups.contains($0.group) }
    }
}
