import Foundation
import Logging
import PostgresNIO
import Synchronization

/// What the hand-written implementation of a custom action works with: the caller, and the
/// request's transaction, in which the row the action acts on is locked.
///
/// Statements on ``connection`` commit or roll back with the action. A change the action makes to
/// other rows is audited like any mutation when it says so with ``record(_:before:after:)``.
public struct ActionContext: Sendable {
    public let principal: Principal
    /// The transaction's connection; the action's row is locked on it.
    public let connection: PostgresConnection
    public let logger: Logger
    let origin: RequestOrigin

    /// Records a change the action made to a row of a resource of this API (the row of another
    /// resource, or another row): an audit row and a change event, in this transaction, as the
    /// resource's own mutation would write them. `before` is nil for a created row, `after` for a
    /// deleted one.
    public func record<Model: ResourceModel>(_ kind: MutationKind, before: Model?, after: Model?) async throws {
        guard let journal = MutationJournals.journal(for: Model.self) else {
            throw APIError(.internalError, "\(Model.self) is not the model of a resource this API serves.")
        }
        try await journal(kind, before, after, principal, origin, connection, logger)
    }
}

/// The journal of each resource the API serves, by model type: how ``ActionContext`` records a
/// change to a resource it knows only by its model. Filled as resources are mounted.
enum MutationJournals {
    typealias Record = @Sendable (MutationKind, Any?, Any?, Principal, RequestOrigin, PostgresConnection, Logger) async throws -> Void

    private static let journals = Mutex<[ObjectIdentifier: Record]>([:])

    static func register<R: Resource>(_ resource: R.Type) {
        let journal = MutationJournal<R>()
        journals.withLock { journals in
            journals[ObjectIdentifier(R.Model.self)] = { kind, before, after, principal, origin, connection, logger in
                try await journal.record(
                    kind, before: before as? R.Model, after: after as? R.Model, by: principal, origin: origin, on: connection, logger: logger
                )
            }
        }
    }

    static func journal<Model>(for model: Model.Type) -> Record? {
        journals.withLock { $0[ObjectIdentifier(model)] }
    }
}
