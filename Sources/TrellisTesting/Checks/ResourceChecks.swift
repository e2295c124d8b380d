import Foundation
import HTTPTypes
import Testing
import Trellis

/// The checks a spec's generated tests run against one resource.
///
/// Each check makes its own organizations (ids derived from the check's name), talks to the app
/// over a real socket, and reports every broken promise as a test issue that names the resource,
/// its spec and what went wrong: "Tenancy leak in Task (specs/tasks.yaml): …".
public struct ResourceChecks: Sendable {
    public let contract: ResourceContract
    let harness: SpecHarness

    public init(_ contract: ResourceContract, harness: SpecHarness) {
        self.contract = contract
        self.harness = harness
    }

    var path: String { contract.path }

    /// Runs `body` in a session of its own, labelled with the resource and `check`.
    func session<Result: Sendable>(_ check: String, _ body: @Sendable (SpecSession) async throws -> Result) async throws -> Result {
        try await harness.session("\(contract.name)/\(check)", body)
    }

    // MARK: - Rows

    /// The member of `organization` who may perform `action` with the most powerful role (a
    /// platform administrator for the actions only they may perform).
    func actor(for action: ResourceAction, in organization: SpecOrganization) throws -> SpecActor {
        if contract.platformAdminActions.contains(action) { return .member(organization.platformAdmin) }
        guard let role = contract.strongestRole(for: action) else {
            throw SpecSetupError("no role may \(action.rawValue) \(contract.title), and this check needs one that may")
        }
        return .member(organization.principal(role))
    }

    /// A valid create body for the `row`-th row of this session in `organization`, references
    /// resolved there (parents are created through the API), with `overrides` applied.
    ///
    /// `visiting` holds the resources whose rows are being made further up: a reference back to one
    /// of them (a cycle, or a resource that refers to itself) is left null, or is an error when the
    /// field is required, since no row could ever be made.
    func body(
        row: Int, in organization: SpecOrganization, session: SpecSession, overrides: [String: JSONValue] = [:],
        visiting: Set<String> = []
    ) async throws -> [String: JSONValue] {
        let visiting = visiting.union([contract.name])
        var body: [String: JSONValue] = [:]
        for field in contract.writableFields {
            if let value = overrides[field.name] {
                body[field.name] = value
            } else if let resource = field.referencedResource {
                if visiting.contains(resource) {
                    if field.required { throw SpecSetupError("the required references of \(contract.title) form a cycle through \(resource)") }
                    body[field.name] = .null
                } else {
                    body[field.name] = try await reference(to: resource, unique: field.unique, row: row, in: organization, session: session, visiting: visiting)
                }
            } else {
                body[field.name] = field.value(row: row, tag: session.label.stableTag)
            }
        }
        return body
    }

    /// The id a reference to `resource` holds: the creating member for `User`, the organization for
    /// `Organization`, else a row of `resource` in `organization` (shared by every child unless the
    /// reference is unique).
    private func reference(
        to resource: String, unique: Bool, row: Int, in organization: SpecOrganization, session: SpecSession, visiting: Set<String>
    ) async throws -> JSONValue {
        switch resource {
        case "User": return .string(Self.text(organization.members[contract.strongestRole(for: .create) ?? .owner] ?? organization.id))
        case "Organization": return .string(Self.text(organization.id))
        default:
            let parent = ResourceChecks(try harness.contract(named: resource), harness: harness)
            let make: @Sendable () async throws -> String = {
                try await parent.create(row: row, in: organization, session: session, visiting: visiting).id
            }
            return .string(unique ? try await make() : try await session.parents.id(of: resource, in: organization, make: make))
        }
    }

    /// `body` without the fields `role` may not set (`write_roles`).
    func writable(_ body: [String: JSONValue], by role: Role) -> [String: JSONValue] {
        body.filter { key, _ in contract.fields.first { $0.name == key }?.writeRoles.map { $0.contains(role) } ?? true }
    }

    /// A row made through the API, as the create answered it.
    struct Row: Sendable {
        var id: String
        /// The row as the API returned it.
        var data: JSONValue
        /// The body that created it.
        var sent: [String: JSONValue]

        var uuid: UUID? { UUID(uuidString: id) }
    }

    /// Creates the `row`-th row of the session in `organization` as its most powerful creator, or,
    /// when the spec lets no role create, straight into the table (as a hook or a seed would).
    func create(
        row: Int, in organization: SpecOrganization, session: SpecSession, overrides: [String: JSONValue] = [:],
        visiting: Set<String> = [], as creator: SpecActor? = nil
    ) async throws -> Row {
        var sent = try await body(row: row, in: organization, session: session, overrides: overrides, visiting: visiting)
        guard contract.canPerform(.create) else {
            return try await insert(sent, row: row, in: organization, session: session)
        }
        let actor = try creator ?? actor(for: .create, in: organization)
        if case .member(let principal) = actor { sent = writable(sent, by: principal.role) }
        let response = try await session.client.send(.post, path, as: actor, json: .object(sent))
        guard response.status == .created, let id = response.id, let data = response.data else {
            throw SpecSetupError("could not create a \(contract.name) to test with: \(response.summary)")
        }
        return Row(id: id, data: data, sent: sent)
    }

    /// Inserts `sent` with the columns the server would add, and reads the row back through the API
    /// when some role may read it.
    private func insert(_ sent: [String: JSONValue], row: Int, in organization: SpecOrganization, session: SpecSession) async throws -> Row {
        let id = UUID.stable("\(session.label)/\(contract.name)/\(organization.id)/\(row)")
        var columns = sent
        columns["id"] = .string(Self.text(id))
        let owned = Set(contract.serverOwned)
        if owned.contains("org_id") { columns["org_id"] = .string(Self.text(organization.id)) }
        // json_populate_record leaves a key not sent NULL, not at its default.
        if owned.contains("version") { columns["version"] = .integer(1) }
        for key in ["created_at", "updated_at"] where owned.contains(key) { columns[key] = .string(SpecHarness.fixtureTime.rfc3339) }
        for field in contract.fields where field.setByServer {
            columns[field.name] = .string(Self.text(organization.members[.owner] ?? organization.id))
        }
        try await session.insert(into: contract.table, JSONValue.object(columns))
        if contract.strongestRole(for: .read) != nil {
            let read = try await self.read(Self.text(id), in: organization, session: session)
            if let data = read.data { return Row(id: Self.text(id), data: data, sent: sent) }
        }
        return Row(id: Self.text(id), data: .object(columns.filter { $0.key != "org_id" }), sent: sent)
    }

    /// Reads a row as the most powerful reader of `organization`.
    func read(_ id: String, in organization: SpecOrganization, session: SpecSession) async throws -> SpecResponse {
        try await session.client.send(.get, "\(path)/\(id)", as: try actor(for: .read, in: organization))
    }

    /// Every id the list shows `actor`, walking all pages with `limit` in `sort` order.
    func listIDs(as actor: SpecActor, sort: String? = nil, limit: Int? = nil, session: SpecSession) async throws -> [String] {
        let query = sort.map { "sort=\($0)" } ?? ""
        return try await listItems(query: query, as: actor, pageSize: limit, session: session).compactMap { $0["id"]?.stringValue }
    }

    /// The query that asks for one page of `size` rows: the first, or the one after `previous`
    /// (the previous page's `meta`). Nil when `previous` says no page follows.
    func pageQuery(size: Int, after previous: JSONValue?) -> String? {
        if contract.offsetPages {
            guard let previous else { return "per_page=\(size)&page=1" }
            guard previous["has_more"] == .bool(true), let page = previous["page"]?.integer else { return nil }
            return "per_page=\(size)&page=\(page + 1)"
        }
        guard let previous else { return "limit=\(size)" }
        return previous["next_cursor"]?.stringValue.map { "limit=\(size)&cursor=\($0)" }
    }

    /// A change to every mutable field of `row`: another valid value, a reference to another row
    /// (or member) of `organization`; unique values tagged with the session, since the table may be
    /// shared.
    func changes(to row: Row, in organization: SpecOrganization, session: SpecSession) async throws -> [String: JSONValue] {
        var changes: [String: JSONValue] = [:]
        for field in contract.mutableFields {
            if let value = changedValue(of: field, in: session) {
                changes[field.name] = value
            } else if let resource = field.referencedResource, resource != contract.name {
                switch resource {
                case "User":
                    // Another member of the organization than the one the row names.
                    let current = row.data[field.name]?.stringValue
                    let other = Role.allCases.compactMap { organization.members[$0] }.map(Self.text).first { $0 != current }
                    if let other { changes[field.name] = .string(other) }
                case "Organization":
                    continue
                default:
                    let parent = ResourceChecks(try harness.contract(named: resource), harness: harness)
                    changes[field.name] = .string(try await parent.create(row: 7, in: organization, session: session, visiting: [contract.name]).id)
                }
            }
        }
        return changes
    }

    /// A change to the first mutable field that has another valid value.
    func oneChange(in session: SpecSession) -> [String: JSONValue] {
        // A field every writer may set: the permission checks are about the action, not the field.
        for field in contract.mutableFields where field.writeRoles == nil {
            if let value = changedValue(of: field, in: session) { return [field.name: value] }
        }
        return [:]
    }

    private func changedValue(of field: FieldContract, in session: SpecSession) -> JSONValue? {
        guard let alternate = field.alternate else { return nil }
        return field.unique ? field.value(row: 1_000, tag: session.label.stableTag) : alternate
    }

    // MARK: - Reporting

    /// Records `message` (prefixed with `kind` and the resource) unless `condition` holds.
    @discardableResult
    func expect(_ condition: Bool, _ kind: String, _ message: @autoclosure () -> String, at location: SourceLocation) -> Bool {
        if !condition {
            Issue.record(Comment(rawValue: "\(kind) in \(contract.title): \(message())"), sourceLocation: location)
        }
        return condition
    }

    static func text(_ id: UUID) -> String { id.lowercasedString }
}

extension HTTPResponse.Status {
    var isSuccess: Bool { (200..<300).contains(code) }
}
