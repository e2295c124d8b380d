import Foundation
import HTTPTypes
import Testing
import Trellis

extension ResourceChecks {
    /// A custom action, as its spec declares it: a role it allows gets 200 with the row and its
    /// `ETag`, and the action is audited as `<type>.<name>` with a change event of that type; a role
    /// it does not allow gets 403, another organization 404, an unknown body key 422, and none of
    /// them is audited. What the action does to the row is the app's: its own tests check that.
    public func performsAction(_ name: String, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        guard let action = contract.customActions.first(where: { $0.name == name }) else {
            throw SpecSetupError("\(contract.title) declares no action \(name)")
        }
        try await session("action/\(name)") { session in
            let home = session.home
            let actionPath = { (row: Row) in "\(path)/\(row.id)/\(action.path)" }
            var body: [String: JSONValue] = [:]
            for field in action.input where field.required || !field.nullable { body[field.name] = field.example }
            let type = resourceType

            // A role the action allows, preferring one limited to its own rows (acting on a row it owns).
            guard let role = Role.allCases.sorted(by: <).first(where: action.ownRoles.contains)
                ?? Role.allCases.sorted(by: >).first(where: action.roles.contains)
            else { return }
            let row = try await create(row: 0, in: home, session: session)
            guard let id = row.uuid else { return }
            if action.ownRoles.contains(role), let column = contract.owner, let user = home.members[role] {
                try await session.setColumn(contract.table, id: id, column: column, to: user)
            }
            let actor = SpecActor.member(home.principal(role))

            let strange = try await session.client.send(.post, actionPath(row), as: actor, json: .object(body.merging(["spec_unknown_field": .integer(1)]) { $1 }))
            expect(strange.status == .unprocessableContent, "Validation broken", "\(name) with an unknown body key answered \(strange.summary); expected 422", at: sourceLocation)
            if let outsider = Role.allCases.first(where: { !action.roles.contains($0) }) {
                let refused = try await session.client.send(.post, actionPath(row), as: .member(home.principal(outsider)), json: .object(body))
                expect(refused.status == .forbidden, "Permission broken", "\(Self.member(outsider)) may not \(name), but \(refused.summary); expected 403", at: sourceLocation)
            }
            let elsewhere = try await session.client.send(.post, actionPath(row), as: .member(session.other.principal(role)), json: .object(body))
            expect(elsewhere.status == .notFound, "Tenancy leak", "another organization's \(name) answered \(elsewhere.summary); expected 404", at: sourceLocation)
            expect(
                try await session.auditRows(about: id).allSatisfy { $0.action != "\(type).\(name)" }, "Audit broken",
                "a refused \(name) was audited", at: sourceLocation
            )

            let done = try await session.client.send(.post, actionPath(row), as: actor, json: .object(body))
            expect(
                done.status == .ok && done.id == row.id && done.headers[.eTag] == done.data?["version"]?.integer.map { "\"\($0)\"" },
                "Action broken", "\(Self.member(role)) performing \(name) answered \(done.summary); expected 200 with the row and its ETag",
                at: sourceLocation
            )
            let audited = try await session.auditRows(about: id).filter { $0.action == "\(type).\(name)" }
            expect(audited.count == 1, "Audit broken", "\(name) left \(audited.count) audit rows \(type).\(name); expected 1", at: sourceLocation)
            // A role limited to its own rows: not on another user's row (403 when it may read it, else 404).
            for ownRole in Role.allCases.sorted(by: >) where action.ownRoles.contains(ownRole) {
                guard let someoneElse = home.members[ownRole == .owner ? .admin : .owner], let column = contract.owner else { continue }
                let other = try await create(row: 2, in: home, session: session)
                guard let otherID = other.uuid else { continue }
                try await session.setColumn(contract.table, id: otherID, column: column, to: someoneElse)
                let readsOthers = contract.permissions[.read]?.contains(ownRole) == true && contract.ownRows[.read]?.contains(ownRole) != true
                let refused = try await session.client.send(.post, actionPath(other), as: .member(home.principal(ownRole)), json: .object(body))
                expect(
                    refused.status == (readsOthers ? .forbidden : .notFound), "Ownership broken",
                    "\(Self.member(ownRole)) may \(name) only their own rows, but on another user's: \(refused.summary)", at: sourceLocation
                )
            }
            let events = try await session.changeEvents(about: id).filter { $0.type == "\(type).\(name)" }
            expect(
                events.count == 1 && events.first?.data["version"] == done.data?["version"], "Change events broken",
                "\(name) left \(events.count) change events of its type, expected 1 holding the row as answered", at: sourceLocation
            )
        }
    }
}
