import Foundation
import Hummingbird
import Logging
import NIOCore
import PostgresNIO

/// A relation a list may embed: `?include=project` adds `"project": {...}` (or `null`) to each
/// row, read with one statement per relation per page, never one per row.
///
/// The embedded rows are read in the caller's scope, so a row of another organization is never
/// embedded, and only when the caller may read the related resource (403 otherwise).
public struct ResourceInclude<Model: ResourceModel>: Sendable {
    /// The name `?include=` takes and the key the row gains (`project` for `project_id`).
    public let name: String
    /// Who may read what it embeds: checked before the list runs, whatever the page holds.
    let permission: Permission
    /// The related row's id in a row, nil when the ref is empty.
    let id: @Sendable (Model) -> UUID?
    /// The related rows of these ids that `principal` may see, as JSON by id.
    let fetch: @Sendable (_ ids: [UUID], _ principal: Principal, _ client: PostgresClient, _ logger: Logger) async throws -> [UUID: ByteBuffer]
    /// What a row without a related row embeds: `null`, or an empty list for children.
    var missing: StaticString = "null"

    /// Embeds the row of `target` that the ref `id` points to.
    public static func resource<Target: Resource>(
        _ target: Target.Type, as name: String, id: @escaping @Sendable (Model) -> UUID?
    ) -> Self {
        Self(name: name, permission: Target.permissions.read, id: id) { ids, principal, client, logger in
            var rows: [UUID: ByteBuffer] = [:]
            let statement = FindRows<Target>(ids: ids, scope: Target.Scope(principal: principal))
            let ownOnly = Target.permissions.read.limitsToOwnRows(principal)
            let hidden = Target.fieldRules.hidden(for: principal)
            for try await row in try await client.execute(statement, logger: logger) {
                // A row the caller may not read embeds as one that does not exist.
                if ownOnly, Target.owner?.id(row) != principal.userID { continue }
                var json = ByteBuffer()
                VisibleRow(row: row, hidden: hidden).writeJSON(into: &json)
                rows[row.id] = json
            }
            return rows
        }
    }

    /// Embeds, in each row, the first rows of `Child` that point to it through `field` (in the
    /// child's default order), as `{"data": [...], "has_more": ...}`: one statement per page, which
    /// numbers each row's children and keeps the first few. The nested route pages further.
    public static func children<Child: Resource>(_ child: Child.Type, as name: String, through field: String) -> Self {
        let limit = ListLimits.includedChildren
        let sort = Child.pagination.defaultSort
        var include = Self(name: name, permission: Child.permissions.list, id: { $0.id }) { ids, principal, client, logger in
            var owner: (field: String, user: UUID)?
            if Child.permissions.list.limitsToOwnRows(principal) {
                // The caller lists only the children it owns (the engine checks Child.owner exists).
                guard let field = Child.owner?.field else { return [:] }
                owner = (field, principal.userID)
            }
            let rows = try await Child.listQuery.children(
                through: field, of: ids, sort: sort, limit: limit + 1, ownedBy: owner, scope: Child.Scope(principal: principal), on: client,
                logger: logger
            )
            let hidden = Child.fieldRules.hidden(for: principal)
            var grouped: [UUID: [Child.Model]] = [:]
            for row in rows {
                let cells = row.makeRandomAccess()
                grouped[try cells[cells.count - 1].decode(UUID.self), default: []].append(try Child.Model(row: cells))
            }
            return grouped.mapValues { children in
                var json = ByteBuffer()
                json.writeStaticString(#"{"data":["#)
                for (index, child) in children.prefix(limit).enumerated() {
                    if index > 0 { json.writeStaticString(",") }
                    VisibleRow(row: child, hidden: hidden).writeJSON(into: &json)
                }
                json.writeStaticString(children.count > limit ? #"],"has_more":true}"# : #"],"has_more":false}"#)
                return json
            }
        }
        include.missing = #"{"data":[],"has_more":false}"#
        return include
    }

    /// Embeds the user a ref points to, `{"id", "email", "name"}`, when they are a member of the
    /// caller's organization (as `/members` shows them).
    public static func member(as name: String, id: @escaping @Sendable (Model) -> UUID?) -> Self {
        Self(name: name, permission: MembersRoutes.read, id: id) { ids, principal, client, logger in
            var rows: [UUID: ByteBuffer] = [:]
            for try await user in try await client.execute(MemberUsers(orgID: principal.orgID, ids: ids), logger: logger) {
                var json = ByteBuffer()
                json.writeStaticString(#"{"id":"#)
                json.writeJSON(user.id)
                json.writeStaticString(#","email":"#)
                json.writeJSON(user.email)
                json.writeStaticString(#","name":"#)
                json.writeJSON(user.name)
                json.writeStaticString("}")
                rows[user.id] = json
            }
            return rows
        }
    }
}

/// The users among `ids` who are members of `orgID`.
struct MemberUsers: PostgresPreparedStatement {
    static let name = "trellis.member_users"
    static let sql = """
        SELECT u.id, u.email, u.name FROM memberships m JOIN users u ON u.id = m.user_id
        WHERE m.org_id = $1 AND m.user_id = ANY($2)
        """
    var orgID: UUID
    var ids: [UUID]

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 2)
        bindings.append(orgID)
        bindings.append(ids)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> (id: UUID, email: String, name: String) {
        try row.decode((UUID, String, String).self)
    }
}

extension ResourceInclude {
    /// Throws 403 naming the include when `principal` may not read what it embeds.
    func authorize(_ principal: Principal) throws(APIError) {
        guard permission.allows(principal) else {
            throw APIError(.forbidden, "You are not allowed to read what include=\(name) embeds.")
        }
    }
}

extension Response {
    /// A list page whose rows each gain the included relations: `"project": {...}` or `null`.
    static func list<Model: ResourceModel>(
        _ page: Page<Model>, including includes: [(include: ResourceInclude<Model>, rows: [UUID: ByteBuffer])], hidden: Set<String>
    ) -> Response {
        guard !includes.isEmpty || !hidden.isEmpty else { return .list(page) }
        let embedded = page.items.map { EmbeddingRow($0, including: includes, hidden: hidden) }
        return .list(
            Page(items: embedded, nextCursor: page.nextCursor, limit: page.limit, total: page.total, number: page.number, hasMore: page.hasMore)
        )
    }
}

/// A row written with extra members after its own: the model's JSON object, reopened.
struct EmbeddingRow<Model: ResourceModel>: JSONWritable, Sendable {
    var item: VisibleRow<Model>
    var relations: [(name: String, json: ByteBuffer?, missing: StaticString)]

    /// `item` (without its `hidden` fields) with, for each include, the related row its id finds
    /// among `rows`.
    init(_ item: Model, including includes: [(include: ResourceInclude<Model>, rows: [UUID: ByteBuffer])], hidden: Set<String> = []) {
        self.item = VisibleRow(row: item, hidden: hidden)
        self.relations = includes.map { include, rows in (include.name, include.id(item).flatMap { rows[$0] }, include.missing) }
    }

    func writeJSON(into buffer: inout ByteBuffer) {
        item.writeJSON(into: &buffer)
        // A model writes one JSON object: drop its closing brace to add the relations.
        precondition(buffer.readableBytesView.last == UInt8(ascii: "}"), "a model's JSON is an object")
        buffer.moveWriterIndex(to: buffer.writerIndex - 1)
        for (name, json, missing) in relations {
            buffer.writeStaticString(",")
            buffer.writeJSONString(name)
            buffer.writeStaticString(":")
            if var json {
                buffer.writeBuffer(&json)
            } else {
                buffer.writeStaticString(missing)
            }
        }
        buffer.writeStaticString("}")
    }
}
