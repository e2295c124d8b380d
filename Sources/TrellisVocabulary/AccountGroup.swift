/// A group of the built-in account endpoints every Trellis app serves under `/api/v1`, unless its
/// project leaves it out (`accounts:` in `specs/trellis.yaml`). The project file names them, the
/// generator describes them in the OpenAPI document, the runtime mounts them: one definition for all.
public enum AccountGroup: String, Sendable, Hashable, CaseIterable {
    /// `/auth/...`: sign-up, sign-in, refresh, logout, organization switch, password change.
    case auth
    /// `GET /me`: the caller, the organization the token acts in, and every membership.
    case me
    /// `/members`: the organization's members and their roles.
    case members
    /// `/invitations`: invite by email; preview, accept or decline by token.
    case invitations
    /// `/api-keys`: long-lived, scoped keys for machines.
    case apiKeys = "api-keys"
    /// `GET /audit-logs`: the organization's audit trail, for owners and admins.
    case auditLogs = "audit-logs"
    /// `/webhook-endpoints`: where the organization's change events are sent, signed, with a
    /// delivery log; for owners and admins.
    case webhookEndpoints = "webhook-endpoints"
    /// `/admin/...`: failed jobs and received webhooks, for platform administrators.
    case admin
}
