import TrellisVocabulary

/// The tag each group's operations carry in the document.
extension AccountGroup {
    package var tag: String {
        switch self {
        case .auth: "Auth"
        case .me: "Account"
        case .members: "Members"
        case .invitations: "Invitations"
        case .apiKeys: "API keys"
        case .auditLogs: "Audit logs"
        case .webhookEndpoints: "Webhooks"
        case .admin: "Administration"
        }
    }

    package var tagDescription: String {
        switch self {
        case .auth: "Sign-up, sign-in, token refresh and sessions."
        case .me: "The signed-in user and their organizations."
        case .members: "The members of the current organization and their roles."
        case .invitations: "Invitations to join the current organization."
        case .apiKeys: "Scoped API keys of the current organization."
        case .auditLogs: "Who changed what in the current organization, and from where."
        case .webhookEndpoints: "Where the current organization's change events are sent, signed, and how each delivery went."
        case .admin: "Background jobs and received webhooks across every organization, for platform administrators."
        }
    }
}
