import Foundation
import Logging
import PostgresNIO

/// Soft delete reaching the rows nested under a row (`on_delete: cascade` on a soft-deleted
/// child's ref to a soft-deleted parent): deleting the parent hides its visible children,
/// stamped with the parent's `deleted_at`; restoring it brings back exactly the children with that
/// stamp, not those deleted on their own before. Each child hidden or brought back is audited as
/// the child's own `deleted` or `restored`, with its change event.
public struct SoftDeleteCascade: Sendable {
    /// `UPDATE <children> SET deleted_at = $3 WHERE <ref> = $1 AND org_id = $2 AND deleted_at IS NULL RETURNING <columns>`.
    let hide: String
    /// `UPDATE <children> SET deleted_at = NULL WHERE <ref> = $1 AND org_id = $2 AND deleted_at =
    /// (the parent's deleted_at) RETURNING <columns>`: run while the parent is still hidden.
    let restore: String
    private let run: @Sendable (_ statement: PostgresQuery, _ kind: MutationKind, Principal, RequestOrigin, PostgresConnection, Logger) async throws -> Void

    public init<Child: SoftDeletableResource>(_ child: Child.Type, hide: String, restore: String) {
        self.hide = hide
        self.restore = restore
        self.run = { statement, kind, principal, origin, connection, logger in
            var changed: [Child.Model] = []
            for try await row in try await connection.query(statement, logger: logger) {
                changed.append(try Child.Model(row: row.makeRandomAccess()))
            }
            let journal = MutationJournal<Child>()
            for row in changed {
                try await journal.record(
                    kind, before: kind == .deleted ? row : nil, after: kind == .deleted ? nil : row, by: principal, origin: origin,
                    on: connection, logger: logger
                )
            }
        }
    }

    /// Hides the visible children of `parent`, stamped `stamp` (the parent's `deleted_at`).
    func hideChildren(
        of parent: UUID, in scope: TenantScope, stamp: Timestamp, by principal: Principal, origin: RequestOrigin,
        on connection: PostgresConnection, logger: Logger
    ) async throws {
        var bindings = PostgresBindings(capacity: 3)
        bindings.append(parent)
        scope.bind(into: &bindings)
        bindings.append(stamp)
        try await run(PostgresQuery(unsafeSQL: hide, binds: bindings), .deleted, principal, origin, connection, logger)
    }

    /// Brings back the children hidden with `parent` (before the parent itself comes back).
    func restoreChildren(
        of parent: UUID, in scope: TenantScope, by principal: Principal, origin: RequestOrigin, on connection: PostgresConnection,
        logger: Logger
    ) async throws {
        var bindings = PostgresBindings(capacity: 2)
        bindings.append(parent)
        scope.bind(into: &bindings)
        try await run(PostgresQuery(unsafeSQL: restore, binds: bindings), .restored, principal, origin, connection, logger)
    }
}
