import Foundation
import Testing
import Trellis

extension ResourceChecks {
    /// With rows in two organizations, the other organization gets 404 for every row of the first
    /// (read, update, delete, restore), never sees one in any list page of any sort order, and the
    /// rows are unchanged afterwards.
    public func anotherOrganizationCannotReachRows(sourceLocation: SourceLocation = #_sourceLocation) async throws {
        try await session("tenancy") { session in
            let home = session.home
            let other = session.other
            var rows: [Row] = []
            for row in 0..<3 { rows.append(try await create(row: row, in: home, session: session)) }
            // Three rows, so that two a page the other organization's lists take a cursor too.
            var theirs: [Row] = []
            for row in 3..<6 { theirs.append(try await create(row: row, in: other, session: session)) }
            var deleted: Row?
            if contract.softDelete, let last = rows.popLast(), let id = last.uuid {
                try await session.markDeleted(contract.table, id: id)
                deleted = last
            }

            for row in rows + [deleted].compactMap({ $0 }) {
                var attempts: [(String, SpecResponse)] = []
                if let actor = try? actor(for: .read, in: other) {
                    attempts.append(("read", try await session.client.send(.get, "\(path)/\(row.id)", as: actor)))
                }
                if contract.actions.contains(.update), let actor = try? actor(for: .update, in: other) {
                    let change = oneChange(in: session)
                    attempts.append(("update", try await session.client.send(.patch, "\(path)/\(row.id)", as: actor, json: .object(change))))
                }
                if let actor = try? actor(for: .delete, in: other) {
                    attempts.append(("delete", try await session.client.send(.delete, "\(path)/\(row.id)", as: actor)))
                }
                if contract.softDelete, let actor = try? actor(for: .restore, in: other) {
                    attempts.append(("restore", try await session.client.send(.post, "\(path)/\(row.id)/restore", as: actor)))
                }
                for (action, response) in attempts {
                    expect(
                        response.status == .notFound && response.errorCode == "not_found", "Tenancy leak",
                        "another organization could \(action) a row of this one: \(response.summary); expected 404", at: sourceLocation
                    )
                }
            }

            let homeIDs = Set((rows + [deleted].compactMap { $0 }).map(\.id))
            if let lister = try? actor(for: .list, in: other) {
                for sort in contract.sortKeys.flatMap({ [$0, "-\($0)"] }) {
                    let seen = try await listIDs(as: lister, sort: sort, limit: 2, session: session)
                    let leaked = homeIDs.intersection(seen)
                    expect(leaked.isEmpty, "Tenancy leak", "another organization's list (sort=\(sort)) shows rows of this one: \(leaked.sorted())", at: sourceLocation)
                    let own = Set(theirs.map(\.id))
                    expect(own.isSubset(of: seen), "List broken", "an organization's list (sort=\(sort)) misses its own rows \(own.subtracting(seen).sorted())", at: sourceLocation)
                }
            }

            for row in rows {
                let after = try await read(row.id, in: home, session: session)
                expect(after.status == .ok && after.data == row.data, "Tenancy leak", "another organization's requests changed a row of this one: it was \(row.data.jsonText), now \(after.summary)", at: sourceLocation)
            }
            if let deleted, let id = deleted.uuid {
                let stored = try await session.storedRow(contract.table, id: id, softDelete: contract.softDelete)
                expect(stored.exists && stored.deleted, "Tenancy leak", "another organization's requests restored or removed a deleted row of this one (\(deleted.id))", at: sourceLocation)
            }
        }
    }

    /// A reference to an organization-scoped resource cannot point into another organization: a
    /// create (or update) that names another organization's row answers 422 naming the field.
    public func referenceStaysInOrganization(_ field: String, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        try await session("reference/\(field)") { session in
            guard let target = contract.field(field)?.referencedResource else {
                throw SpecSetupError("\(contract.title) has no reference field \(field)")
            }
            let parent = ResourceChecks(try harness.contract(named: target), harness: harness)
            let foreign = try await parent.create(row: 0, in: session.home, session: session)
            let other = session.other
            let sent = try await body(row: 1, in: other, session: session, overrides: [field: .string(foreign.id)])
            let created = try await session.client.send(.post, path, as: try actor(for: .create, in: other), json: .object(sent))
            expect(
                created.status == .unprocessableContent && created.detailKeys.contains(field), "Tenancy leak",
                "a create in one organization referenced another organization's \(target) through \(field): \(created.summary); expected 422 naming \(field)",
                at: sourceLocation
            )

            guard contract.mutableFields.contains(where: { $0.name == field }) else { return }
            let own = try await create(row: 2, in: other, session: session)
            let patched = try await session.client.send(.patch, "\(path)/\(own.id)", as: try actor(for: .update, in: other), json: [field: .string(foreign.id)])
            expect(
                patched.status == .unprocessableContent && patched.detailKeys.contains(field), "Tenancy leak",
                "an update in one organization pointed \(field) at another organization's \(target): \(patched.summary); expected 422 naming \(field)",
                at: sourceLocation
            )
            let after = try await read(own.id, in: other, session: session)
            expect(after.data == own.data, "Tenancy leak", "a refused update still changed the row: \(after.summary)", at: sourceLocation)
        }
    }

    /// A ref may not name a deleted row of a resource under soft delete: a create (and a PATCH
    /// that points the ref there) answers 422 naming the field, as for a row that does not exist.
    public func refusesDeletedReference(_ field: String, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        try await session("deleted-reference/\(field)") { session in
            guard let target = contract.field(field)?.referencedResource else {
                throw SpecSetupError("\(contract.title) has no reference field \(field)")
            }
            let parent = ResourceChecks(try harness.contract(named: target), harness: harness)
            let home = session.home
            let deleted = try await parent.create(row: 7, in: home, session: session)
            let removed = try await session.client.send(.delete, "\(parent.path)/\(deleted.id)", as: try parent.actor(for: .delete, in: home))
            guard removed.status == .noContent else { throw SpecSetupError("could not delete a \(target): \(removed.summary)") }

            let sent = try await body(row: 1, in: home, session: session, overrides: [field: .string(deleted.id)])
            let created = try await session.client.send(.post, path, as: try actor(for: .create, in: home), json: .object(sent))
            expect(
                created.status == .unprocessableContent && created.detailKeys.contains(field), "Reference broken",
                "a create referred to a deleted \(target) through \(field): \(created.summary); expected 422 naming \(field)", at: sourceLocation
            )
            guard contract.mutableFields.contains(where: { $0.name == field }) else { return }
            let own = try await create(row: 2, in: home, session: session)
            let patched = try await session.client.send(.patch, "\(path)/\(own.id)", as: try actor(for: .update, in: home), json: [field: .string(deleted.id)])
            expect(
                patched.status == .unprocessableContent && patched.detailKeys.contains(field), "Reference broken",
                "an update pointed \(field) at a deleted \(target): \(patched.summary); expected 422 naming \(field)", at: sourceLocation
            )
        }
    }
}
