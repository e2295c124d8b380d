import Foundation
import Testing
import Trellis

extension ResourceChecks {
    /// One cell of the spec's permission matrix: the member with the cell's role succeeds, or gets
    /// 403 and changes nothing.
    public func permission(_ cell: PermissionCell, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        try await session("permission/\(cell.role.rawValue)/\(cell.action.rawValue)") { session in
            let actor = SpecActor.member(session.home.principal(cell.role))
            try await judge(cell.action, as: actor, who: Self.member(cell.role), allowed: cell.allowed, session: session, at: sourceLocation)
        }
    }

    /// A platform administrator may perform `action` on a shared resource whatever their role (the
    /// role cells show that no organization role may).
    public func platformAdminMay(_ action: ResourceAction, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        try await session("platform-admin/\(action.rawValue)") { session in
            guard contract.platformAdminActions.contains(action) else {
                throw SpecSetupError("\(contract.title) does not reserve \(action.rawValue) to platform administrators")
            }
            try await judge(
                action, as: .member(session.home.platformAdmin), who: "a platform administrator (a viewer of the organization)",
                allowed: true, session: session, at: sourceLocation
            )
        }
    }

    /// An API key acts with its creator's role limited to its scopes: with a role the spec allows,
    /// it succeeds with the action's scope (or `*`) and gets 403 without; with a role the spec does
    /// not allow, it gets 403 whatever its scopes.
    public func apiKeyScope(_ cell: ScopeCell, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let creator = cell.role.map { "/\($0.rawValue)" } ?? ""
        try await session("scope/\(cell.scopes.joined(separator: ","))/\(cell.action.rawValue)\(creator)") { session in
            guard let role = cell.role ?? contract.strongestRole(for: cell.action) else {
                throw SpecSetupError("no role may \(cell.action.rawValue) \(contract.title), so the cell must name the key's creator")
            }
            let key = try await session.apiKey(in: session.home, role: role, scopes: cell.scopes)
            try await judge(
                cell.action, as: .apiKey(key), who: "an API key of \(Self.member(role)) with \(cell.scopes.joined(separator: ", "))",
                allowed: cell.allowed, session: session, at: sourceLocation
            )
        }
    }

    /// "an owner", "a member".
    static func member(_ role: Role) -> String {
        (role == .owner || role == .admin ? "an " : "a ") + role.rawValue
    }

    /// Performs `action` as `actor` on a row made for it, and checks the answer against `allowed`.
    private func judge(
        _ action: ResourceAction, as actor: SpecActor, who: String, allowed: Bool, session: SpecSession, at location: SourceLocation
    ) async throws {
        let home = session.home
        let response: SpecResponse
        var target: Row?
        switch action {
        case .list:
            response = try await session.client.send(.get, path, as: actor)
        case .create:
            let sent = try await body(row: 1, in: home, session: session)
            let before = try await rowCount(in: home, session: session)
            response = try await session.client.send(.post, path, as: actor, json: .object(sent))
            if !allowed, response.status == .forbidden {
                let after = try await rowCount(in: home, session: session)
                expect(after == before, "Permission broken", "a refused create still made a row", at: location)
            }
        case .read, .update, .delete, .restore:
            let row = try await create(row: 0, in: home, session: session)
            target = row
            switch action {
            case .read:
                response = try await session.client.send(.get, "\(path)/\(row.id)", as: actor)
            case .update:
                let change = oneChange(in: session)
                response = try await session.client.send(.patch, "\(path)/\(row.id)", as: actor, json: .object(change))
            case .delete:
                response = try await session.client.send(.delete, "\(path)/\(row.id)", as: actor)
            default:
                if let id = row.uuid { try await session.markDeleted(contract.table, id: id) }
                response = try await session.client.send(.post, "\(path)/\(row.id)/restore", as: actor)
            }
        }

        if allowed {
            expect(response.status.isSuccess, "Permission broken", "\(who) may \(action.rawValue) by the spec, but \(response.summary)", at: location)
            return
        }
        let refused = expect(
            response.status == .forbidden && response.errorCode == "forbidden", "Permission broken",
            "\(who) may not \(action.rawValue) by the spec, but \(response.summary); expected 403", at: location
        )
        guard refused, let row = target, let id = row.uuid else { return }
        switch action {
        case .update:
            let after = try await read(row.id, in: home, session: session)
            expect(after.data == row.data, "Permission broken", "a refused update still changed the row: \(after.summary)", at: location)
        case .delete:
            let stored = try await session.storedRow(contract.table, id: id, softDelete: contract.softDelete)
            expect(stored.exists && !stored.deleted, "Permission broken", "a refused delete still removed the row \(row.id)", at: location)
        case .restore:
            let stored = try await session.storedRow(contract.table, id: id, softDelete: contract.softDelete)
            expect(stored.deleted, "Permission broken", "a refused restore still brought the row \(row.id) back", at: location)
        default:
            break
        }
    }
}
