import Foundation
import NIOCore
import PostgresNIO

/// A resource as the runtime knows it: what the generator emits for one spec, and all that
/// ``ResourceEngine`` needs to serve it. The generated conformance is a caseless enum holding the
/// resource's settings, the SQL of its statements about rows by id (``RowSQL``, run by the
/// runtime's generic statements) and, as nested types, the statements that bind its fields.
public protocol Resource: Sendable {
    /// A row as the API returns it.
    associatedtype Model: ResourceModel
    /// The body of a create.
    associatedtype Create: ResourceInput
    /// The rows the statements may touch: ``TenantScope`` or ``SharedScope``.
    associatedtype Scope: ResourceScope
    /// Adds a row and answers it.
    associatedtype Insert: InsertStatement where Insert.Row == Model, Insert.Scope == Scope, Insert.Input == Create
    /// The resource's name in messages: `task` in "The task was not found."
    static var displayName: String { get }
    /// The collection's path below `/api/v1`, without a slash: `tasks`.
    static var pathComponent: String { get }
    /// Who may do what (the spec's `permissions`).
    static var permissions: ResourcePermissions { get }
    /// The list: filters, search and keyset pagination over the sort keys the spec allows.
    static var listQuery: ListQuery { get }
    /// The relations `?include=` may embed (the spec's refs).
    static var includes: [ResourceInclude<Model>] { get }
    /// The spec's `pagination`.
    static var pagination: ResourcePagination { get }
    /// The SQL of the statements about rows by id (find, lock, delete, restore).
    static var rows: RowSQL { get }
    /// Whether a PATCH, DELETE or restore must send `If-Match` (428 without it).
    static var requiresIfMatch: Bool { get }
    /// The fields the spec marks `sensitive`: the audit log records that they changed, never their
    /// values, and change events leave them out.
    static var sensitiveFields: Set<String> { get }
    /// The resource's name in the audit log and in change events: `task`, `custom_field`.
    static var resourceType: String { get }
    /// The field that records who owns a row, for the roles a permission limits to their own rows.
    static var owner: ResourceOwner<Model>? { get }
    /// The fields only some roles see or set (the spec's `read_roles` and `write_roles`).
    static var fieldRules: FieldRules { get }
}

/// The fields of a resource only some roles see (`read_roles`) or set (`write_roles`).
public struct FieldRules: Sendable {
    /// Field -> the roles that see it. Other roles get rows without it.
    public var readRoles: [String: Set<Role>]
    /// Field -> the roles that may send it on create or update. Another role sending it gets a 422.
    public var writeRoles: [String: Set<Role>]

    public init(readRoles: [String: Set<Role>] = [:], writeRoles: [String: Set<Role>] = [:]) {
        self.readRoles = readRoles
        self.writeRoles = writeRoles
    }

    /// No rules: every reader sees every field, every writer sets any.
    public static let none = FieldRules()

    /// The fields `principal` does not see.
    public func hidden(for principal: Principal) -> Set<String> {
        guard !readRoles.isEmpty else { return [] }
        return Set(readRoles.compactMap { $0.value.contains(principal.role) ? nil : $0.key })
    }

    /// Reads `body` with `read` (a create or PATCH body's initializer), adding to its 422 a problem
    /// for each key `principal` may not set, so that one answer lists every problem.
    public func read<Input>(
        _ body: [String: JSONValue], by principal: Principal, with read: ([String: JSONValue]) throws(APIError) -> Input
    ) throws(APIError) -> Input {
        var refused: [String: [String]] = [:]
        for (field, roles) in writeRoles where body[field] != nil && !roles.contains(principal.role) {
            refused[field] = ["may be set only by \(roles.sorted(by: >).map(\.rawValue).joined(separator: ", "))"]
        }
        let input: Input
        do {
            input = try read(body)
        } catch {
            guard !refused.isEmpty, error.code == .validationError else { throw error }
            var merged = error
            merged.details.merge(refused) { found, roles in roles + found }
            throw merged
        }
        guard refused.isEmpty else { throw APIError.validation(refused) }
        return input
    }
}

/// The field of a resource that records who owns a row: a ref to the user who created it
/// (`set_from: principal.user`), which permissions like `{ member: own }` compare with the caller.
public struct ResourceOwner<Model>: Sendable {
    /// The column, also the list field a list of one's own rows filters on.
    public let field: String
    /// The owner of a row.
    public let id: @Sendable (Model) -> UUID?

    public init(field: String, id: @escaping @Sendable (Model) -> UUID?) {
        self.field = field
        self.id = id
    }
}

extension Resource {
    /// Whether a PATCH, DELETE or restore must send `If-Match` (the spec's `concurrency: required`): 428
    /// without it. By default `If-Match` is checked when sent.
    public static var requiresIfMatch: Bool { false }

    /// No field is sensitive unless the spec says so.
    public static var sensitiveFields: Set<String> { [] }

    /// Every role sees and sets every field unless the spec says otherwise.
    public static var fieldRules: FieldRules { .none }

    /// No field records an owner unless the spec's permissions need one.
    public static var owner: ResourceOwner<Model>? { nil }

    /// The display name in snake case: `custom field` -> `custom_field`.
    public static var resourceType: String { displayName.replacingOccurrences(of: " ", with: "_") }
}

/// A resource with fields a PATCH may change.
public protocol UpdatableResource: Resource {
    /// The body of a PATCH.
    associatedtype Patch: ResourcePatch where Patch.Model == Model
    /// Writes a changed row and answers it.
    associatedtype Update: UpdateStatement where Update.Row == Model, Update.Scope == Scope
}

/// A resource under soft delete: DELETE hides a row, `POST /{id}/restore` brings it back.
public protocol SoftDeletableResource: Resource {
    /// Who may restore (the spec's `permissions.restore`).
    static var restorePermission: Permission { get }
    /// The rows nested under a row that hide and come back with it (tenant resources only).
    static var cascades: [SoftDeleteCascade] { get }
}

extension SoftDeletableResource {
    /// No children hide with a row unless the specs say so.
    public static var cascades: [SoftDeleteCascade] { [] }
}

/// A row of a resource: decoded by position from its statements' columns, written as JSON.
public protocol ResourceModel: JSONWritable, Sendable {
    var id: UUID { get }
    /// How many times the row was written: its `ETag` (`"3"`), and what `If-Match` names.
    var version: Int64 { get }

    /// Decodes a row selected with the resource's columns.
    init(row: PostgresRandomAccessRow) throws

    /// Writes the row's JSON without the fields in `hidden` (those the caller's role may not
    /// see). A model without `read_roles` fields writes them all.
    func writeJSON(into buffer: inout ByteBuffer, omitting hidden: Set<String>)
}

extension ResourceModel {
    public func writeJSON(into buffer: inout ByteBuffer, omitting hidden: Set<String>) {
        writeJSON(into: &buffer)
    }
}

/// A row as one caller sees it: without the fields its role may not see.
struct VisibleRow<Model: ResourceModel>: JSONWritable, Sendable {
    var row: Model
    var hidden: Set<String>

    func writeJSON(into buffer: inout ByteBuffer) {
        if hidden.isEmpty {
            row.writeJSON(into: &buffer)
        } else {
            row.writeJSON(into: &buffer, omitting: hidden)
        }
    }
}

/// A request body (create or PATCH): read and validated from a JSON object, every problem in one
/// 422.
public protocol ResourceInput: Sendable {
    init(json: [String: JSONValue]) throws(APIError)
}

/// A PATCH body: the keys sent, applied to the current row.
public protocol ResourcePatch: ResourceInput {
    associatedtype Model: ResourceModel

    /// `model` with this change applied.
    func applied(to model: Model) -> Model
}

/// The statement that adds a row.
public protocol InsertStatement: PostgresPreparedStatement {
    associatedtype Scope: ResourceScope
    associatedtype Input

    /// `principal` fills the fields the spec sets from it (`set_from: principal.user`); `now` the
    /// timestamps.
    init(id: UUID, input: Input, scope: Scope, principal: Principal, now: Timestamp)
}

/// The statement that writes a changed row.
public protocol UpdateStatement: PostgresPreparedStatement {
    associatedtype Scope: ResourceScope

    init(model: Row, scope: Scope, now: Timestamp)
}

/// Who may perform each action on a resource (the spec's `permissions`; restore is
/// ``SoftDeletableResource/restorePermission``).
public struct ResourcePermissions: Sendable {
    public var list: Permission
    public var read: Permission
    public var create: Permission
    public var update: Permission
    public var delete: Permission

    public init(list: Permission, read: Permission, create: Permission, update: Permission, delete: Permission) {
        self.list = list
        self.read = read
        self.create = create
        self.update = update
        self.delete = delete
    }
}

/// A resource's list settings (the spec's `pagination`).
public struct ResourcePagination: Sendable {
    /// How a client walks the list.
    public enum Style: Sendable {
        /// `?limit=&cursor=`: keyset pages, exact while rows come and go.
        case cursor
        /// `?page=&per_page=`, with `meta.total`: numbered pages, as a paged table shows them; a
        /// deep page costs a scan of the rows before it, and rows that come or go shift pages.
        case offset
    }

    public var style: Style
    public var defaultLimit: Int
    public var maxLimit: Int
    /// The order of a list whose request names none.
    public var defaultSort: SortOrder

    public init(style: Style = .cursor, defaultLimit: Int, maxLimit: Int, defaultSort: SortOrder) {
        self.style = style
        self.defaultLimit = defaultLimit
        self.maxLimit = maxLimit
        self.defaultSort = defaultSort
    }
}
