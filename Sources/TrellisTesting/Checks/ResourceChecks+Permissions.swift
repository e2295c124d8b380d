import Foundation
import HTTPTypes
import Testing
import Trellis

extension ResourceChecks {
    /// One cell of the spec's permission matrix: the member with the cell's role succeeds, or gets
    /// 403 and changes nothing.
    public func permission(_ cell: PermissionCell, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        try await session("permission/\(cell.role.rawValue)/\(cell.action.rawValue)") { session in
            let principal = session.home.principal(cell.role)
            try await judge(
                cell.action, as: .member(principal), who: Self.member(cell.role), allowed: cell.allowed,
                owner: owner(for: cell.action, role: cell.role, in: session.home), role: cell.role, session: session, at: sourceLocation
            )
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
                allowed: cell.allowed, owner: owner(for: cell.action, role: role, in: session.home), role: role, session: session,
                at: sourceLocation
            )
        }
    }

    /// "an owner", "a member".
    static func member(_ role: Role) -> String {
        (role == .owner || role == .admin ? "an " : "a ") + role.rawValue
    }

    /// The user a row must belong to for `role` to `action` it: its own member when the spec
    /// limits the role to its own rows, else nil (any row will do).
    func owner(for action: ResourceAction, role: Role, in organization: SpecOrganization) -> UUID? {
        contract.ownRows[action]?.contains(role) == true ? organization.members[role] : nil
    }

    /// A role limited to its own rows does not reach another user's: a list leaves the row out, a
    /// read answers 404, and a write answers 403 when the role may read the row (404 when it may
    /// not) and changes nothing.
    public func limitsToOwnRows(_ cell: PermissionCell, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        try await session("own-rows/\(cell.role.rawValue)/\(cell.action.rawValue)") { session in
            let home = session.home
            guard contract.ownRows[cell.action]?.contains(cell.role) == true, let column = contract.owner else {
                throw SpecSetupError("\(contract.title) does not limit \(cell.role.rawValue) to its own rows for \(cell.action.rawValue)")
            }
            let actor = SpecActor.member(home.principal(cell.role))
            guard let someoneElse = home.members[cell.role == .owner ? .admin : .owner] else {
                throw SpecSetupError("the organization has no member to own the other row")
            }
            var row = try await create(row: 0, in: home, session: session)
            guard let id = row.uuid else { return }
            try await session.setColumn(contract.table, id: id, column: column, to: someoneElse)
            if contract.canPerform(.read), let read = try await self.read(row.id, in: home, session: session).data { row.data = read }
            let who = Self.member(cell.role)
            let readsOthers = contract.permissions[.read]?.contains(cell.role) == true && contract.ownRows[.read]?.contains(cell.role) != true
            switch cell.action {
            case .list:
                // And one of their own, which the list must show.
                let own = try await create(row: 1, in: home, session: session)
                if let ownID = own.uuid, let user = home.members[cell.role] {
                    try await session.setColumn(contract.table, id: ownID, column: column, to: user)
                }
                let listed = try await listIDs(as: actor, session: session)
                expect(!listed.contains(row.id), "Ownership broken", "\(who) lists only their own rows, but the list shows another user's row \(row.id)", at: sourceLocation)
                expect(listed.contains(own.id), "Ownership broken", "\(who) lists their own rows, but the list leaves out \(own.id)", at: sourceLocation)
                return
            case .create:
                throw SpecSetupError("create cannot be limited to own rows")
            case .read:
                let response = try await session.client.send(.get, "\(path)/\(row.id)", as: actor)
                expect(response.status == .notFound, "Ownership broken", "\(who) reads only their own rows, but another user's: \(response.summary); expected 404", at: sourceLocation)
                return
            case .update:
                let response = try await session.client.send(.patch, "\(path)/\(row.id)", as: actor, json: .object(oneChange(in: session)))
                expectRefused(response, readsOthers: readsOthers, who: who, action: cell.action, at: sourceLocation)
                let after = try await read(row.id, in: home, session: session)
                expect(after.data == row.data, "Ownership broken", "a refused update of another user's row still changed it: \(after.summary)", at: sourceLocation)
            case .delete:
                let response = try await session.client.send(.delete, "\(path)/\(row.id)", as: actor)
                expectRefused(response, readsOthers: readsOthers, who: who, action: cell.action, at: sourceLocation)
                let stored = try await session.storedRow(contract.table, id: id, softDelete: contract.softDelete)
                expect(stored.exists && !stored.deleted, "Ownership broken", "a refused delete of another user's row still removed it", at: sourceLocation)
            case .restore:
                try await session.markDeleted(contract.table, id: id)
                let response = try await session.client.send(.post, "\(path)/\(row.id)/restore", as: actor)
                expectRefused(response, readsOthers: readsOthers, who: who, action: cell.action, at: sourceLocation)
                let stored = try await session.storedRow(contract.table, id: id, softDelete: contract.softDelete)
                expect(stored.deleted, "Ownership broken", "a refused restore of another user's row still brought it back", at: sourceLocation)
            }
        }
    }

    private func expectRefused(_ response: SpecResponse, readsOthers: Bool, who: String, action: ResourceAction, at location: SourceLocation) {
        let expected: HTTPResponse.Status = readsOthers ? .forbidden : .notFound
        expect(
            response.status == expected, "Ownership broken",
            "\(who) may \(action.rawValue) only their own rows, but on another user's: \(response.summary); expected \(expected.code)", at: location
        )
    }

    /// Performs `action` as `actor` on a row made for it (owned by `owner`, when given), and checks
    /// the answer against `allowed`.
    private func judge(
        _ action: ResourceAction, as actor: SpecActor, who: String, allowed: Bool, owner: UUID? = nil, role: Role? = nil,
        session: SpecSession, at location: SourceLocation
    ) async throws {
        let home = session.home
        let response: SpecResponse
        var target: Row?
        switch action {
        case .list:
            response = try await session.client.send(.get, path, as: actor)
        case .create:
            var sent = try await body(row: 1, in: home, session: session)
            if let role { sent = writable(sent, by: role) }
            let before = try await rowCount(in: home, session: session)
            response = try await session.client.send(.post, path, as: actor, json: .object(sent))
            if !allowed, response.status == .forbidden {
                let after = try await rowCount(in: home, session: session)
                expect(after == before, "Permission broken", "a refused create still made a row", at: location)
            }
        case .read, .update, .delete, .restore:
            var row = try await create(row: 0, in: home, session: session)
            if let owner, let column = contract.owner, let id = row.uuid {
                try await session.setColumn(contract.table, id: id, column: column, to: owner)
                if contract.canPerform(.read), let read = try await self.read(row.id, in: home, session: session).data { row.data = read }
            }
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
