import Foundation
import Hummingbird
import Logging
import PostgresNIO
import TrellisAccountsAPI

/// `/members`: who belongs to the caller's organization, role changes and removals.
///
/// Rules: any member lists; admins and owners change roles and remove members; only owners grant
/// the owner role or change or remove an owner; anyone may leave; the last owner can neither leave
/// nor be demoted (409). A user id that is not a member of the caller's organization is 404, so
/// nothing about other organizations leaks. Removal revokes the member's sessions in the
/// organization, so they lose access within one access-token lifetime, and their API keys there.
/// Removal and demotion revoke the pending invitations the member could no longer send.
public struct MembersRoutes: Sendable {
    public let database: Database

    static let read = Permission(roles: Role.allCases, scope: "read:members")
    static let manage = Permission(roles: [.owner, .admin], scope: "write:members")
    /// Leaving needs no particular role; removing someone else is checked against ``manage``'s roles.
    static let remove = Permission(roles: Role.allCases, scope: "write:members")

    public init(database: Database) {
        self.database = database
    }

    public func add(to group: RouterGroup<TrellisRequestContext>) {
        group.on(.listMembers) { request, context in try await list(request, context) }
        group.on(.updateMember) { request, context in try await changeRole(request, context) }
        group.on(.removeMember) { request, context in try await remove(request, context) }
    }

    func list(_ request: Request, _ context: TrellisRequestContext) async throws -> Response {
        let principal = try context.require(Self.read)
        let scope = TenantScope(principal: principal)
        try request.rejectUnknownQueryParameters()
        let members = try await database.client.withConnection { connection in
            _ = try await MemberAccess.currentRole(of: principal, on: connection, logger: context.logger)
            return try await MemberRecord.all(in: scope, on: connection, logger: context.logger)
        }
        return Response.data(JSONValue.array(members.map(\.json)))
    }

    func changeRole(_ request: Request, _ context: TrellisRequestContext) async throws -> Response {
        let principal = try context.require(Self.manage)
        let scope = TenantScope(principal: principal)
        try request.rejectUnknownQueryParameters()
        let userID = try context.resourceID("user_id")
        var input = InputReader(try await request.jsonObject(context: context), fields: ["role"], serverOwned: ["user", "joined_at"])
        let newRole = input.readRole("role")
        try input.finish()
        guard let newRole else { throw input.failure() }
        let origin = RequestOrigin(request, context: context)
        let member = try await database.transaction(logger: context.logger) { connection in
            try await MemberAccess.lockOrganization(scope, on: connection, logger: context.logger)
            let callerRole = try await MemberAccess.currentRole(of: principal, among: Self.manage.roles, on: connection, logger: context.logger)
            guard var member = try await MemberRecord.find(userID, in: scope, on: connection, logger: context.logger) else {
                throw APIError.notFound("member")
            }
            guard member.role != newRole else { return member }
            if (member.role == .owner || newRole == .owner) && callerRole != .owner {
                throw APIError(.forbidden, "Only owners can make someone an owner or change an owner's role.")
            }
            if member.role == .owner {
                try await MemberAccess.requireAnotherOwner(in: scope, on: connection, logger: context.logger)
            }
            try await connection.query(
                "UPDATE memberships SET role = \(newRole.rawValue) WHERE org_id = \(scope.orgID) AND user_id = \(userID)",
                logger: context.logger
            )
            try await MemberAccess.revokeWhatTheyNoLongerHold(userID, in: scope, role: newRole, on: connection, logger: context.logger)
            try await AuditLog.record(
                .memberRoleChanged, in: scope, userID: principal.userID, apiKeyID: principal.apiKeyID, subjectID: userID,
                origin: origin, on: connection, logger: context.logger
            )
            member.role = newRole
            return member
        }
        return Response.data(member.json)
    }

    func remove(_ request: Request, _ context: TrellisRequestContext) async throws -> Response {
        let principal = try context.require(Self.remove)
        let scope = TenantScope(principal: principal)
        try request.rejectUnknownQueryParameters()
        let userID = try context.resourceID("user_id")
        let origin = RequestOrigin(request, context: context)
        try await database.transaction(logger: context.logger) { connection in
            try await MemberAccess.lockOrganization(scope, on: connection, logger: context.logger)
            let callerRole = try await MemberAccess.currentRole(of: principal, on: connection, logger: context.logger)
            guard let member = try await MemberRecord.find(userID, in: scope, on: connection, logger: context.logger) else {
                throw APIError.notFound("member")
            }
            if userID != principal.userID {
                guard Self.manage.roles.contains(callerRole) else { throw APIError.forbidden }
                if member.role == .owner && callerRole != .owner { throw APIError(.forbidden, "Only owners can remove an owner.") }
            }
            if member.role == .owner {
                try await MemberAccess.requireAnotherOwner(in: scope, on: connection, logger: context.logger)
            }
            try await connection.query(
                "DELETE FROM memberships WHERE org_id = \(scope.orgID) AND user_id = \(userID)", logger: context.logger
            )
            try await connection.query(
                "UPDATE sessions SET revoked_at = now() WHERE user_id = \(userID) AND org_id = \(scope.orgID) AND revoked_at IS NULL",
                logger: context.logger
            )
            try await MemberAccess.revokeWhatTheyNoLongerHold(userID, in: scope, role: nil, on: connection, logger: context.logger)
            try await AuditLog.record(
                .memberRemoved, in: scope, userID: principal.userID, apiKeyID: principal.apiKeyID, subjectID: userID,
                origin: origin, on: connection, logger: context.logger
            )
        }
        return Response(status: .noContent)
    }
}

extension InputReader {
    /// A role field: absent or invalid reads as nil (recorded as a problem when invalid; absence is
    /// always a problem here, since every role field is required).
    mutating func readRole(_ key: String) -> Role? {
        guard let text = read(key, as: String.self, required: true) else { return nil }
        guard let role = Role(rawValue: text) else {
            reject(key, "must be one of: " + Role.allCases.map(\.rawValue).joined(separator: ", "))
            return nil
        }
        return role
    }
}
