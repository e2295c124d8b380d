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

    /// The member of `organization` who may perform `action` with the most powerful role.
    func actor(for action: ResourceAction, in organization: SpecOrganization) throws -> SpecActor {
        guard let role = contract.strongestRole(for: action) else {
            throw SpecSetupError("no role may \(action.rawValue) \(contract.title), and this check needs one that may")
        }
        return .member(organization.principal(role))
    }

    /// A valid create body for the `row`-th row of this session in `organization`, references
    /// resolved there (parents are created through the API), with `overrides` applied.
    func body(
        row: Int, in organization: SpecOrganization, session: SpecSession, overrides: [String: JSONValue] = [:],
        visiting: Set<String> = []
    ) async throws -> [String: JSONValue] {
        var body: [String: JSONValue] = [:]
        let creator = contract.strongestRole(for: .create) ?? .owner
        for field in contract.writableFields {
            if let value = overrides[field.name] {
                body[field.name] = value
            } else if let resource = field.referencedResource {
                switch resource {
                case "User": body[field.name] = .string(Self.text(organization.members[creator] ?? organization.id))
                case "Organization": body[field.name] = .string(Self.text(organization.id))
                default:
                    if visiting.contains(resource) {
                        if field.required { throw SpecSetupError("the required references of \(contract.title) form a cycle through \(resource)") }
                        body[field.name] = .null
                    } else {
                        let parent = ResourceChecks(try harness.contract(named: resource), harness: harness)
                        let visited = visiting.union([contract.name])
                        let make: @Sendable () async throws -> String = {
                            try await parent.create(row: row, in: organization, session: session, visiting: visited).id
                        }
                        // A unique reference needs a parent of its own per row; others share one.
                        body[field.name] = .string(field.unique ? try await make() : try await session.parents.id(of: resource, in: organization, make: make))
                    }
                }
            } else {
                body[field.name] = field.value(row: row, tag: session.label.stableTag)
            }
        }
        return body
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

    /// Creates the `row`-th row of the session in `organization` as its most powerful creator.
    func create(
        row: Int, in organization: SpecOrganization, session: SpecSession, overrides: [String: JSONValue] = [:],
        visiting: Set<String> = []
    ) async throws -> Row {
        let sent = try await body(row: row, in: organization, session: session, overrides: overrides, visiting: visiting)
        let response = try await session.client.send(.post, path, as: try actor(for: .create, in: organization), json: .object(sent))
        guard response.status == .created, let id = response.id, let data = response.data else {
            throw SpecSetupError("could not create a \(contract.name) to test with: \(response.summary)")
        }
        return Row(id: id, data: data, sent: sent)
    }

    /// Reads a row as the most powerful reader of `organization`.
    func read(_ id: String, in organization: SpecOrganization, session: SpecSession) async throws -> SpecResponse {
        try await session.client.send(.get, "\(path)/\(id)", as: try actor(for: .read, in: organization))
    }

    /// Every id the list shows `actor`, walking all pages with `limit` in `sort` order.
    func listIDs(as actor: SpecActor, sort: String? = nil, limit: Int? = nil, session: SpecSession) async throws -> [String] {
        var ids: [String] = []
        var cursor: String?
        var pages = 0
        repeat {
            var query = ["limit=\(limit ?? contract.maxLimit)"]
            if let sort { query.append("sort=\(sort)") }
            if let cursor { query.append("cursor=\(cursor)") }
            let response = try await session.client.send(.get, "\(path)?\(query.joined(separator: "&"))", as: actor)
            guard response.status == .ok, let items = response.data?.arrayValue else {
                throw SpecSetupError("could not list \(contract.name): \(response.summary)")
            }
            ids += items.compactMap { $0["id"]?.stringValue }
            cursor = response.json?["meta"]?["next_cursor"]?.stringValue
            pages += 1
            if pages > 10_000 { throw SpecSetupError("the list of \(contract.name) did not end after 10,000 pages") }
        } while cursor != nil
        return ids
    }

    /// A change to every mutable field that has another valid value (unique ones tagged with the
    /// session, since the table may be shared).
    func changes(in session: SpecSession) -> [String: JSONValue] {
        var changes: [String: JSONValue] = [:]
        for field in contract.mutableFields {
            if let value = changedValue(of: field, in: session) { changes[field.name] = value }
        }
        return changes
    }

    /// A change to the first mutable field that has another valid value.
    func oneChange(in session: SpecSession) -> [String: JSONValue] {
        for field in contract.mutableFields {
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

    static func text(_ id: UUID) -> String { id.uuidString.lowercased() }
}

extension HTTPResponse.Status {
    var isSuccess: Bool { (200..<300).contains(code) }
}
