import Foundation
import Hummingbird
import Logging
import PostgresNIO
import TrellisAccountsAPI

/// `GET /me`: the caller, the organization and role the token acts in, and every membership.
public struct MeRoutes: Sendable {
    public let database: Database

    public init(database: Database) {
        self.database = database
    }

    public func add(to group: RouterGroup<TrellisRequestContext>) {
        group.on(.getMe) { request, context in try await me(request, context) }
    }

    func me(_ request: Request, _ context: TrellisRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        try request.rejectUnknownQueryParameters()
        let logger = context.logger
        return try await database.client.withConnection { connection in
            let user = try await first(
                connection.query("SELECT id, email, name, created_at FROM users WHERE id = \(principal.userID)", logger: logger)
                    .decode((UUID, String, String, Timestamp).self)
            )
            guard let user else { throw APIError.unauthorized }
            var memberships: [JSONValue] = []
            var current: (organization: JSONValue, role: String)?
            let rows = try await connection.query(
                """
                SELECT o.id, o.name, o.slug, m.role FROM memberships m JOIN organizations o ON o.id = m.org_id
                WHERE m.user_id = \(principal.userID) ORDER BY m.created_at, o.id
                """,
                logger: logger
            )
            for try await (id, name, slug, role) in rows.decode((UUID, String, String, String).self) {
                let organization = JSONValue.object(["id": .string(id.lowercasedString), "name": .string(name), "slug": .string(slug)])
                if id == principal.orgID { current = (organization, role) }
                memberships.append(.object(["organization": organization, "role": .string(role)]))
            }
            // The membership, not the token (up to one access-token lifetime old), has the current role.
            guard let current else { throw APIError(.forbidden, "You are no longer a member of this organization.") }
            let body = JSONValue.object([
                "user": .object([
                    "id": .string(user.0.lowercasedString), "email": .string(user.1), "name": .string(user.2),
                    "created_at": .string(user.3.description),
                ]),
                "organization": current.organization,
                "role": .string(current.role),
                "memberships": .array(memberships),
            ])
            return Response.data(body)
        }
    }
}
