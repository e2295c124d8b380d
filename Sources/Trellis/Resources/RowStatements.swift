import Foundation
import PostgresNIO

/// The SQL of a resource's statements about rows by id, which the generator writes once per
/// resource and the runtime's generic statements run: find, lock, find several, delete, restore.
///
/// Each statement binds the id (or ids) first, then the scope's values, then, for a stamped
/// statement, the app's time.
public struct RowSQL: Sendable {
    /// One visible row by id.
    public let find: String
    /// The visible rows among some ids (`id = ANY($1)`).
    public let findAll: String
    /// The visible rows of a batch of reads by id, each with its read's number (`_n`, from 1) in
    /// the last column: ids in `$1`, and for a tenant resource each read's organization in `$2`.
    /// Nil (a project's own template that predates it) reads each row alone.
    public let findBatch: String?
    /// Deletes (or, under soft delete, hides) a visible row, `RETURNING id`.
    public let delete: String
    /// Whether ``delete`` records the time (`deleted_at`), bound after the scope's values.
    public let deleteStampsTime: Bool
    /// Brings back a hidden row (soft delete only), stamping `updated_at` when the table has it.
    public let restore: String?
    /// One hidden (deleted) row by id (soft delete only), for the hooks of a restore.
    public let findHidden: String?
    /// Whether ``restore`` records the time.
    public let restoreStampsTime: Bool
    let names: Names

    struct Names {
        var find: String
        var lock: String
        var findAll: String
        var findBatch: String
        var delete: String
        var restore: String
        var lockHidden: String
    }

    public init(
        table: String, find: String, findAll: String, findBatch: String? = nil, delete: String, deleteStampsTime: Bool, restore: String? = nil,
        restoreStampsTime: Bool = false, findHidden: String? = nil
    ) {
        self.find = find
        self.findAll = findAll
        self.findBatch = findBatch
        self.delete = delete
        self.deleteStampsTime = deleteStampsTime
        self.restore = restore
        self.restoreStampsTime = restoreStampsTime
        self.findHidden = findHidden
        self.names = Names(
            find: "\(table).find", lock: "\(table).lock", findAll: "\(table).find_all", findBatch: "\(table).find_batch",
            delete: "\(table).delete",
            restore: "\(table).restore", lockHidden: "\(table).lock_hidden"
        )
    }
}

/// One visible row of `R` by id.
struct FindRow<R: Resource>: PostgresPreparedStatement {
    static var name: String { R.rows.names.find }
    static var sql: String { R.rows.find }

    var id: UUID
    var scope: R.Scope

    func makeBindings() throws -> PostgresBindings { Self.bindings(id, scope) }

    func decodeRow(_ row: PostgresRow) throws -> R.Model { try R.Model(row: row.makeRandomAccess()) }

    /// The id, then the scope's values.
    static func bindings(_ id: UUID, _ scope: R.Scope, capacity: Int = 3) -> PostgresBindings {
        var bindings = PostgresBindings(capacity: capacity)
        bindings.append(id)
        scope.bind(into: &bindings)
        return bindings
    }
}

/// One visible row of `R` by id, locked until the transaction ends.
struct LockRow<R: Resource>: PostgresPreparedStatement {
    static var name: String { R.rows.names.lock }
    static var sql: String { R.rows.find + " FOR UPDATE" }

    var id: UUID
    var scope: R.Scope

    func makeBindings() throws -> PostgresBindings { FindRow<R>.bindings(id, scope) }

    func decodeRow(_ row: PostgresRow) throws -> R.Model { try R.Model(row: row.makeRandomAccess()) }
}

/// The visible rows of `R` among some ids (for includes).
struct FindRows<R: Resource>: PostgresPreparedStatement {
    static var name: String { R.rows.names.findAll }
    static var sql: String { R.rows.findAll }

    var ids: [UUID]
    var scope: R.Scope

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 2)
        bindings.append(ids)
        scope.bind(into: &bindings)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> R.Model { try R.Model(row: row.makeRandomAccess()) }
}

/// The visible rows of `R` for a batch of reads by id, each read in its own scope; a row answers
/// the number of its read (from 0) with it, and the model or why it did not decode, so that one
/// bad row fails only its own read.
struct FindBatch<R: Resource>: PostgresPreparedStatement {
    static var name: String { R.rows.names.findBatch }
    static var sql: String {
        guard let findBatch = R.rows.findBatch else { preconditionFailure("RowReader batches only resources with a findBatch") }
        return findBatch
    }

    var ids: [UUID]
    var scopes: [R.Scope]

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 2)
        bindings.append(ids)
        R.Scope.bind(scopes, into: &bindings)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> (read: Int, row: Result<R.Model, any Error>) {
        let cells = row.makeRandomAccess()
        return (try cells[cells.count - 1].decode(Int.self) - 1, Result { try R.Model(row: cells) })
    }
}

/// Deletes (or hides) a visible row of `R`; answers its id.
struct DeleteRow<R: Resource>: PostgresPreparedStatement {
    static var name: String { R.rows.names.delete }
    static var sql: String { R.rows.delete }

    var id: UUID
    var scope: R.Scope
    var now: Timestamp

    func makeBindings() throws -> PostgresBindings {
        var bindings = FindRow<R>.bindings(id, scope)
        if R.rows.deleteStampsTime { try bindings.bind(now) }
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> UUID { try row.decode(UUID.self) }
}

/// One hidden (deleted) row of `R`, locked until the transaction ends: what a restore's hooks see.
struct LockHiddenRow<R: SoftDeletableResource>: PostgresPreparedStatement {
    static var name: String { R.rows.names.lockHidden }
    static var sql: String {
        guard let findHidden = R.rows.findHidden else { preconditionFailure("\(R.self) runs restore hooks only with a findHidden") }
        return findHidden + " FOR UPDATE"
    }

    var id: UUID
    var scope: R.Scope

    func makeBindings() throws -> PostgresBindings { FindRow<R>.bindings(id, scope) }

    func decodeRow(_ row: PostgresRow) throws -> R.Model { try R.Model(row: row.makeRandomAccess()) }
}

/// Brings back a hidden row of `R`; no row when it is not hidden.
struct RestoreRow<R: SoftDeletableResource>: PostgresPreparedStatement {
    static var name: String { R.rows.names.restore }
    static var sql: String {
        guard let restore = R.rows.restore else { preconditionFailure("\(R.self) is soft-deletable, so its RowSQL has a restore") }
        return restore
    }

    var id: UUID
    var scope: R.Scope
    var now: Timestamp

    func makeBindings() throws -> PostgresBindings {
        var bindings = FindRow<R>.bindings(id, scope)
        if R.rows.restoreStampsTime { try bindings.bind(now) }
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> R.Model { try R.Model(row: row.makeRandomAccess()) }
}
