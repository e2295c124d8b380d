import Foundation
import Logging
import PostgresNIO

/// Soft delete reaching the rows nested under a row (`on_delete: cascade` on a soft-deleted
/// child's ref to a soft-deleted parent), and theirs in turn: deleting the parent hides its visible
/// children, stamped with the parent's `deleted_at`; restoring it brings back exactly the children
/// with that stamp, not those deleted on their own before. Each child hidden or brought back is
/// audited as the child's own `deleted` or `restored`, with its change event. The children's
/// hooks and permissions do not run: the parent's delete decides.
public struct SoftDeleteCascade: Sendable {
    private let hideRows: @Sendable (UUID, TenantScope, Timestamp, Principal, RequestOrigin, PostgresConnection, Logger) async throws -> Void
    private let restoreRows: @Sendable (UUID, TenantScope, Principal, RequestOrigin, PostgresConnection, Logger) async throws -> Void

    /// - Parameters:
    ///   - hide: `UPDATE <children> SET deleted_at = $3 WHERE <ref> = $1 AND org_id = $2 AND
    ///     deleted_at IS NULL RETURNING <columns>`.
    ///   - hidden: `SELECT id FROM <children> WHERE <ref> = $1 AND org_id = $2 AND deleted_at =
    ///     (the parent's deleted_at)`: the children hidden with the parent.
    ///   - restore: the same rows, `SET deleted_at = NULL ... RETURNING <columns>`, run while the
    ///     parent is still hidden.
    public init<Child: SoftDeletableResource>(_ child: Child.Type, hide: String, hidden: String, restore: String) {
        let journal = MutationJournal<Child>()
        hideRows = { parent, scope, stamp, principal, origin, connection, logger in
            let rows = try await Self.rows(Child.self, hide, parent, scope, stamp, on: connection, logger: logger)
            for row in rows {
                try await journal.record(.deleted, before: row, after: nil, by: principal, origin: origin, on: connection, logger: logger)
                // Their own children, with the same stamp.
                for cascade in Child.cascades {
                    try await cascade.hideRows(row.id, scope, stamp, principal, origin, connection, logger)
                }
            }
        }
        restoreRows = { parent, scope, principal, origin, connection, logger in
            // Grandchildren first: they are found by their parent's deleted_at, which its restore clears.
            var ids: [UUID] = []
            var bindings = PostgresBindings(capacity: 2)
            bindings.append(parent)
            scope.bind(into: &bindings)
            for try await id in try await connection.query(PostgresQuery(unsafeSQL: hidden, binds: bindings), logger: logger).decode(UUID.self) {
                ids.append(id)
            }
            for id in ids {
                for cascade in Child.cascades { try await cascade.restoreRows(id, scope, principal, origin, connection, logger) }
            }
            for row in try await Self.rows(Child.self, restore, parent, scope, nil, on: connection, logger: logger) {
                try await journal.record(.restored, before: row, after: row, by: principal, origin: origin, on: connection, logger: logger)
            }
        }
    }

    private static func rows<Child: Resource>(
        _ child: Child.Type, _ sql: String, _ parent: UUID, _ scope: TenantScope, _ stamp: Timestamp?, on connection: PostgresConnection,
        logger: Logger
    ) async throws -> [Child.Model] {
        var bindings = PostgresBindings(capacity: 3)
        bindings.append(parent)
        scope.bind(into: &bindings)
        if let stamp { bindings.append(stamp) }
        var rows: [Child.Model] = []
        for try await row in try await connection.query(PostgresQuery(unsafeSQL: sql, binds: bindings), logger: logger) {
            rows.append(try Child.Model(row: row.makeRandomAccess()))
        }
        return rows
    }

    /// Hides the visible children of `parent` (and theirs), stamped `stamp` (the parent's `deleted_at`).
    func hideChildren(
        of parent: UUID, in scope: TenantScope, stamp: Timestamp, by principal: Principal, origin: RequestOrigin,
        on connection: PostgresConnection, logger: Logger
    ) async throws {
        try await hideRows(parent, scope, stamp, principal, origin, connection, logger)
    }

    /// Brings back the children hidden with `parent` (and theirs), before the parent itself comes back.
    func restoreChildren(
        of parent: UUID, in scope: TenantScope, by principal: Principal, origin: RequestOrigin, on connection: PostgresConnection,
        logger: Logger
    ) async throws {
        try await restoreRows(parent, scope, principal, origin, connection, logger)
    }
}
