import Foundation
import Testing
import Trellis

extension ResourceChecks {
    /// Soft delete reaching a child (`on_delete: cascade`): deleting a row hides its visible
    /// children with it (still in their table); restoring the row brings back exactly those, not a
    /// child deleted on its own before.
    /// `cascade` is `Child.ref_id`: the child resource and its ref to this one.
    public func cascadesSoftDelete(to cascade: String, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let parts = cascade.split(separator: ".", maxSplits: 1).map(String.init)
        guard contract.softDeleteCascades.contains(cascade), parts.count == 2 else {
            throw SpecSetupError("\(contract.title) has no child \(cascade) that hides with it")
        }
        let (childName, field) = (parts[0], parts[1])
        let child = ResourceChecks(try harness.contract(named: childName), harness: harness)
        try await session("cascade/\(cascade)") { session in
            let home = session.home
            let parent = try await create(row: 0, in: home, session: session)
            let kept = try await child.create(row: 0, in: home, session: session, overrides: [field: .string(parent.id)])
            let alone = try await child.create(row: 1, in: home, session: session, overrides: [field: .string(parent.id)])
            guard let keptID = kept.uuid, let aloneID = alone.uuid else { return }
            try await session.markDeleted(child.contract.table, id: aloneID)

            let deleted = try await session.client.send(.delete, "\(path)/\(parent.id)", as: try actor(for: .delete, in: home))
            expect(deleted.status == .noContent, "Delete broken", "deleting the parent answered \(deleted.summary)", at: sourceLocation)
            let hidden = try await session.storedRow(child.contract.table, id: keptID, softDelete: true)
            expect(hidden.exists && hidden.deleted, "Cascade broken", "a \(childName) stayed visible when its \(contract.name) was deleted", at: sourceLocation)
            if child.contract.canPerform(.read) {
                let read = try await child.read(kept.id, in: home, session: session)
                expect(read.status == .notFound, "Cascade broken", "a \(childName) of a deleted \(contract.name) answered \(read.summary); expected 404", at: sourceLocation)
            }

            // Alone, a hidden child does not come back while its parent stays deleted.
            if child.contract.canPerform(.restore) {
                let alone = try await session.client.send(.post, "\(child.path)/\(kept.id)/restore", as: try child.actor(for: .restore, in: home))
                expect(
                    alone.status == .conflict, "Cascade broken",
                    "restoring a \(childName) of a deleted \(contract.name) answered \(alone.summary); expected 409", at: sourceLocation
                )
            }
            let restored = try await session.client.send(.post, "\(path)/\(parent.id)/restore", as: try actor(for: .restore, in: home))
            expect(restored.status == .ok, "Restore broken", "restoring the parent answered \(restored.summary)", at: sourceLocation)
            let back = try await session.storedRow(child.contract.table, id: keptID, softDelete: true)
            expect(back.exists && !back.deleted, "Cascade broken", "a \(childName) hidden with its \(contract.name) did not come back with it", at: sourceLocation)
            // Each child hidden and brought back is audited as its own delete and restore.
            let audited = try await session.auditRows(about: keptID).map(\.action)
            expect(
                audited.suffix(2) == ["\(child.resourceType).deleted", "\(child.resourceType).restored"], "Audit broken",
                "a \(childName) hidden and brought back with its \(contract.name) was audited as \(audited)", at: sourceLocation
            )
            let stillGone = try await session.storedRow(child.contract.table, id: aloneID, softDelete: true)
            expect(
                stillGone.deleted, "Cascade broken",
                "a \(childName) deleted on its own before came back when its \(contract.name) was restored", at: sourceLocation
            )
        }
    }
}
