import Logging
import PostgresNIO

/// What a hook can use: the caller, and the connection of the request's transaction (so any
/// query a hook runs commits or rolls back together with the change itself).
public struct HookContext: Sendable {
    public let principal: Principal
    public let connection: PostgresConnection
    public let logger: Logger

    public init(principal: Principal, connection: PostgresConnection, logger: Logger) {
        self.principal = principal
        self.connection = connection
        self.logger = logger
    }
}

/// The seam for hand-written domain logic around a generated resource. Every method has a
/// do-nothing default; implement the ones you need. All run inside the request's transaction.
///
/// Validation hooks add to `errors`; when any are recorded the request answers 422 with them.
/// Other hooks may throw ``APIError`` (or anything else, which answers 500).
public protocol ResourceHooks<Model, Create>: Sendable {
    associatedtype Model: Sendable
    associatedtype Create: Sendable

    func validateCreate(_ input: Create, errors: inout ValidationErrors, context: HookContext) async throws
    func beforeCreate(_ input: inout Create, context: HookContext) async throws
    func afterCreate(_ created: Model, context: HookContext) async throws

    /// `updated` is the row with the PATCH applied; `previous` is the row before it.
    func validateUpdate(_ updated: Model, previous: Model, errors: inout ValidationErrors, context: HookContext) async throws
    func beforeUpdate(_ updated: inout Model, previous: Model, context: HookContext) async throws
    /// Also called when the PATCH changed nothing: then nothing was written, and `updated` is
    /// `previous`.
    func afterUpdate(_ updated: Model, previous: Model, context: HookContext) async throws

    func beforeDelete(_ model: Model, context: HookContext) async throws
    func afterDelete(_ model: Model, context: HookContext) async throws

    /// Under soft delete: `hidden` is the deleted row, locked, about to come back. Not called for
    /// a row that is not deleted (a retried restore answers it as it is).
    func beforeRestore(_ hidden: Model, context: HookContext) async throws
    /// Under soft delete: `restored` is the row back in reads and lists.
    func afterRestore(_ restored: Model, context: HookContext) async throws
}

extension ResourceHooks {
    public func validateCreate(_ input: Create, errors: inout ValidationErrors, context: HookContext) async throws {}
    public func beforeCreate(_ input: inout Create, context: HookContext) async throws {}
    public func afterCreate(_ created: Model, context: HookContext) async throws {}
    public func validateUpdate(_ updated: Model, previous: Model, errors: inout ValidationErrors, context: HookContext) async throws {}
    public func beforeUpdate(_ updated: inout Model, previous: Model, context: HookContext) async throws {}
    public func afterUpdate(_ updated: Model, previous: Model, context: HookContext) async throws {}
    public func beforeDelete(_ model: Model, context: HookContext) async throws {}
    public func afterDelete(_ model: Model, context: HookContext) async throws {}
    public func beforeRestore(_ hidden: Model, context: HookContext) async throws {}
    public func afterRestore(_ restored: Model, context: HookContext) async throws {}
}

/// The default hooks: nothing beyond what the spec says. A resource with these creates, deletes
/// and restores with one statement, outside any transaction (a DELETE or restore with `If-Match`
/// locks the row first). A hook's own UPDATE of a row moves its version on too (a trigger does).
public struct NoHooks<Model: Sendable, Create: Sendable>: ResourceHooks {
    public init() {}
}
