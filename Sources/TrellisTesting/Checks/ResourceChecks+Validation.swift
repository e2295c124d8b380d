import Foundation
import Testing
import Trellis

extension ResourceChecks {
    /// A create that breaks one rule answers 422 naming the field (and changes nothing); so does
    /// an update that sets a mutable field to the same value.
    public func refuses(_ invalid: InvalidValue, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        try await session("refuses/\(invalid.field)/\(invalid.rule)") { session in
            let home = session.home
            let creator = try actor(for: .create, in: home)
            var sent = try await body(row: 0, in: home, session: session)
            switch invalid.input {
            case .missing: sent[invalid.field] = nil
            case .null: sent[invalid.field] = .null
            case .value(let value): sent[invalid.field] = value
            case .duplicate:
                let first = try await create(row: 0, in: home, session: session)
                sent = try await body(row: 1, in: home, session: session)
                sent[invalid.field] = first.sent[invalid.field]
            }
            let rowsBefore = try await rowCount(in: home, session: session)
            let response = try await session.client.send(.post, path, as: creator, json: .object(sent))
            expectRefusal(response, naming: invalid.field, "Validation broken", "a create whose \(invalid.field) breaks \(invalid.rule)", at: sourceLocation)
            let rowsAfter = try await rowCount(in: home, session: session)
            expect(rowsAfter == rowsBefore, "Validation broken", "a refused create still made a row (\(rowsBefore ?? 0) rows before, \(rowsAfter ?? 0) after)", at: sourceLocation)

            guard contract.actions.contains(.update), contract.mutableFields.contains(where: { $0.name == invalid.field }) else { return }
            let target = try await create(row: 2, in: home, session: session)
            let change: JSONValue
            switch invalid.input {
            case .missing: return  // leaving a key out of a PATCH changes nothing
            case .null: change = .null
            case .value(let value): change = value
            case .duplicate:
                guard let taken = target.data[invalid.field], taken != .null else { return }
                let second = try await create(row: 3, in: home, session: session)
                let patched = try await session.client.send(.patch, "\(path)/\(second.id)", as: try actor(for: .update, in: home), json: [invalid.field: taken])
                expectRefusal(patched, naming: invalid.field, "Validation broken", "an update that sets \(invalid.field) to another row's value (\(invalid.rule))", at: sourceLocation)
                return
            }
            let patched = try await session.client.send(.patch, "\(path)/\(target.id)", as: try actor(for: .update, in: home), json: [invalid.field: change])
            expectRefusal(patched, naming: invalid.field, "Validation broken", "an update whose \(invalid.field) breaks \(invalid.rule)", at: sourceLocation)
            let after = try await read(target.id, in: home, session: session)
            expect(after.data == target.data, "Validation broken", "a refused update still changed the row: \(after.summary)", at: sourceLocation)
        }
    }

    /// Keys the server owns, keys the spec does not know, and (on update) immutable fields are
    /// refused with 422 naming the key.
    public func refusesServerOwnedUnknownAndImmutableFields(sourceLocation: SourceLocation = #_sourceLocation) async throws {
        try await session("refuses-owned-unknown-immutable") { session in
            let home = session.home
            let creator = try actor(for: .create, in: home)
            let valid = try await body(row: 0, in: home, session: session)
            var refused = contract.serverOwned.map { ($0, Self.plausibleValue(for: $0, in: home)) }
            refused.append(("not_a_field_of_\(contract.table)", "surprise"))
            let rowsBefore = try await rowCount(in: home, session: session)
            for (key, value) in refused {
                var sent = valid
                sent[key] = value
                let response = try await session.client.send(.post, path, as: creator, json: .object(sent))
                expectRefusal(response, naming: key, "Input check broken", "a create that sends \(key)", at: sourceLocation)
            }
            let rowsAfter = try await rowCount(in: home, session: session)
            expect(rowsAfter == rowsBefore, "Input check broken", "refused creates still made rows (\(rowsBefore ?? 0) rows before, \(rowsAfter ?? 0) after)", at: sourceLocation)

            guard contract.actions.contains(.update) else { return }
            let target = try await create(row: 1, in: home, session: session)
            let updater = try actor(for: .update, in: home)
            let immutable = contract.fields.filter { $0.immutable && !$0.setByServer }.map { ($0.name, target.sent[$0.name] ?? $0.example) }
            for (key, value) in immutable + refused {
                let response = try await session.client.send(.patch, "\(path)/\(target.id)", as: updater, json: [key: value])
                expectRefusal(response, naming: key, "Input check broken", "an update that sends \(key)", at: sourceLocation)
            }
            let after = try await read(target.id, in: home, session: session)
            expect(after.data == target.data, "Input check broken", "refused updates still changed the row: \(after.summary)", at: sourceLocation)
        }
    }

    /// How many rows `organization` has in the table (nil for a shared table, where other tests
    /// add rows at any time).
    func rowCount(in organization: SpecOrganization, session: SpecSession) async throws -> Int? {
        contract.tenancy == .organization ? try await session.rowCount(contract.table, in: organization) : nil
    }

    /// A value of the right JSON type for a server-owned key, so only ownership can refuse it.
    static func plausibleValue(for key: String, in organization: SpecOrganization) -> JSONValue {
        switch key {
        case "created_at", "updated_at", "deleted_at": .string(SpecHarness.fixtureTime.rfc3339)
        default: .string(text(organization.id))
        }
    }

    /// Expects 422 `validation_error` with `field` in `details`.
    func expectRefusal(_ response: SpecResponse, naming field: String, _ kind: String, _ what: String, at location: SourceLocation) {
        expect(
            response.status == .unprocessableContent && response.errorCode == "validation_error" && response.detailKeys.contains(field),
            kind, "\(what): \(response.summary); expected 422 validation_error naming \(field) in details", at: location
        )
    }
}
