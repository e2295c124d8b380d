import Foundation
import Hummingbird
import PostgresNIO

/// Refresh-token rotation, logout and organization switch.
extension AuthRoutes {
    /// There is no principal here: the organization audited is the refreshed session's, from its row.
    func refresh(_ request: Request, _ context: TrellisRequestContext) async throws -> Response {
        try request.rejectUnknownQueryParameters()
        var input = InputReader(try await request.jsonObject(context: context), fields: ["refresh_token"], serverOwned: [])
        let token = input.read("refresh_token", as: String.self, required: true)
        try input.finish()
        guard let token else { throw input.failure() }
        let origin = RequestOrigin(request, context: context)
        let rotation = try await database.transaction(logger: context.logger) { connection in
            let rotation = try await sessions.rotate(token, on: connection, logger: context.logger)
            switch rotation {
            case .reused(let userID, let orgID, let sessionID):
                try await AuditLog.record(
                    .refreshReused, userID: userID, orgID: orgID, subjectID: sessionID, origin: origin, on: connection, logger: context.logger
                )
            case .membershipEnded(let userID, let orgID, let sessionID):
                try await AuditLog.record(
                    .refreshMembershipEnded, userID: userID, orgID: orgID, subjectID: sessionID, origin: origin, on: connection,
                    logger: context.logger
                )
            case .rotated, .invalid:
                break
            }
            return rotation
        }
        guard case .rotated(let pair, _) = rotation else { throw APIError.unauthorized }
        return Response.credentials(pair)
    }

    func logout(_ request: Request, _ context: TrellisRequestContext, all: Bool) async throws -> Response {
        let principal = try context.requirePrincipal()
        try request.rejectUnknownQueryParameters()
        guard let sessionID = principal.sessionID else { throw APIError(.forbidden, "Only a signed-in session can log out.") }
        let origin = RequestOrigin(request, context: context)
        try await database.transaction(logger: context.logger) { connection in
            if all {
                try await sessions.revokeAll(userID: principal.userID, on: connection, logger: context.logger)
            } else {
                try await sessions.revoke(sessionID: sessionID, on: connection, logger: context.logger)
            }
            try await AuditLog.record(
                all ? .logoutAll : .logout, in: TenantScope(principal: principal), userID: principal.userID, subjectID: sessionID,
                origin: origin, on: connection, logger: context.logger
            )
        }
        return Response(status: .noContent)
    }

    /// The organization switched to comes from the request, so it stays a bare id, used only after
    /// the membership check and only to start the new session and audit the switch; the caller's
    /// current organization is the audit row's subject.
    func switchOrganization(_ request: Request, _ context: TrellisRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        try request.rejectUnknownQueryParameters()
        guard let sessionID = principal.sessionID else { throw APIError(.forbidden, "Only a signed-in session can switch organizations.") }
        var input = InputReader(try await request.jsonObject(context: context), fields: ["org_id"], serverOwned: [])
        let orgID = input.read("org_id", as: UUID.self, required: true)
        try input.finish()
        guard let orgID else { throw input.failure() }
        let origin = RequestOrigin(request, context: context)
        let pair = try await database.transaction(logger: context.logger) { connection in
            try await SessionTokens.requireActiveSession(of: principal, on: connection, logger: context.logger)
            guard let role = try await Memberships.role(of: principal.userID, in: orgID, on: connection, logger: context.logger) else {
                throw APIError(.forbidden, "You are not a member of that organization.")
            }
            try await sessions.revoke(sessionID: sessionID, on: connection, logger: context.logger)
            try await AuditLog.record(
                .orgSwitched, userID: principal.userID, orgID: orgID, subjectID: principal.orgID, origin: origin, on: connection,
                logger: context.logger
            )
            return try await sessions.start(userID: principal.userID, orgID: orgID, role: role, origin: origin, on: connection, logger: context.logger)
        }
        return Response.credentials(pair)
    }
}
