import Foundation
import Hummingbird
import Logging
import PostgresNIO

/// Serves one generated resource: the request pipeline every resource shares.
///
/// permission (401/403) -> query parameters (422) -> the id (404) -> the body, parsed once and
/// validated (422) -> the hooks and the statement -> JSON. A mutation runs in one transaction:
/// the row is locked (update, delete, restore), `If-Match` is checked against it, the hooks run
/// around the statement, and the ``MutationJournal`` writes its audit row and change event; a
/// PATCH that changes nothing writes nothing (without hooks, an empty one is a read). Reads by id
/// arriving together share one statement (``RowReader``, tuned by ``Database/readBatching``). Every
/// statement is scoped by `R.Scope`, made from the principal: a row of another organization
/// answers exactly as a row that does not exist, 404.
public struct ResourceEngine<R: Resource>: Sendable {
    private let database: Database
    /// Reads by id, batched under load (``ReadBatching``).
    private let reader: RowReader<R>
    private let hooks: any ResourceHooks<R.Model, R.Create>
    /// `false` for ``NoHooks``: nothing runs around the statements.
    private let runsHooks: Bool
    /// The audit row and change event of every mutation.
    private let journal = MutationJournal<R>()
    /// The fields only some roles see or set.
    private let fieldRules: FieldRules
    /// The children that hide and come back with a row (soft delete).
    private let cascades: [SoftDeleteCascade]
    // The resource's settings, read once rather than through its conformance on every request.
    private let permissions: ResourcePermissions
    private let pagination: ResourcePagination
    private let listQuery: ListQuery
    private let includes: [String: ResourceInclude<R.Model>]
    /// Who may list deleted rows (`?deleted=only|include`): those who may restore them.
    private let trashPermission: Permission?
    private let collectionPath: String

    public init(database: Database, hooks: any ResourceHooks<R.Model, R.Create>) {
        self.database = database
        self.reader = RowReader(client: database.client, batching: database.readBatching)
        self.hooks = hooks
        self.runsHooks = !(hooks is NoHooks<R.Model, R.Create>)
        self.permissions = R.permissions
        self.pagination = R.pagination
        self.listQuery = R.listQuery
        self.fieldRules = R.fieldRules
        self.includes = Dictionary(R.includes.map { ($0.name, $0) }) { first, _ in first }
        self.trashPermission = (R.self as? any SoftDeletableResource.Type)?.restorePermission
        self.cascades = (R.self as? any SoftDeletableResource.Type)?.cascades ?? []
        self.collectionPath = "/api/v1/\(R.pathComponent)"
        MutationJournals.register(R.self)
        let limited = [permissions.list, permissions.read, permissions.update, permissions.delete]
            + [trashPermission].compactMap { $0 }
        if limited.contains(where: { !$0.ownRowsOnly.isEmpty }) {
            precondition(
                R.owner.map { listQuery.field(named: $0.field) != nil } == true,
                "\(R.self) limits some role to its own rows but names no owner field its list knows: regenerate it"
            )
        }
    }

    /// Mounts list, create, read and delete under `group`; ``addUpdate(to:)`` and
    /// ``addRestore(to:)`` mount the routes only some resources have.
    public func add(to group: RouterGroup<TrellisRequestContext>) {
        group.get(RouterPath(R.pathComponent), use: list)
        group.post(RouterPath(R.pathComponent), use: create)
        group.get(RouterPath("\(R.pathComponent)/:id"), use: read)
        group.delete(RouterPath("\(R.pathComponent)/:id"), use: delete)
    }

    @Sendable func list(_ request: Request, context: TrellisRequestContext) async throws -> Response {
        let principal = try context.require(permissions.list)
        let list = try listRequest(request, principal: principal)
        return try await respond(to: list, principal: principal, context: context)
    }

    private func listRequest(_ request: Request, principal: Principal) throws(APIError) -> ListRequest {
        var list = try ListRequest(
            request: request, query: listQuery, pagination: pagination, includes: Set(includes.keys), principal: principal
        )
        for name in list.includes { try includes[name]?.authorize(principal) }
        if list.deleted != .exclude {
            guard let trashPermission, trashPermission.allows(principal) else {
                throw APIError(.forbidden, "Only those who may restore a \(R.displayName) may list deleted ones.")
            }
        }
        // A field the caller may not see may not narrow or order what it sees either.
        let hidden = fieldRules.hidden(for: principal)
        if !hidden.isEmpty {
            let used = Set(list.filters.map(\.field.name) + list.sort.map(\.key)).intersection(hidden)
            if let field = used.sorted().first {
                throw APIError(.forbidden, "You may not filter or sort by \(field), which your role does not see.")
            }
        }
        // A role limited to its own rows lists those alone (the owner field is a list field: see init);
        // one that restores only its own rows sees only those among the deleted ones.
        let ownOnly = permissions.list.limitsToOwnRows(principal)
            || (list.deleted != .exclude && trashPermission?.limitsToOwnRows(principal) == true)
        if ownOnly, let owner = R.owner, let field = listQuery.field(named: owner.field) {
            list.filters.append(ListRequest.Filter(field: field, operator: .eq, value: .one(principal.userID.lowercasedString)))
        }
        return list
    }

    /// One page of `list`, with the relations it includes.
    private func respond(to list: ListRequest, principal: Principal, context: TrellisRequestContext) async throws -> Response {
        let page = try await listQuery.page(
            list, scope: R.Scope(principal: principal), on: database.client, logger: context.logger,
            decode: R.Model.init(row:), id: \.id
        )
        let hidden = fieldRules.hidden(for: principal)
        return .list(page, including: try await embedded(list.includes, in: page.items, principal: principal, context: context), hidden: hidden)
    }

    /// The related rows of `items` for each include named, one statement per include.
    private func embedded(
        _ names: [String], in items: [R.Model], principal: Principal, context: TrellisRequestContext
    ) async throws -> [(include: ResourceInclude<R.Model>, rows: [UUID: ByteBuffer])] {
        var embedded: [(include: ResourceInclude<R.Model>, rows: [UUID: ByteBuffer])] = []
        for name in names {
            guard let include = includes[name] else { continue }
            let ids = Set(items.compactMap(include.id))
            let rows = ids.isEmpty ? [:] : try await include.fetch(Array(ids), principal, database.client, context.logger)
            embedded.append((include, rows))
        }
        return embedded
    }

    /// `GET /{id}`, with `?include=` as a list takes it.
    @Sendable func read(_ request: Request, context: TrellisRequestContext) async throws -> Response {
        let principal = try context.require(permissions.read)
        let names = try readIncludes(request, principal: principal)
        let id = try context.resourceID()
        guard let found = try await reader.find(id, in: R.Scope(principal: principal), logger: context.logger),
            !permissions.read.limitsToOwnRows(principal) || Self.isOwned(found, by: principal)
        else {
            throw APIError.notFound(R.displayName)
        }
        // The ETag is the row's version; embedded rows have versions of their own, so a read
        // with includes has none.
        guard !names.isEmpty else {
            let tag = EntityTag.of(version: found.version)
            let seen = request.headers[values: .ifNoneMatch]
            if !seen.isEmpty, EntityTag.ifNoneMatch(seen, version: found.version) {
                return Response(status: .notModified, headers: [.eTag: tag])
            }
            return Self.tagged(found, hidden: fieldRules.hidden(for: principal))
        }
        let embedded = try await embedded(names, in: [found], principal: principal, context: context)
        return .data(EmbeddingRow(found, including: embedded, hidden: fieldRules.hidden(for: principal)))
    }

    /// The `?include=` of a read: 422 for an unknown name (or any other parameter), 403 for a
    /// relation the caller may not read.
    private func readIncludes(_ request: Request, principal: Principal) throws(APIError) -> [String] {
        guard !includes.isEmpty else {
            try request.rejectUnknownQueryParameters()
            return []
        }
        try request.rejectUnknownQueryParameters(accepting: ["include"])
        let values = request.uri.queryParameters.getAll("include")
        guard let raw = values.first else { return [] }
        let names = raw.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        guard values.count == 1, names.allSatisfy({ includes[$0] != nil }), Set(names).count == names.count else {
            let allowed = includes.keys.sorted().joined(separator: ", ")
            throw APIError.validation(["include": ["must be given once, as distinct names separated by commas, each one of: \(allowed)"]])
        }
        for name in names { try includes[name]?.authorize(principal) }
        return names
    }

    @Sendable func create(_ request: Request, context: TrellisRequestContext) async throws -> Response {
        let principal = try context.require(permissions.create)
        try request.rejectUnknownQueryParameters()
        let input = try fieldRules.read(try await request.jsonObject(context: context), by: principal, with: R.Create.init(json:))
        return try await create(input, by: principal, origin: RequestOrigin(request, context: context), context: context)
    }

    /// Runs the hooks and the INSERT; answers 201 with the row and its `Location`.
    private func create(
        _ input: R.Create, by principal: Principal, origin: RequestOrigin, context: TrellisRequestContext
    ) async throws -> Response {
        let created = try await database.transaction(logger: context.logger) { connection in
            let hookContext = HookContext(principal: principal, connection: connection, logger: context.logger)
            var input = input
            var errors = ValidationErrors()
            try await hooks.validateCreate(input, errors: &errors, context: hookContext)
            try errors.throwIfAny()
            try await hooks.beforeCreate(&input, context: hookContext)
            guard let created = try await connection.first(insertStatement(input, by: principal), logger: context.logger) else {
                throw APIError(.internalError, "The \(R.displayName) was not saved.")
            }
            try await hooks.afterCreate(created, context: hookContext)
            try await journal.record(.created, before: nil, after: created, by: principal, origin: origin, on: connection, logger: context.logger)
            return created
        }
        let location = "\(collectionPath)/\(created.id.lowercasedString)"
        return Self.tagged(created, status: .created, headers: [.location: location], hidden: fieldRules.hidden(for: principal))
    }

    private func insertStatement(_ input: R.Create, by principal: Principal) -> R.Insert {
        let now = Timestamp.now()
        return R.Insert(id: .v7(at: now), input: input, scope: R.Scope(principal: principal), principal: principal, now: now)
    }

    @Sendable func delete(_ request: Request, context: TrellisRequestContext) async throws -> Response {
        let principal = try context.require(permissions.delete)
        try request.rejectUnknownQueryParameters()
        let id = try context.resourceID()
        let condition = try ifMatch(request)
        let scope = R.Scope(principal: principal)
        let origin = RequestOrigin(request, context: context)
        try await database.transaction(logger: context.logger) { connection in
            guard let existing = try await connection.first(LockRow<R>(id: id, scope: scope), logger: context.logger) else {
                throw APIError.notFound(R.displayName)
            }
            try requireOwnership(of: existing, under: permissions.delete, principal: principal)
            try Self.check(existing, against: condition)
            let hookContext = HookContext(principal: principal, connection: connection, logger: context.logger)
            try await hooks.beforeDelete(existing, context: hookContext)
            let now = Timestamp.now()
            guard try await connection.first(DeleteRow<R>(id: id, scope: scope, now: now), logger: context.logger) != nil else {
                throw APIError.notFound(R.displayName)
            }
            if let tenant = scope as? TenantScope {
                for cascade in cascades {
                    try await cascade.hideChildren(of: id, in: tenant, stamp: now, by: principal, origin: origin, on: connection, logger: context.logger)
                }
            }
            try await hooks.afterDelete(existing, context: hookContext)
            try await journal.record(.deleted, before: existing, after: nil, by: principal, origin: origin, on: connection, logger: context.logger)
        }
        return Response(status: .noContent)
    }
}

extension ResourceEngine where R: UpdatableResource {
    /// Mounts `PATCH /{id}`.
    public func addUpdate(to group: RouterGroup<TrellisRequestContext>) {
        group.patch(RouterPath("\(R.pathComponent)/:id"), use: update)
    }

    /// Locks the row, applies the PATCH, runs the hooks and writes the row, in one transaction.
    /// A PATCH that changes nothing writes nothing (`updated_at` stays); without hooks, an empty
    /// one is a read.
    @Sendable func update(_ request: Request, context: TrellisRequestContext) async throws -> Response {
        let principal = try context.require(permissions.update)
        try request.rejectUnknownQueryParameters()
        let id = try context.resourceID()
        let json = try await request.jsonObject(context: context)
        let patch = try fieldRules.read(json, by: principal, with: R.Patch.init(json:))
        let condition = try ifMatch(request)
        let scope = R.Scope(principal: principal)
        let origin = RequestOrigin(request, context: context)
        if json.isEmpty, !runsHooks {
            let find = FindRow<R>(id: id, scope: scope)
            guard let found = try await database.withConnection(logger: context.logger, { try await $0.first(find, logger: context.logger) }) else {
                throw APIError.notFound(R.displayName)
            }
            try requireOwnership(of: found, under: permissions.update, principal: principal)
            try Self.check(found, against: condition)
            return Self.tagged(found, hidden: fieldRules.hidden(for: principal))
        }
        let updated = try await database.transaction(logger: context.logger) { connection in
            guard let previous = try await connection.first(LockRow<R>(id: id, scope: scope), logger: context.logger) else {
                throw APIError.notFound(R.displayName)
            }
            try requireOwnership(of: previous, under: permissions.update, principal: principal)
            try Self.check(previous, against: condition)
            let hookContext = HookContext(principal: principal, connection: connection, logger: context.logger)
            var changed = patch.applied(to: previous)
            var errors = ValidationErrors()
            try await hooks.validateUpdate(changed, previous: previous, errors: &errors, context: hookContext)
            try errors.throwIfAny()
            try await hooks.beforeUpdate(&changed, previous: previous, context: hookContext)
            guard Self.writesDifferently(changed, previous) else {
                try await hooks.afterUpdate(previous, previous: previous, context: hookContext)
                return previous
            }
            let update = R.Update(model: changed, scope: scope, now: .now())
            guard let saved = try await connection.first(update, logger: context.logger) else {
                throw APIError.notFound(R.displayName)
            }
            try await hooks.afterUpdate(saved, previous: previous, context: hookContext)
            try await journal.record(.updated, before: previous, after: saved, by: principal, origin: origin, on: connection, logger: context.logger)
            return saved
        }
        return Self.tagged(updated, hidden: fieldRules.hidden(for: principal))
    }
}

extension ResourceEngine {
    /// Mounts a custom action of a resource whose rows a PATCH cannot change: `perform` acts
    /// through the context's connection, and the row is read again after it.
    public func addAction<Input: ResourceInput>(
        _ name: String, path: String, permission: Permission, to group: RouterGroup<TrellisRequestContext>,
        perform: @escaping @Sendable (R.Model, Input, ActionContext) async throws -> Void
    ) {
        mountAction(name, path: path, permission: permission, to: group) { (row: R.Model, input: Input, context: ActionContext, scope: R.Scope) in
            try await perform(row, input, context)
            return try await context.connection.first(FindRow<R>(id: row.id, scope: scope), logger: context.logger)
        }
    }

    /// `POST /{id}/<path>`: permission, body, `If-Match`, then in one transaction the locked row
    /// (ownership, version), `run` (which answers the row as it now is), the audit row (with the
    /// action's body as `details`) and the change event; the row is answered with its `ETag`.
    func mountAction<Input: ResourceInput>(
        _ name: String, path: String, permission: Permission, to group: RouterGroup<TrellisRequestContext>,
        run: @escaping @Sendable (R.Model, Input, ActionContext, R.Scope) async throws -> R.Model?
    ) {
        precondition(permission.ownRowsOnly.isEmpty || R.owner != nil, "\(R.self) limits action \(name) to own rows but names no owner field: regenerate it")
        group.post(RouterPath("\(R.pathComponent)/:id/\(path)")) { request, context in
            let principal = try context.require(permission)
            try request.rejectUnknownQueryParameters()
            let id = try context.resourceID()
            let body = try await request.optionalJSONObject(context: context)
            let input = try Input(json: body)
            let condition = try ifMatch(request)
            let scope = R.Scope(principal: principal)
            let origin = RequestOrigin(request, context: context)
            let row = try await database.transaction(logger: context.logger) { connection in
                guard let previous = try await connection.first(LockRow<R>(id: id, scope: scope), logger: context.logger) else {
                    throw APIError.notFound(R.displayName)
                }
                try requireOwnership(of: previous, under: permission, principal: principal)
                try Self.check(previous, against: condition)
                let actionContext = ActionContext(principal: principal, connection: connection, logger: context.logger, origin: origin)
                guard let saved = try await run(previous, input, actionContext, scope) else { throw APIError.notFound(R.displayName) }
                try await journal.record(
                    .action(name), before: previous, after: saved, details: ["input": .object(body)], by: principal, origin: origin,
                    on: connection, logger: context.logger
                )
                return saved
            }
            return Self.tagged(row, hidden: fieldRules.hidden(for: principal))
        }
    }
}

extension ResourceEngine where R: UpdatableResource {
    /// Mounts a custom action at `POST /{id}/<path>`: `perform` runs in one transaction on the
    /// locked row (after the permission, ownership and `If-Match` checks) and may change it; the
    /// changed row is written (the fields a PATCH may change: changing another one is a
    /// programming error, answered 500), the action audited as `<type>.<name>` with the fields it
    /// changed, and the row answered with its `ETag`. The resource's hooks do not run. The body
    /// (`Input`) may be left out when no field of it is required.
    public func addAction<Input: ResourceInput>(
        _ name: String, path: String, permission: Permission, to group: RouterGroup<TrellisRequestContext>,
        perform: @escaping @Sendable (inout R.Model, Input, ActionContext) async throws -> Void
    ) {
        mountAction(name, path: path, permission: permission, to: group) { (row: R.Model, input: Input, context: ActionContext, scope: R.Scope) in
            var changed = row
            try await perform(&changed, input, context)
            guard Self.writesDifferently(changed, row) else {
                // The action may have written the row itself.
                return try await context.connection.first(FindRow<R>(id: row.id, scope: scope), logger: context.logger)
            }
            guard let saved = try await context.connection.first(R.Update(model: changed, scope: scope, now: .now()), logger: context.logger) else {
                return nil
            }
            let unwritten = Self.unwrittenFields(changed, saved)
            guard unwritten.isEmpty else {
                context.logger.error("action changed fields it cannot write", metadata: ["action": "\(name)", "fields": "\(unwritten)"])
                throw APIError(.internalError, "The \(name) action changed fields an update does not write: \(unwritten.joined(separator: ", ")).")
            }
            return saved
        }
    }

    /// The fields `changed` sets that `saved` (the row as written) does not hold: an action's
    /// change to a field a PATCH may not change (immutable, server-set).
    static func unwrittenFields(_ changed: R.Model, _ saved: R.Model) -> [String] {
        let wanted = MutationJournal<R>.fields(of: changed)
        let written = MutationJournal<R>.fields(of: saved)
        return wanted.keys.filter { !MutationJournal<R>.bookkeeping.contains($0) && wanted[$0] != written[$0] }.sorted()
    }
}

extension ResourceEngine {
    /// Whether the two rows answer different JSON: byte for byte, so a change Swift's `String`
    /// equality would ignore (`"é"` precomposed or not) is still written.
    static func writesDifferently(_ first: R.Model, _ second: R.Model) -> Bool {
        var firstJSON = ByteBuffer()
        var secondJSON = ByteBuffer()
        first.writeJSON(into: &firstJSON)
        second.writeJSON(into: &secondJSON)
        return firstJSON != secondJSON
    }

    /// Whether `principal` is the user `row`'s owner field names (never, for a resource without one).
    static func isOwned(_ row: R.Model, by principal: Principal) -> Bool {
        R.owner?.id(row) == principal.userID
    }

    /// Nothing unless `permission` limits `principal`'s role to its own rows and `row` is not one:
    /// then 403 when the caller may read the row (it knows the row exists, and learns why), 404
    /// when it may not (it learns nothing about a row it cannot see).
    func requireOwnership(of row: R.Model, under permission: Permission, principal: Principal) throws(APIError) {
        guard permission.limitsToOwnRows(principal), !Self.isOwned(row, by: principal) else { return }
        guard permissions.read.allows(principal), !permissions.read.limitsToOwnRows(principal) else {
            throw APIError.notFound(R.displayName)
        }
        let article = principal.role == .owner || principal.role == .admin ? "An" : "A"
        throw APIError(.forbidden, "\(article) \(principal.role.rawValue) changes only the \(R.displayName) rows they created.")
    }

    /// The `If-Match` values of a PATCH, DELETE or restore, nil when none was sent: 428 then for a
    /// resource whose spec requires it.
    func ifMatch(_ request: Request) throws(APIError) -> [String]? {
        let values = request.headers[values: .ifMatch]
        guard values.isEmpty else { return values }
        guard !R.requiresIfMatch else {
            throw APIError(
                .preconditionRequired, "A \(R.displayName) changes only with If-Match: send the ETag of the version you read."
            )
        }
        return nil
    }

    /// 412 unless `row` is at a version `condition` (an `If-Match`) names; nothing without one.
    static func check(_ row: R.Model, against condition: [String]?) throws(APIError) {
        guard let condition, !EntityTag.ifMatch(condition, version: row.version) else { return }
        throw APIError(
            .preconditionFailed,
            "The \(R.displayName) is at version \(row.version), not the one If-Match names: read it again and reapply the change.",
            headers: [.eTag: EntityTag.of(version: row.version)]
        )
    }

    /// `{"data": row}` with the row's `ETag` (and `headers`), without the `hidden` fields.
    static func tagged(_ row: R.Model, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:], hidden: Set<String>) -> Response {
        var headers = headers
        headers[.eTag] = EntityTag.of(version: row.version)
        return .data(VisibleRow(row: row, hidden: hidden), status: status, headers: headers)
    }
}

extension ResourceEngine where R: SoftDeletableResource {
    /// Mounts `POST /{id}/restore`.
    public func addRestore(to group: RouterGroup<TrellisRequestContext>) {
        precondition(
            R.rows.findHidden != nil,
            "\(R.self)'s RowSQL has no findHidden, which a restore needs to lock the hidden row: regenerate from the built-in queries template"
        )
        group.post(RouterPath("\(R.pathComponent)/:id/restore"), use: restore)
    }

    /// Brings a hidden row back, in one transaction: the hidden row is locked and the hooks run
    /// around the statement. A row that is not hidden is answered as it is, so a retried restore
    /// succeeds too.
    @Sendable func restore(_ request: Request, context: TrellisRequestContext) async throws -> Response {
        let principal = try context.require(R.restorePermission)
        try request.rejectUnknownQueryParameters()
        let id = try context.resourceID()
        let condition = try ifMatch(request)
        let scope = R.Scope(principal: principal)
        let origin = RequestOrigin(request, context: context)
        let row = try await database.transaction(logger: context.logger) { connection in
            guard let hidden = try await connection.first(LockHiddenRow<R>(id: id, scope: scope), logger: context.logger) else {
                let found = try await visible(id, in: scope, on: connection, logger: context.logger)
                try requireOwnership(of: found, under: R.restorePermission, principal: principal)
                try Self.check(found, against: condition)
                return found
            }
            try requireOwnership(of: hidden, under: R.restorePermission, principal: principal)
            try Self.check(hidden, against: condition)
            let hookContext = HookContext(principal: principal, connection: connection, logger: context.logger)
            try await hooks.beforeRestore(hidden, context: hookContext)
            // The children first: they are found by the parent's deleted_at, which the restore clears.
            if let tenant = scope as? TenantScope {
                for cascade in R.cascades {
                    try await cascade.restoreChildren(of: id, in: tenant, by: principal, origin: origin, on: connection, logger: context.logger)
                }
            }
            guard let restored = try await connection.first(RestoreRow<R>(id: id, scope: scope, now: .now()), logger: context.logger) else {
                // Hidden and locked, yet not restored: a row it cascades from is deleted.
                throw APIError(
                    .conflict, "This \(R.displayName) belongs to a deleted row: restore that one first (what was deleted with it comes back with it)."
                )
            }
            try await hooks.afterRestore(restored, context: hookContext)
            try await journal.record(.restored, before: hidden, after: restored, by: principal, origin: origin, on: connection, logger: context.logger)
            return restored
        }
        return Self.tagged(row, hidden: fieldRules.hidden(for: principal))
    }

    /// The visible row `id` (one a restore found not hidden), or 404.
    private func visible(_ id: UUID, in scope: R.Scope, on connection: PostgresConnection, logger: Logger) async throws -> R.Model {
        guard let found = try await connection.first(FindRow<R>(id: id, scope: scope), logger: logger) else {
            throw APIError.notFound(R.displayName)
        }
        return found
    }
}

extension ResourceEngine {
    /// Mounts the routes of `R` under one row of `Parent`, through the ref `field`:
    /// `GET /projects/{id}/tasks` lists the project's tasks (with every list parameter) and
    /// `POST /projects/{id}/tasks` creates one in it (its body leaves `project_id` out). Both
    /// answer 404 when the parent is not visible to the caller.
    public func addNested<Parent: Resource>(under parent: Parent.Type, through field: String, to group: RouterGroup<TrellisRequestContext>) {
        guard let refField = listQuery.field(named: field) else {
            preconditionFailure("\(R.self) lists no field \(field) to nest under \(Parent.self)")
        }
        // `:id`, as the parent's own routes name it: the router needs one name per position.
        let path = RouterPath("\(Parent.pathComponent)/:id/\(R.pathComponent)")
        group.get(path) { request, context in
            let principal = try context.require(permissions.list)
            var list = try listRequest(request, principal: principal)
            let parentID = try await visibleParent(Parent.self, principal: principal, context: context)
            list.filters.append(ListRequest.Filter(field: refField, operator: .eq, value: .one(parentID.lowercasedString)))
            return try await respond(to: list, principal: principal, context: context)
        }
        group.post(path) { request, context in
            let principal = try context.require(permissions.create)
            try request.rejectUnknownQueryParameters()
            var json = try await request.jsonObject(context: context)
            let parentID = try await visibleParent(Parent.self, principal: principal, context: context)
            guard json[field] == nil else {
                throw APIError.validation([field: ["is given by the path; leave it out of the body"]])
            }
            json[field] = .string(parentID.lowercasedString)
            return try await create(try fieldRules.read(json, by: principal, with: R.Create.init(json:)), by: principal, origin: RequestOrigin(request, context: context), context: context)
        }
    }

    /// The parent's `:id` in the path, provided the caller may read that row: 404 otherwise, as
    /// for a row that does not exist.
    private func visibleParent<Parent: Resource>(_ parent: Parent.Type, principal: Principal, context: TrellisRequestContext) async throws -> UUID {
        let id = try context.resourceID()
        guard Parent.permissions.read.allows(principal) else { throw APIError.notFound(Parent.displayName) }
        let find = FindRow<Parent>(id: id, scope: Parent.Scope(principal: principal))
        guard let row = try await database.withConnection(logger: context.logger, { try await $0.first(find, logger: context.logger) }),
            !Parent.permissions.read.limitsToOwnRows(principal) || Parent.owner?.id(row) == principal.userID
        else {
            throw APIError.notFound(Parent.displayName)
        }
        return id
    }
}
