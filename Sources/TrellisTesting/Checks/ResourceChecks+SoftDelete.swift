import Foundation
import Testing
import Trellis

extension ResourceChecks {
    /// Under soft delete, a deleted row leaves read and list but stays in the table, frees its
    /// unique values for new rows, and comes back on restore; restoring it again changes nothing.
    public func softDeleteHidesKeepsAndRestores(sourceLocation: SourceLocation = #_sourceLocation) async throws {
        try await session("soft-delete") { session in
            let home = session.home
            let made = try await create(row: 0, in: home, session: session)
            guard let id = made.uuid else { throw SpecSetupError("the created \(contract.name) has no UUID id: \(made.id)") }
            let deleted = try await session.client.send(.delete, "\(path)/\(made.id)", as: try actor(for: .delete, in: home))
            expect(deleted.status == .noContent, "Soft delete broken", "\(deleted.summary), expected 204", at: sourceLocation)

            let read = try await self.read(made.id, in: home, session: session)
            expect(read.status == .notFound, "Soft delete broken", "a deleted row is still readable: \(read.summary)", at: sourceLocation)
            let listed = try await listIDs(as: try actor(for: .list, in: home), session: session)
            expect(!listed.contains(made.id), "Soft delete broken", "a deleted row is still listed (\(made.id))", at: sourceLocation)
            let stored = try await session.storedRow(contract.table, id: id, softDelete: contract.softDelete)
            expect(stored.exists && stored.deleted, "Soft delete broken", "the deleted row \(stored.exists ? "is not marked deleted" : "left the table")", at: sourceLocation)

            let unique = contract.writableFields.filter(\.unique).map(\.name)
            if !unique.isEmpty {
                var overrides: [String: JSONValue] = [:]
                for name in unique { overrides[name] = made.sent[name] }
                let twin = try await session.client.send(
                    .post, path, as: try actor(for: .create, in: home), json: .object(try await body(row: 1, in: home, session: session, overrides: overrides))
                )
                expect(twin.status == .created, "Soft delete broken", "a deleted row still holds its unique \(unique.joined(separator: ", ")): \(twin.summary)", at: sourceLocation)
                if twin.status == .created, let twinID = twin.id {
                    let blocked = try await session.client.send(.post, "\(path)/\(made.id)/restore", as: try actor(for: .restore, in: home))
                    expect(
                        [.conflict, .unprocessableContent].contains(blocked.status) && !blocked.detailKeys.isDisjoint(with: unique), "Soft delete broken",
                        "restoring a row whose unique values were taken since: \(blocked.summary); expected 409 or 422 naming the field", at: sourceLocation
                    )
                    _ = try await session.client.send(.delete, "\(path)/\(twinID)", as: try actor(for: .delete, in: home))
                }
            }

            let restored = try await session.client.send(.post, "\(path)/\(made.id)/restore", as: try actor(for: .restore, in: home))
            expect(restored.status == .ok && restored.id == made.id, "Restore broken", "\(restored.summary), expected 200 with the row", at: sourceLocation)
            let back = try await self.read(made.id, in: home, session: session)
            var expected = made.data.objectValue ?? [:]
            if expected["updated_at"] != nil { expected["updated_at"] = back.data?["updated_at"] }  // restoring is a change
            // Deleting and restoring are two writes.
            if case .integer(let version)? = expected["version"] { expected["version"] = .integer(version + 2) }
            expect(back.status == .ok && back.data == .object(expected), "Restore broken", "a restored row reads as \(back.summary), expected \(made.data.jsonText)", at: sourceLocation)
            let relisted = try await listIDs(as: try actor(for: .list, in: home), session: session)
            expect(relisted.contains(made.id), "Restore broken", "a restored row is not listed (\(made.id))", at: sourceLocation)
            let again = try await session.client.send(.post, "\(path)/\(made.id)/restore", as: try actor(for: .restore, in: home))
            expect(
                again.status == .ok && again.data == back.data, "Restore broken",
                "restoring a row that is not deleted (a retry): \(again.summary), expected 200 with the row unchanged", at: sourceLocation
            )
        }
    }
}
