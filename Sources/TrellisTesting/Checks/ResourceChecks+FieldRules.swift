import Foundation
import HTTPTypes
import Testing
import Trellis

extension ResourceChecks {
    /// A field with `read_roles`: every role that may read a row sees it exactly when the field's
    /// roles include it, in a read and in a list; a role left out may neither filter nor sort by
    /// it (403).
    public func hidesFieldFromRoles(_ name: String, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        guard let field = contract.fields.first(where: { $0.name == name }), let seers = field.readRoles else {
            throw SpecSetupError("\(contract.title) has no field \(name) with read_roles")
        }
        try await session("field-read/\(name)") { session in
            let home = session.home
            let row = try await create(row: 0, in: home, session: session)
            for role in Role.allCases.sorted(by: >) where contract.permissions[.read]?.contains(role) == true {
                if contract.ownRows[.read]?.contains(role) == true { continue }  // another user's row: not theirs to read
                let actor = SpecActor.member(home.principal(role))
                let sees = seers.contains(role)
                let read = try await session.client.send(.get, "\(path)/\(row.id)", as: actor)
                expect(
                    read.status == .ok && (read.data?[name] != nil) == sees, "Field rule broken",
                    "\(Self.member(role)) read a row \(sees ? "without" : "with") \(name): \(read.summary)", at: sourceLocation
                )
                guard contract.permissions[.list]?.contains(role) == true else { continue }
                let listed = try await session.client.send(.get, path, as: actor)
                let items = listed.json?["data"]?.arrayValue ?? []
                expect(
                    listed.status == .ok && items.contains { $0["id"]?.stringValue == row.id } && items.allSatisfy { ($0[name] != nil) == sees },
                    "Field rule broken",
                    "\(Self.member(role)) listed rows \(sees ? "without" : "with") \(name): \(listed.summary)", at: sourceLocation
                )
                guard !sees else { continue }
                if let operation = contract.filters[name]?.first {
                    let query = "\(operation.parameter(for: name))=\(filterProbe(operation, field: field))"
                    let filtered = try await session.client.send(.get, "\(path)?\(query)", as: actor)
                    expect(
                        filtered.status == .forbidden, "Field rule broken",
                        "\(Self.member(role)) filtered by \(name), which it does not see: \(filtered.summary); expected 403", at: sourceLocation
                    )
                }
                if contract.sortKeys.contains(name) {
                    let sorted = try await session.client.send(.get, "\(path)?sort=\(name)", as: actor)
                    expect(
                        sorted.status == .forbidden, "Field rule broken",
                        "\(Self.member(role)) sorted by \(name), which it does not see: \(sorted.summary); expected 403", at: sourceLocation
                    )
                }
            }
        }
    }

    /// A valid value of `operation` on `field`, percent-encoded (the check is about the
    /// permission, not the match).
    private func filterProbe(_ operation: FilterOperator, field: FieldContract) -> String {
        let text: String
        switch (operation, field.example) {
        case (.isNull, _): text = "true"
        case (_, .string(let value)): text = value
        case (_, .integer(let value)): text = String(value)
        case (_, .number(let value)): text = String(value)
        case (_, .bool(let value)): text = value ? "true" : "false"
        default: text = "1"
        }
        var allowed = CharacterSet.urlQueryAllowed
        allowed.remove(charactersIn: "+&=,")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }

    /// A field with `write_roles`: a role that may create (or update) but is not among the field's
    /// roles gets 422 naming the field when it sends it, and nothing is made or changed; a role
    /// among them succeeds.
    public func refusesFieldWritesFromRoles(_ name: String, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        guard let field = contract.fields.first(where: { $0.name == name }), let writers = field.writeRoles else {
            throw SpecSetupError("\(contract.title) has no field \(name) with write_roles")
        }
        try await session("field-write/\(name)") { session in
            let home = session.home
            for role in Role.allCases.sorted(by: >) where contract.permissions[.create]?.contains(role) == true {
                var body = try await self.body(row: 1 + (Role.allCases.firstIndex(of: role) ?? 0), in: home, session: session)
                body[name] = field.example
                let before = try await rowCount(in: home, session: session)
                let created = try await session.client.send(.post, path, as: .member(home.principal(role)), json: .object(body))
                if writers.contains(role) {
                    expect(created.status == .created, "Field rule broken", "\(Self.member(role)) may set \(name), but \(created.summary)", at: sourceLocation)
                } else {
                    expect(
                        created.status == .unprocessableContent && created.detailKeys.contains(name), "Field rule broken",
                        "\(Self.member(role)) may not set \(name), but creating with it answered \(created.summary); expected 422 naming it",
                        at: sourceLocation
                    )
                    expect(try await rowCount(in: home, session: session) == before, "Field rule broken", "a refused create still made a row", at: sourceLocation)
                }
            }
            guard contract.actions.contains(.update), !field.immutable, let value = field.alternate ?? Optional(field.example) else { return }
            let row = try await create(row: 0, in: home, session: session)
            for role in Role.allCases.sorted(by: >) where contract.permissions[.update]?.contains(role) == true && !writers.contains(role) {
                // A role limited to its own rows changes one it owns.
                if contract.ownRows[.update]?.contains(role) == true, let column = contract.owner, let user = home.members[role], let id = row.uuid {
                    try await session.setColumn(contract.table, id: id, column: column, to: user)
                }
                for sent in [value] + (field.nullable ? [JSONValue.null] : []) {
                    let changed = try await session.client.send(.patch, "\(path)/\(row.id)", as: .member(home.principal(role)), json: [name: sent])
                    expect(
                        changed.status == .unprocessableContent && changed.detailKeys.contains(name), "Field rule broken",
                        "\(Self.member(role)) may not set \(name), but a PATCH with it (\(sent.jsonText)) answered \(changed.summary); expected 422 naming it",
                        at: sourceLocation
                    )
                }
            }
        }
    }
}
