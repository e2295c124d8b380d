import Foundation
import Testing
import Trellis

/// One filter of a list, as a generated test names it: `FilterCase("due_on", .gte)`.
public struct FilterCase: Sendable, CustomTestStringConvertible {
    public var field: String
    public var `operator`: FilterOperator

    public init(_ field: String, _ filterOperator: FilterOperator) {
        self.field = field
        self.operator = filterOperator
    }

    /// The query parameter: `due_on__gte`.
    public var parameter: String { self.operator.parameter(for: field) }
    public var testDescription: String { parameter }
}

extension ResourceChecks {
    /// A list filtered by `filter` shows exactly the rows whose values meet it, judged here from
    /// the rows' own values (three or four rows with different values, and one without a value
    /// when the field is nullable), across every page; the other organization, sending the same
    /// filter, sees none of them.
    public func filters(_ filter: FilterCase, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        try await session("filter/\(filter.parameter)") { session in
            guard let field = contract.field(filter.field) else { throw SpecSetupError("\(contract.title) has no field \(filter.field)") }
            let home = session.home
            let (overrides, creators) = try await distinctReferences(field, in: home, session: session)
            var rows: [Row] = []
            for row in 0..<3 {
                rows.append(try await create(row: row, in: home, session: session, overrides: overrides[row], as: creators[row]))
            }
            if field.nullable { rows.append(try await create(row: 3, in: home, session: session, overrides: [field.name: .null])) }
            let values = rows.map { $0.data[field.name] ?? .null }
            let probe = values[1]
            let second = values[2]

            let text: String
            let matches: (JSONValue) -> Bool
            switch filter.operator {
            case .eq:
                text = probe.queryText
                matches = { same($0, probe, field: field) }
            case .in:
                text = [probe, second].map(\.queryText).joined(separator: ",")
                matches = { same($0, probe, field: field) || same($0, second, field: field) }
            case .gt, .gte, .lt, .lte:
                // The middle value, so that some rows are on each side of it.
                let ordered = values.filter { $0 != .null }.sorted { compare($0, $1, key: field.name) == .orderedAscending }
                let probe = ordered[ordered.count / 2]
                text = probe.queryText
                matches = { value in
                    guard value != .null else { return false }
                    let order = compare(value, probe, key: field.name)
                    switch filter.operator {
                    case .gt: return order == .orderedDescending
                    case .gte: return order != .orderedAscending
                    case .lt: return order == .orderedAscending
                    default: return order != .orderedDescending
                    }
                }
            case .contains:
                // The end of the value, which differs from row to row, in upper case.
                let needle = String((probe.stringValue ?? "").suffix(3)).uppercased()
                text = needle
                matches = { $0.stringValue?.lowercased().contains(needle.lowercased()) == true }
            case .startsWith:
                let prefix = (probe.stringValue ?? "").uppercased()
                text = prefix
                matches = { $0.stringValue?.lowercased().hasPrefix(prefix.lowercased()) == true }
            case .isNull:
                text = "true"
                matches = { $0 == .null }
            }
            let query = "\(filter.parameter)=\(text.queryEncoded)"
            let meeting = zip(rows, values).filter { matches($0.1) }.count
            guard meeting > 0 && meeting < rows.count else {
                throw SpecSetupError("the rows made for ?\(query) (\(field.name) = \(values.map(\.jsonText))) do not tell a filter from none")
            }
            let shown = Set(try await listItems(query: query, as: try actor(for: .list, in: home), session: session).compactMap { $0["id"]?.stringValue })
            let expected = Set(zip(rows, values).filter { matches($0.1) }.map(\.0.id))
            let ours = Set(rows.map(\.id))
            expect(
                shown.intersection(ours) == expected, "Filter broken",
                "?\(query) shows \(shown.intersection(ours).sorted()) of the rows \(rows.map(\.id)) with \(field.name) = \(values.map(\.jsonText)); "
                    + "by their values it should show \(expected.sorted())",
                at: sourceLocation
            )
            if contract.tenancy == .organization {
                expect(shown.isSubset(of: ours), "Tenancy leak", "?\(query) shows rows this organization did not make: \(shown.subtracting(ours).sorted())", at: sourceLocation)
                let theirs = try await listItems(query: query, as: try actor(for: .list, in: session.other), session: session)
                let leaked = theirs.compactMap { $0["id"]?.stringValue }.filter(ours.contains)
                expect(leaked.isEmpty, "Tenancy leak", "another organization sending ?\(query) sees this one's rows \(leaked)", at: sourceLocation)
            }
        }
    }

    /// Per row, the overrides and creator that give a ref a different value in each of three rows:
    /// its own parent row, another member, or (set from the caller) another creator.
    private func distinctReferences(
        _ field: FieldContract, in home: SpecOrganization, session: SpecSession
    ) async throws -> (overrides: [[String: JSONValue]], creators: [SpecActor?]) {
        var overrides: [[String: JSONValue]] = [[:], [:], [:]]
        var creators: [SpecActor?] = [nil, nil, nil]
        guard let target = field.referencedResource, target != "Organization" else { return (overrides, creators) }
        if target == "User" {
            let roles = Role.allCases.filter { contract.roles(for: .create).contains($0) }
            for row in 0..<3 {
                if field.setByServer {
                    guard roles.count >= 2 else { break }
                    creators[row] = .member(home.principal(roles[row % roles.count]))
                } else {
                    overrides[row] = [field.name: .string(Self.text(home.members[Role.allCases[row]] ?? home.id))]
                }
            }
        } else {
            let parent = ResourceChecks(try harness.contract(named: target), harness: harness)
            for row in 0..<3 {
                overrides[row] = [field.name: .string(try await parent.create(row: 20 + row, in: home, session: session).id)]
            }
        }
        return (overrides, creators)
    }

    /// `?field=me` on a ref to a user shows the caller's rows.
    public func filtersByMe(_ field: String, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        try await session("filter/\(field)=me") { session in
            let home = session.home
            let lister = try actor(for: .list, in: home)
            guard case .member(let principal) = lister else { throw SpecSetupError("?\(field)=me needs a member to list as") }
            let me = JSONValue.string(principal.userID.lowercasedString)
            guard let fieldContract = contract.field(field) else { throw SpecSetupError("\(contract.title) has no field \(field)") }
            let (overrides, creators) = try await distinctReferences(fieldContract, in: home, session: session)
            var rows: [Row] = []
            for row in 0..<3 {
                rows.append(try await create(row: row, in: home, session: session, overrides: overrides[row], as: creators[row]))
            }
            let mine = Set(rows.filter { $0.data[field] == me }.map(\.id))
            guard !mine.isEmpty && mine.count < rows.count else {
                throw SpecSetupError("the rows made for ?\(field)=me do not tell the caller's rows from others'")
            }
            let shown = Set(try await listItems(query: "\(field)=me", as: lister, session: session).compactMap { $0["id"]?.stringValue })
            expect(
                shown.intersection(rows.map(\.id)) == mine, "Filter broken",
                "?\(field)=me shows \(shown.sorted()); the rows naming the caller are \(mine.sorted())", at: sourceLocation
            )
        }
    }

    /// `?include=name` embeds, in each row, the row its ref points to (`null` for an empty ref),
    /// read with the caller's tenancy.
    public func includes(_ name: String, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        try await session("include/\(name)") { session in
            guard let field = contract.includes[name] else { throw SpecSetupError("\(contract.title) includes no \(name)") }
            let home = session.home
            var rows: [Row] = []
            for row in 0..<2 { rows.append(try await create(row: row, in: home, session: session)) }
            if contract.field(field)?.nullable == true {
                rows.append(try await create(row: 2, in: home, session: session, overrides: [field: .null]))
            }
            let items = try await listItems(query: "include=\(name)", as: try actor(for: .list, in: home), session: session)
            for row in rows {
                guard let item = items.first(where: { $0["id"]?.stringValue == row.id }) else {
                    expect(false, "Include broken", "?include=\(name) does not list the row \(row.id)", at: sourceLocation)
                    continue
                }
                let reference = row.data[field] ?? .null
                let embedded = item[name]
                if reference == .null {
                    expect(embedded == .null, "Include broken", "?include=\(name) embeds \(embedded?.jsonText ?? "nothing") for an empty \(field)", at: sourceLocation)
                } else {
                    expect(
                        embedded?["id"] == reference, "Include broken",
                        "?include=\(name) embeds \(embedded?.jsonText ?? "nothing") for \(field) = \(reference.jsonText)", at: sourceLocation
                    )
                }
                var plain = item
                if case .object(var members) = plain {
                    members[name] = nil
                    plain = .object(members)
                }
                expect(plain == row.data, "Include broken", "?include=\(name) changes the row itself: \(item.jsonText)", at: sourceLocation)
                if contract.canPerform(.read) {
                    let read = try await session.client.send(.get, "\(path)/\(row.id)?include=\(name)", as: try actor(for: .read, in: home))
                    expect(
                        read.status == .ok && read.data == item, "Include broken",
                        "GET \(path)/\(row.id)?include=\(name) answers \(read.summary); the list showed \(item.jsonText)", at: sourceLocation
                    )
                }
            }
            try await includeStaysInOrganization(name, field: field, session: session, at: sourceLocation)
        }
    }

    /// A ref to a user of another organization, where the API lets a row hold one, is embedded
    /// as `null`: an include never shows another organization's user. (Refs between two
    /// organization-scoped resources cannot cross organizations: composite foreign keys.)
    private func includeStaysInOrganization(_ name: String, field: String, session: SpecSession, at location: SourceLocation) async throws {
        guard let contractField = contract.field(field), contractField.referencedResource == "User", !contractField.setByServer else { return }
        let home = session.home
        let stranger = Self.text(session.other.members[.owner] ?? session.other.id)
        let sent = try await body(row: 3, in: home, session: session, overrides: [field: .string(stranger)])
        let created = try await session.client.send(.post, path, as: try actor(for: .create, in: home), json: .object(sent))
        guard created.status == .created, let id = created.id else { return }  // the app refuses such refs itself
        let items = try await listItems(query: "include=\(name)", as: try actor(for: .list, in: home), session: session)
        let embedded = items.first { $0["id"]?.stringValue == id }?[name]
        expect(
            embedded == .null, "Tenancy leak",
            "?include=\(name) embeds \(embedded?.jsonText ?? "nothing") for a \(field) naming another organization's user", at: location
        )
    }

    /// `?include=tasks` on a list of projects embeds, in each project, its own tasks (at most
    /// `ListLimits.includedChildren`, with `has_more`), and none of another project's.
    public func includesChildren(_ name: String, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        try await session("include/\(name)") { session in
            guard let relation = contract.children[name] else { throw SpecSetupError("\(contract.title) embeds no children named \(name)") }
            let child = ResourceChecks(try harness.contract(named: relation.resource), harness: harness)
            let home = session.home
            let first = try await create(row: 0, in: home, session: session)
            let second = try await create(row: 1, in: home, session: session)
            // One more child under the first parent than an include shows, and one under the second.
            let limit = ListLimits.includedChildren
            var made: [String: [Row]] = [first.id: [], second.id: []]
            for (row, parent) in (Array(repeating: first, count: limit + 1) + [second]).enumerated() {
                made[parent.id, default: []].append(
                    try await child.create(row: row, in: home, session: session, overrides: [relation.field: .string(parent.id)])
                )
            }
            let order = [Trellis.SortOrder(key: child.contract.sortKeys.first ?? "id", descending: true)]
            let items = try await listItems(query: "include=\(name)", as: try actor(for: .list, in: home), session: session)
            for parent in [first, second] {
                let children = made[parent.id] ?? []
                let expected = children.sorted { child.precedes($0.data, $1.data, in: order) }.prefix(limit).map(\.id)
                let embedded = items.first { $0["id"]?.stringValue == parent.id }?[name]
                let ids = embedded?["data"]?.arrayValue?.compactMap { $0["id"]?.stringValue } ?? []
                expect(
                    ids == expected && embedded?["has_more"] == .bool(children.count > limit), "Include broken",
                    "?include=\(name) embeds \(embedded?.jsonText ?? "nothing") in \(parent.id); expected its first \(limit) \(name) "
                        + "\(expected) and has_more \(children.count > limit)",
                    at: sourceLocation
                )
                let read = try await session.client.send(.get, "\(path)/\(parent.id)?include=\(name)", as: try actor(for: .read, in: home))
                expect(
                    read.status == .ok && read.data?[name] == embedded, "Include broken",
                    "GET \(path)/\(parent.id)?include=\(name) answers \(read.summary); the list embedded \(embedded?.jsonText ?? "nothing")",
                    at: sourceLocation
                )
            }
        }
    }

    /// `GET /parents/{id}/children` lists exactly the children of that parent, `POST` there creates
    /// one in it; both answer 404 for a parent the caller cannot see (another organization's).
    public func nests(under field: String, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        try await session("nested/\(field)") { session in
            guard let parentPath = contract.parents[field], let target = contract.field(field)?.referencedResource else {
                throw SpecSetupError("\(contract.title) is not nested through \(field)")
            }
            let parent = ResourceChecks(try harness.contract(named: target), harness: harness)
            let home = session.home
            // Rows 10 and 11: the children's own parents, made for their bodies, take the first ones.
            let first = try await parent.create(row: 10, in: home, session: session)
            let other = try await parent.create(row: 11, in: home, session: session)
            let nestedPath = "\(parentPath)/\(first.id)\(path.dropFirst("/api/v1".count))"
            var children: [String] = []
            if contract.canPerform(.create) {
                var sent = try await body(row: 0, in: home, session: session)
                sent[field] = nil
                let created = try await session.client.send(.post, nestedPath, as: try actor(for: .create, in: home), json: .object(sent))
                expect(
                    created.status == .created && created.data?[field] == .string(first.id), "Nested route broken",
                    "POST \(nestedPath) without \(field): \(created.summary); expected 201 with \(field) = \(first.id)", at: sourceLocation
                )
                if let id = created.id { children.append(id) }
                let foreignParent = try await session.client.send(
                    .post, nestedPath, as: try actor(for: .create, in: session.other), json: .object(sent)
                )
                expect(
                    foreignParent.status == .notFound, "Tenancy leak",
                    "another organization created under this one's \(target): \(foreignParent.summary); expected 404", at: sourceLocation
                )
            }
            children.append(try await create(row: 1, in: home, session: session, overrides: [field: .string(first.id)]).id)
            let stranger = try await create(row: 2, in: home, session: session, overrides: [field: .string(other.id)]).id
            let shown = try await listItems(path: nestedPath, query: "", as: try actor(for: .list, in: home), session: session)
                .compactMap { $0["id"]?.stringValue }
            expect(
                Set(shown) == Set(children) && !shown.contains(stranger), "Nested route broken",
                "GET \(nestedPath) lists \(shown); the rows under it are \(children)", at: sourceLocation
            )
            let foreign = try await session.client.send(.get, nestedPath, as: try actor(for: .list, in: session.other))
            expect(foreign.status == .notFound, "Tenancy leak", "another organization listed under this one's \(target): \(foreign.summary); expected 404", at: sourceLocation)
        }
    }

    /// `?q=` finds the rows whose searched fields hold the words, best match first, and only the
    /// caller's.
    public func searches(sourceLocation: SourceLocation = #_sourceLocation) async throws {
        try await session("search") { session in
            guard let fieldName = contract.searchFields.first, let field = contract.field(fieldName) else {
                throw SpecSetupError("\(contract.title) has no search fields")
            }
            let home = session.home
            let words = ["Quartz harbor lantern", "Harbor of glass", "Meadow without it"].map { text in
                String(text.prefix(field.maxLength ?? text.count))
            }
            var rows: [Row] = []
            for (row, text) in words.enumerated() {
                rows.append(try await create(row: row, in: home, session: session, overrides: [fieldName: .string(text)]))
            }
            let ours = Set(rows.map(\.id))
            let lister = try actor(for: .list, in: home)
            let harbor = try await listItems(query: "q=harbor", as: lister, session: session).compactMap { $0["id"]?.stringValue }
            expect(
                Set(harbor.filter(ours.contains)) == [rows[0].id, rows[1].id], "Search broken",
                "?q=harbor finds \(harbor) among \(rows.map(\.id)) (\(fieldName) = \(words)); expected the first two", at: sourceLocation
            )
            let quartz = try await listItems(query: "q=quartz%20harbor", as: lister, session: session).compactMap { $0["id"]?.stringValue }
            expect(quartz.filter(ours.contains) == [rows[0].id], "Search broken", "?q=quartz harbor finds \(quartz); expected \(rows[0].id)", at: sourceLocation)
            if contract.tenancy == .organization {
                let theirs = try await listItems(query: "q=harbor", as: try actor(for: .list, in: session.other), session: session)
                let leaked = theirs.compactMap { $0["id"]?.stringValue }.filter(ours.contains)
                expect(leaked.isEmpty, "Tenancy leak", "another organization's search finds this one's rows \(leaked)", at: sourceLocation)
            }
        }
    }

    /// `?count=exact` answers `meta.total`, the number of rows the filters let through.
    public func countsRows(sourceLocation: SourceLocation = #_sourceLocation) async throws {
        try await session("count") { session in
            let home = session.home
            for row in 0..<3 { _ = try await create(row: row, in: home, session: session) }
            let response = try await session.client.send(.get, "\(path)?\(pageQuery(size: 1, after: nil) ?? "")&count=exact", as: try actor(for: .list, in: home))
            let total = response.json?["meta"]?["total"]
            if contract.tenancy == .organization {
                expect(total == .integer(3), "Count broken", "?count=exact answers total \(total?.jsonText ?? "none") for 3 rows: \(response.summary)", at: sourceLocation)
            } else {
                expect(total?.integer.map { $0 >= 3 } == true, "Count broken", "?count=exact answers total \(total?.jsonText ?? "none"): \(response.summary)", at: sourceLocation)
            }
        }
    }

    /// `?deleted=only` lists the deleted rows to those who may restore them, and to no one else.
    public func listsDeletedRows(sourceLocation: SourceLocation = #_sourceLocation) async throws {
        try await session("trash") { session in
            let home = session.home
            let kept = try await create(row: 0, in: home, session: session)
            let deleted = try await create(row: 1, in: home, session: session)
            let remover = try actor(for: .delete, in: home)
            let removed = try await session.client.send(.delete, "\(path)/\(deleted.id)", as: remover)
            guard removed.status == .noContent else { throw SpecSetupError("could not delete a \(contract.name): \(removed.summary)") }
            let trash = try await listItems(query: "deleted=only", as: try actor(for: .restore, in: home), session: session)
                .compactMap { $0["id"]?.stringValue }
            expect(
                trash.contains(deleted.id) && !trash.contains(kept.id), "Trash broken",
                "?deleted=only lists \(trash); expected the deleted \(deleted.id) and not \(kept.id)", at: sourceLocation
            )
            let everything = try await listItems(query: "deleted=include", as: try actor(for: .restore, in: home), session: session)
                .compactMap { $0["id"]?.stringValue }
            expect(Set([kept.id, deleted.id]).isSubset(of: everything), "Trash broken", "?deleted=include lists \(everything)", at: sourceLocation)
            let restorers = contract.roles(for: .restore)
            for role in Role.allCases where contract.roles(for: .list).contains(role) && !restorers.contains(role) {
                let refused = try await session.client.send(.get, "\(path)?deleted=only", as: .member(home.principal(role)))
                expect(refused.status == .forbidden, "Permission leak", "a \(role.rawValue) may not restore but listed the trash: \(refused.summary)", at: sourceLocation)
            }
        }
    }

    /// Every item of a list (at `path`, by default the resource's) with `query`, walking all pages
    /// of `pageSize` rows (by default the largest).
    func listItems(
        path listPath: String? = nil, query: String, as actor: SpecActor, pageSize: Int? = nil, session: SpecSession
    ) async throws -> [JSONValue] {
        var items: [JSONValue] = []
        var meta: JSONValue?
        var pages = 0
        while let paging = pageQuery(size: pageSize ?? contract.maxLimit, after: meta) {
            let parts = [paging] + (query.isEmpty ? [] : [query])
            let response = try await session.client.send(.get, "\(listPath ?? path)?\(parts.joined(separator: "&"))", as: actor)
            guard response.status == .ok, let page = response.data?.arrayValue, let pageMeta = response.json?["meta"], pageMeta["has_more"] != nil
            else {
                throw SpecSetupError("could not list \(contract.name) with ?\(query), or the answer is not a list page: \(response.summary)")
            }
            items += page
            meta = pageMeta
            pages += 1
            if pages > 1_000 { throw SpecSetupError("the list of \(contract.name) did not end after 1,000 pages") }
        }
        return items
    }

    /// Whether two values of `field` are equal as the database compares them.
    private func same(_ first: JSONValue, _ second: JSONValue, field: FieldContract) -> Bool {
        guard first != .null, second != .null else { return false }
        return compare(first, second, key: field.name) == .orderedSame
    }
}

extension JSONValue {
    /// The value as a query parameter writes it: text as is, numbers and booleans as JSON.
    var queryText: String {
        switch self {
        case .string(let text): text
        default: jsonText
        }
    }
}

extension String {
    /// Percent-encoded for a query value (everything but unreserved characters and `,`).
    var queryEncoded: String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~,")
        return addingPercentEncoding(withAllowedCharacters: allowed) ?? self
    }
}
