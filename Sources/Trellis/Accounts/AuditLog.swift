import Foundation
import Logging
import PostgresNIO

/// Security-relevant events (sign-ins, token reuse, role changes, keys), one row each in
/// `audit_logs`, written in the same transaction as the change they record where there is one.
///
/// Rows hold who, what, on which subject, and from where; never a password, token or key.
public enum AuditAction: String, Sendable, CaseIterable {
    case signup
    case loginSucceeded = "login.succeeded"
    case loginFailed = "login.failed"
    case loginThrottled = "login.throttled"
    case refreshReused = "refresh.reused"
    /// A refresh found the user no longer a member of the session's organization.
    case refreshMembershipEnded = "refresh.membership_ended"
    case logout
    case logoutAll = "logout.all"
    case orgSwitched = "org.switched"
    case passwordChanged = "password.changed"
    case passwordChangeFailed = "password.change_failed"
    /// A password-reset link was asked for (sent, unless the hourly limit was reached).
    case passwordResetRequested = "password.reset_requested"
    /// The password was set with a reset link; every session ended.
    case passwordReset = "password.reset"
    case emailVerified = "email.verified"
    case emailChanged = "email.changed"
    case memberRoleChanged = "member.role_changed"
    case memberRemoved = "member.removed"
    case invitationCreated = "invitation.created"
    case invitationAccepted = "invitation.accepted"
    case invitationDeclined = "invitation.declined"
    case invitationRevoked = "invitation.revoked"
    case apiKeyCreated = "api_key.created"
    case apiKeyRevoked = "api_key.revoked"
    /// An operator made a user a platform administrator, or stopped them being one.
    case platformAdminGranted = "platform_admin.granted"
    case platformAdminRevoked = "platform_admin.revoked"
}

public enum AuditLog {
    /// Records `action` in the caller's organization (`scope`) on `connection` (inside the
    /// caller's transaction, if any): how routes acting for a principal record their events.
    public static func record(
        _ action: AuditAction, in scope: TenantScope, userID: UUID? = nil, apiKeyID: UUID? = nil, subjectID: UUID? = nil,
        origin: RequestOrigin, on connection: PostgresConnection, logger: Logger
    ) async throws {
        try await record(
            action, userID: userID, orgID: scope.orgID, apiKeyID: apiKeyID, subjectID: subjectID, origin: origin, on: connection,
            logger: logger
        )
    }

    /// Records `action` on `connection` (inside the caller's transaction, if any).
    ///
    /// `orgID` is for events whose organization does not come from a principal: the one sign-up
    /// creates, the membership sign-in or an organization switch starts in, an invitation's, a
    /// refreshed session's. Events in the caller's organization use ``record(_:in:userID:apiKeyID:subjectID:origin:on:logger:)``.
    public static func record(
        _ action: AuditAction, userID: UUID? = nil, orgID: UUID? = nil, apiKeyID: UUID? = nil, subjectID: UUID? = nil,
        origin: RequestOrigin, on connection: PostgresConnection, logger: Logger
    ) async throws {
        try await connection.query(
            """
            INSERT INTO audit_logs (id, action, user_id, org_id, api_key_id, subject_id, ip, user_agent, request_id)
            VALUES (\(UUID.v7()), \(action.rawValue), \(userID), \(orgID), \(apiKeyID), \(subjectID), \(origin.ip), \(origin.userAgent), \(origin.requestID))
            """,
            logger: logger
        )
    }
}
