import Foundation
import Logging
import PostgresNIO

/// What a mutation did to a row. The audit row's action and the change event's type are the
/// resource type and this, joined by a dot: `task.created`, `project.archive`.
public enum MutationKind: Sendable, Hashable {
    case created
    case updated
    case deleted
    case restored
    /// A custom action of the spec (`actions:`), by its name.
    case action(String)

    var name: String {
        switch self {
        case .created: "created"
        case .updated: "updated"
        case .deleted: "deleted"
        case .restored: "restored"
        case .action(let name): name
        }
    }
}

/// Records each mutation of a resource twice, in the mutation's own transaction and in one
/// statement: an `audit_logs` row (who, from where, and the fields it changed, before and after)
/// and a `change_events` row (the row as it now is), the outbox the webhooks deliver from. Both
/// commit with the change or not at all.
///
/// Fields the spec marks `sensitive` are recorded as changed, never with their values, and are
/// left out of the event's row; so are `read_roles` fields, from the readers who may not see them.
struct MutationJournal<R: Resource>: Sendable {
    /// The row's fields the journal never compares: they change with every write.
    static var bookkeeping: Set<String> { ["id", "version", "created_at", "updated_at", "deleted_at"] }

    /// Recorded as changed, never with a value: `sensitive` fields, and `read_roles` fields some
    /// reader of the audit trail (owners and admins) may not see.
    let sensitive: Set<String>
    /// Left out of change events: `sensitive` fields and every `read_roles` field (an event's
    /// consumer is no role).
    let leftOutOfEvents: Set<String>
    let resourceType: String

    init() {
        let rules = R.fieldRules.readRoles
        let auditors: Set<Role> = [.owner, .admin]
        self.sensitive = R.sensitiveFields.union(rules.filter { !auditors.isSubset(of: $0.value) }.keys)
        self.leftOutOfEvents = R.sensitiveFields.union(rules.keys)
        self.resourceType = R.resourceType
    }

    /// Writes the audit row and the change event of `kind` on `connection` (inside the
    /// mutation's transaction). `before` is nil for a create; `after` for a delete.
    func record(
        _ kind: MutationKind, before: R.Model?, after: R.Model?, details: JSONValue? = nil, by principal: Principal, origin: RequestOrigin,
        on connection: PostgresConnection, logger: Logger
    ) async throws {
        guard let id = after?.id ?? before?.id else { return }
        let old = before.map(Self.fields)
        let new = after.map(Self.fields)
        let statement = RecordMutation(
            action: "\(resourceType).\(kind.name)", principal: principal, resourceType: resourceType, resourceID: id,
            changes: changes(from: old, to: new), details: details,
            data: .object((new ?? old ?? [:]).filter { !leftOutOfEvents.contains($0.key) }), origin: origin
        )
        _ = try await connection.execute(statement, logger: logger)
    }

    /// `{"field": {"before": ..., "after": ...}}` for every field whose value differs (all of a
    /// created row's, with `after` only; all of a deleted row's, with `before` only); a sensitive
    /// field is `{"changed": true}`.
    func changes(from old: [String: JSONValue]?, to new: [String: JSONValue]?) -> JSONValue {
        var changes: [String: JSONValue] = [:]
        let names = Set(old?.keys ?? [:].keys).union(new?.keys ?? [:].keys).subtracting(Self.bookkeeping)
        for name in names {
            let before = old?[name]
            let after = new?[name]
            guard old == nil || new == nil || before != after else { continue }
            if sensitive.contains(name) {
                changes[name] = ["changed": true]
                continue
            }
            var change: [String: JSONValue] = [:]
            if old != nil { change["before"] = before ?? .null }
            if new != nil { change["after"] = after ?? .null }
            changes[name] = .object(change)
        }
        return .object(changes)
    }

    /// The row's fields as the API writes them.
    static func fields(of model: R.Model) -> [String: JSONValue] {
        var buffer = ByteBuffer()
        model.writeJSON(into: &buffer)
        guard case .object(let fields) = try? JSONValue.parse(buffer) else { return [:] }
        return fields
    }
}

/// The audit row and the change event of one mutation, in one statement.
private struct RecordMutation: PostgresPreparedStatement {
    static let name = "trellis_record_mutation"
    static let sql = """
        WITH audit AS (
            INSERT INTO audit_logs (id, action, user_id, org_id, api_key_id, resource_type, resource_id, changes, ip, user_agent, request_id, details)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $14)
        )
        INSERT INTO change_events (event_id, type, org_id, resource_type, resource_id, data, user_id, api_key_id, request_id)
        VALUES ($12, $2, $4, $6, $7, $13, $3, $5, $11)
        """

    typealias Row = Void

    var action: String
    var principal: Principal
    var resourceType: String
    var resourceID: UUID
    var changes: JSONValue
    /// What else the audit row records: a custom action's body (`{"input": {...}}`).
    var details: JSONValue?
    var data: JSONValue
    var origin: RequestOrigin

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 14)
        bindings.append(UUID.v7())
        bindings.append(action)
        bindings.append(principal.userID)
        bindings.append(principal.orgID)
        bindings.append(principal.apiKeyID)
        bindings.append(resourceType)
        bindings.append(resourceID)
        bindings.append(changes)
        bindings.append(origin.ip)
        bindings.append(origin.userAgent)
        bindings.append(origin.requestID)
        bindings.append(UUID.v7())
        bindings.append(data)
        bindings.append(details)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws {}
}
