import Foundation
import Testing
import Trellis

extension ResourceChecks {
    /// Create answers 201 with `Location` and every sent value; read answers the same row; the
    /// list shows it; an empty PATCH, or one of the current values, answers it unchanged
    /// (`updated_at` too); update changes every mutable field; delete removes it (and, under soft
    /// delete, restore brings it back). A step whose action no role may perform is left to the
    /// permission cells.
    public func createReadUpdateDelete(sourceLocation: SourceLocation = #_sourceLocation) async throws {
        try await session("create-read-update-delete") { session in
            let home = session.home
            let can = { (action: ResourceAction) in contract.canPerform(action) }
            let made: Row
            if can(.create) {
                guard let checked = try await createAndCheck(in: home, session: session, at: sourceLocation) else { return }
                made = checked
            } else {
                made = try await create(row: 0, in: home, session: session)
            }
            let (id, row) = (made.id, made.data)

            if can(.read) {
                let read = try await self.read(id, in: home, session: session)
                expect(read.status == .ok && read.data == row, "Read broken", "\(read.summary), expected 200 with the created row \(row.jsonText)", at: sourceLocation)
            }
            if can(.list) {
                let listed = try await listIDs(as: try actor(for: .list, in: home), session: session)
                expect(listed.contains(id), "List broken", "the list does not show the created row \(id)", at: sourceLocation)
            }

            if contract.actions.contains(.update), can(.update) {
                let unchanged = try await session.client.send(.patch, "\(path)/\(id)", as: try actor(for: .update, in: home), json: .object([:]))
                expect(
                    unchanged.status == .ok && unchanged.data == row, "Update broken",
                    "an empty PATCH: \(unchanged.summary), expected 200 with the row unchanged (updated_at too): \(row.jsonText)", at: sourceLocation
                )
                let current = contract.fields.filter { !$0.immutable && !$0.setByServer }.compactMap { field in row[field.name].map { (field.name, $0) } }
                if !current.isEmpty {
                    let resent = try await session.client.send(
                        .patch, "\(path)/\(id)", as: try actor(for: .update, in: home), json: .object(Dictionary(uniqueKeysWithValues: current))
                    )
                    expect(
                        resent.status == .ok && resent.data == row, "Update broken",
                        "a PATCH of the current values: \(resent.summary), expected 200 with the row unchanged (updated_at too): \(row.jsonText)", at: sourceLocation
                    )
                }
                let changes = try await changes(to: made, in: home, session: session)
                let updated = try await session.client.send(.patch, "\(path)/\(id)", as: try actor(for: .update, in: home), json: .object(changes))
                if expect(updated.status == .ok, "Update broken", "\(updated.summary), expected 200", at: sourceLocation) {
                    let after = updated.data ?? .null
                    expect(after["id"] == row["id"], "Update broken", "the 200 does not hold the row: \(updated.summary)", at: sourceLocation)
                    expectEcho(of: changes, in: after, "Update broken", at: sourceLocation)
                    for field in contract.fields where field.immutable || field.setByServer {
                        expect(after[field.name] == row[field.name], "Update broken", "\(field.name), which cannot change, went from \(row[field.name]?.jsonText ?? "") to \(after[field.name]?.jsonText ?? "")", at: sourceLocation)
                    }
                    if can(.read) {
                        let reread = try await self.read(id, in: home, session: session)
                        expect(reread.data == after, "Update broken", "a read after the update: \(reread.summary), expected \(after.jsonText)", at: sourceLocation)
                    }
                }
            }

            guard can(.delete) else { return }
            let deleter = try actor(for: .delete, in: home)
            let deleted = try await session.client.send(.delete, "\(path)/\(id)", as: deleter)
            expect(deleted.status == .noContent, "Delete broken", "\(deleted.summary), expected 204", at: sourceLocation)
            if can(.read) {
                let gone = try await self.read(id, in: home, session: session)
                expect(gone.status == .notFound, "Delete broken", "a read after the delete: \(gone.summary), expected 404", at: sourceLocation)
            }
            let again = try await session.client.send(.delete, "\(path)/\(id)", as: deleter)
            expect(again.status == .notFound, "Delete broken", "deleting twice: \(again.summary), expected 404", at: sourceLocation)

            if contract.softDelete, can(.restore) {
                let restored = try await session.client.send(.post, "\(path)/\(id)/restore", as: try actor(for: .restore, in: home))
                expect(restored.status == .ok && restored.id == id, "Restore broken", "\(restored.summary), expected 200 with the row", at: sourceLocation)
                if can(.read) {
                    let back = try await self.read(id, in: home, session: session)
                    expect(back.status == .ok, "Restore broken", "a read after the restore: \(back.summary), expected 200", at: sourceLocation)
                }
            }
        }
    }

    /// Creates the first row through the API and checks the answer: 201, `Location`, every sent
    /// value, the server's own keys, no `org_id`, `set_from` fields set to the creator. Nil (with
    /// the issue recorded) when there is no row to go on with.
    private func createAndCheck(in home: SpecOrganization, session: SpecSession, at sourceLocation: SourceLocation) async throws -> Row? {
        let sent = try await body(row: 0, in: home, session: session)
        let created = try await session.client.send(.post, path, as: try actor(for: .create, in: home), json: .object(sent))
        guard expect(created.status == .created, "Create broken", "\(created.summary), expected 201", at: sourceLocation) else { return nil }
        guard let id = created.id, let row = created.data else {
            expect(false, "Create broken", "the 201 has no row with an id: \(created.summary)", at: sourceLocation)
            return nil
        }
        expect(created.headers[.location] == "\(path)/\(id)", "Create broken", "Location is \(created.headers[.location] ?? "missing"), expected \(path)/\(id)", at: sourceLocation)
        expectEcho(of: sent, in: row, "Create broken", at: sourceLocation)
        for key in contract.serverOwned where key != "org_id" && key != "deleted_at" {
            expect(row[key] != nil && row[key] != .null, "Create broken", "the created row has no \(key): \(row.jsonText)", at: sourceLocation)
        }
        expect(row["org_id"] == nil, "Create broken", "the row shows org_id, which the API never answers", at: sourceLocation)
        for field in contract.fields where field.setByServer {
            var creator: String?
            if case .member(let principal)? = try? actor(for: .create, in: home) { creator = Self.text(principal.userID) }
            expect(row[field.name]?.stringValue == creator, "Create broken", "\(field.name) is \(row[field.name]?.jsonText ?? "missing"), expected the creating user \(creator ?? "")", at: sourceLocation)
        }
        return Row(id: id, data: row, sent: sent)
    }

    /// A `tenancy: none` resource is one table for everyone: one organization's write is what
    /// another reads and lists, and another's change is what the first sees.
    public func sharedAcrossOrganizations(sourceLocation: SourceLocation = #_sourceLocation) async throws {
        try await session("shared-across-organizations") { session in
            let made = try await create(row: 0, in: session.home, session: session)
            let read = try await self.read(made.id, in: session.other, session: session)
            expect(read.status == .ok && read.data == made.data, "Sharing broken", "another organization's read of a shared row: \(read.summary), expected 200 with \(made.data.jsonText)", at: sourceLocation)
            let listed = try await listIDs(as: try actor(for: .list, in: session.other), session: session)
            expect(listed.contains(made.id), "Sharing broken", "another organization's list does not show the shared row \(made.id)", at: sourceLocation)

            let change = oneChange(in: session)
            guard contract.actions.contains(.update), contract.canPerform(.update), let field = change.keys.first else { return }
            let changed = try await session.client.send(.patch, "\(path)/\(made.id)", as: try actor(for: .update, in: session.other), json: .object(change))
            expect(changed.status == .ok, "Sharing broken", "another organization's update of a shared row: \(changed.summary), expected 200", at: sourceLocation)
            let seen = try await self.read(made.id, in: session.home, session: session)
            expect(seen.data?[field] == change[field], "Sharing broken", "after another organization set \(field) to \(change[field]?.jsonText ?? ""), the first reads \(seen.summary)", at: sourceLocation)
        }
    }

    /// Every sent value comes back as sent (instants compared as instants).
    func expectEcho(of sent: [String: JSONValue], in row: JSONValue, _ kind: String, at location: SourceLocation) {
        for (key, value) in sent.sorted(by: { $0.key < $1.key }) {
            let answered = row[key]
            let same: Bool
            if case .datetime = contract.field(key)?.kind, let sentText = value.stringValue, let answeredText = answered?.stringValue {
                same = Timestamp(rfc3339: sentText) == Timestamp(rfc3339: answeredText)
            } else {
                same = answered == value
            }
            expect(same, kind, "\(key) was sent as \(value.jsonText) but answered as \(answered?.jsonText ?? "missing")", at: location)
        }
    }
}
