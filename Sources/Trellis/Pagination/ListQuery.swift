import Foundation
import Logging
import PostgresNIO

/// The list of one resource: filters, full-text search, several sort keys and keyset pagination
/// over them, with the id breaking ties.
///
/// The SQL of a request follows from its shape (which filters, which sort, whether a cursor
/// continues it); each distinct statement is prepared once per connection (``ShapedStatements``).
/// Every value is bound, never spliced: the SQL holds only names the generated code declared.
public struct ListQuery: Sendable {
    /// Full-text search (the spec's `search`): `?q=` matches a `tsvector` expression over the
    /// searched fields, which a GIN index on the same expression serves.
    public struct Search: Sendable {
        /// The `tsvector` expression, spelled exactly as the index spells it.
        public var document: String
        /// The text search configuration of the document (`english`), used for the query too.
        public var language: String

        public init(document: String, language: String) {
            self.document = document
            self.language = language
        }
    }

    /// The order of a searched list whose request names no sort: best match first.
    public static let rankOrder = SortOrder(key: "rank", descending: true)

    private let table: String
    private let columns: String
    private let scope: String
    private let scopeParameterCount: Int
    private let softDelete: Bool
    private let search: Search?
    private let fields: [String: ListField]
    private let filters: [String: (field: ListField, operator: FilterOperator)]
    /// The keys `?sort=` may name.
    public let sortKeys: [String]
    private let statements: ShapedStatements

    /// - Parameters:
    ///   - table: the table to list.
    ///   - columns: the selected columns, in the order the model decodes them.
    ///   - scope: the WHERE condition every row must meet, using `$1`...`$scopeParameterCount`
    ///     for the values the ``ResourceScope`` binds (soft delete is not part of it).
    ///   - softDelete: whether the table has `deleted_at`: a list shows the rows without one,
    ///     unless asked for `?deleted=only|include`.
    ///   - fields: the fields a list may filter or sort by, including `id` and the timestamps.
    public init(
        table: String, columns: String, scope: String, scopeParameterCount: Int, softDelete: Bool = false,
        search: Search? = nil, fields: [ListField]
    ) {
        self.table = table
        self.columns = columns
        self.scope = scope
        self.scopeParameterCount = scopeParameterCount
        self.softDelete = softDelete
        self.search = search
        self.fields = Dictionary(fields.map { ($0.name, $0) }) { first, _ in first }
        var filters: [String: (field: ListField, operator: FilterOperator)] = [:]
        for field in fields {
            for filterOperator in field.operators {
                filters[filterOperator.parameter(for: field.name)] = (field, filterOperator)
            }
        }
        self.filters = filters
        self.sortKeys = fields.filter(\.isSortable).map(\.name)
        self.statements = ShapedStatements()
    }

    /// The query parameters every list of this resource accepts besides its paging and filters.
    private static let listParameters: Set<String> = ["sort", "count"]

    /// Whether `name` is a query parameter this list knows.
    func accepts(_ name: String, includes: Bool) -> Bool {
        Self.listParameters.contains(name) || filters[name] != nil
            || (name == "q" && search != nil) || (name == "deleted" && softDelete) || (name == "include" && includes)
    }

    /// The field and operator of a filter parameter (`due_on__gte`).
    func filter(named name: String) -> (ListField, FilterOperator)? {
        filters[name].map { ($0.field, $0.operator) }
    }

    /// The field named `name`, filterable or not (a nested route filters by its parent's ref).
    public func field(named name: String) -> ListField? { fields[name] }

    /// One page of the rows `scope` may reach that match `request`.
    ///
    /// Fetches one row more than asked to learn whether another page follows.
    public func page<Item: Sendable>(
        _ request: ListRequest, scope: some ResourceScope, on client: PostgresClient, logger: Logger,
        decode: (PostgresRandomAccessRow) throws -> Item, id: (Item) -> UUID
    ) async throws -> Page<Item> {
        var total: Int?
        if request.countsTotal {
            let count = statement(for: request, scope: scope, counting: true)
            let rows = try await statements.rows(count.sql, bindings: count.bindings, on: client, logger: logger)
            total = try rows.first.map { Int(try $0.decode(Int64.self)) } ?? 0
        }
        if request.cursorIsStale && request.page == nil { return Page(items: [], nextCursor: nil, limit: request.limit, total: total) }
        let select = statement(for: request, scope: scope, counting: false)
        let rows: [PostgresRow]
        do {
            rows = try await statements.rows(select.sql, bindings: select.bindings, on: client, logger: logger)
        } catch let error as PSQLError where request.cursor != nil && Self.refusedValueStates.contains(error.serverInfo?[.sqlState] ?? "") {
            // PostgreSQL refused a cursor value for its sort column (the cursor was edited, or
            // made before a type change): an unusable cursor, which answers an empty page.
            logger.notice("unusable cursor", metadata: ["sqlstate": "\(error.serverInfo?[.sqlState] ?? "")"])
            return Page(items: [], nextCursor: nil, limit: request.limit, total: total)
        }
        if let page = request.page {
            let items = try rows.prefix(request.limit).map { try decode($0.makeRandomAccess()) }
            return Page(items: items, nextCursor: nil, limit: request.limit, total: total, number: page, hasMore: rows.count > request.limit)
        }
        var items: [Item] = []
        items.reserveCapacity(min(rows.count, request.limit))
        var nextCursor: Cursor?
        for (index, row) in rows.prefix(request.limit).enumerated() {
            let cells = row.makeRandomAccess()
            let item = try decode(cells)
            items.append(item)
            if index == request.limit - 1, rows.count > request.limit {
                // The last row of a page that has a next one: its sort values make the cursor.
                let first = cells.count - request.sort.count
                let values = try (first..<cells.count).map { try cells[$0].decode(String?.self) }
                nextCursor = Cursor(sort: request.sort, values: values, id: id(item))
            }
        }
        return Page(items: items, nextCursor: nextCursor, limit: request.limit, total: total)
    }

    /// The first `limit` visible rows pointing to each of `parents` through `field`, in `sort`
    /// order, each row followed by its parent's id (the last column).
    func children(
        through field: String, of parents: [UUID], sort: SortOrder, limit: Int, ownedBy owner: (field: String, user: UUID)? = nil,
        scope rows: some ResourceScope, on client: PostgresClient, logger: Logger
    ) async throws -> [PostgresRow] {
        var parameters = Parameters(bindings: PostgresBindings(capacity: scopeParameterCount + 3), count: scopeParameterCount)
        rows.bind(into: &parameters.bindings)
        let parentIDs = parameters.bind(parents)
        var conditions = [scope, "\(field) = parent.id"]
        if let owner { conditions.append("\(owner.field) = \(parameters.bind(owner.user))") }
        if softDelete { conditions.append("deleted_at IS NULL") }
        let direction = sort.descending ? "DESC" : "ASC"
        // Per parent, the first rows by the child's own index on the ref: never all of them.
        let sql = """
            SELECT child.*, parent.id FROM unnest(\(parentIDs)::uuid[]) AS parent (id)
            CROSS JOIN LATERAL (
                SELECT \(columns) FROM \(table) WHERE \(conditions.joined(separator: " AND "))
                ORDER BY \(sort.key) \(direction), id \(direction) LIMIT \(parameters.bind(limit))
            ) AS child
            ORDER BY parent.id, child.\(sort.key) \(direction), child.id \(direction)
            """
        return try await statements.rows(sql, bindings: parameters.bindings, on: client, logger: logger)
    }

    /// What PostgreSQL answers when a cursor's text does not cast to the sort column's type:
    /// invalid text representation, invalid datetime format, datetime out of range, numeric value
    /// out of range, untranslatable character (NUL).
    static let refusedValueStates: Set<String> = ["22P02", "22007", "22008", "22003", "22021", "22P05"]

    // MARK: building the statement

    /// One key of the ORDER BY: its SQL expression, the type a cursor value is cast back to, and
    /// whether it can be NULL. NULLs sort as PostgreSQL sorts them, after every value: last
    /// ascending, first descending, so that one B-tree index on the key serves both directions.
    private struct SortKey {
        var expression: String
        var sqlType: String
        var isNullable: Bool
        var descending: Bool
    }

    /// The values a statement binds, numbered after the scope's.
    private struct Parameters {
        var bindings: PostgresBindings
        var count: Int

        /// Binds `value` and answers its placeholder (`$3`).
        mutating func bind(_ value: some PostgresNonThrowingEncodable & Sendable) -> String {
            bindings.append(value)
            count += 1
            return "$\(count)"
        }
    }

    /// The SQL and bindings of `request`: the page (with the sort keys' text appended to each
    /// row, for the next cursor), or with `counting`, the number of matching rows.
    func statement(
        for request: ListRequest, scope rows: some ResourceScope, counting: Bool
    ) -> (sql: String, bindings: PostgresBindings) {
        var parameters = Parameters(
            bindings: PostgresBindings(capacity: scopeParameterCount + request.filters.count + 6), count: scopeParameterCount
        )
        rows.bind(into: &parameters.bindings)

        var conditions = [scope]
        if softDelete {
            switch request.deleted {
            case .exclude: conditions.append("deleted_at IS NULL")
            case .only: conditions.append("deleted_at IS NOT NULL")
            case .include: break
            }
        }
        for filter in request.filters {
            conditions.append(condition(filter, &parameters))
        }
        var searchQuery = ""
        if let search, let words = request.search {
            searchQuery = "websearch_to_tsquery('\(search.language)', \(parameters.bind(words)))"
            conditions.append("(\(search.document)) @@ \(searchQuery)")
        }

        if counting {
            return ("SELECT count(*) FROM \(table) WHERE \(conditions.joined(separator: " AND "))", parameters.bindings)
        }

        let keys = request.sort.map { order in
            if order == Self.rankOrder, let search {
                return SortKey(
                    expression: "ts_rank(\(search.document), \(searchQuery))", sqlType: "real", isNullable: false,
                    descending: true
                )
            }
            let field = fields[order.key]
            return SortKey(
                expression: order.key, sqlType: field?.sqlType ?? "text", isNullable: field?.isNullable ?? false,
                descending: order.descending
            )
        }
        let idDescending = keys.first?.descending ?? false
        if let cursor = request.cursor, request.page == nil {
            conditions.append(after(cursor, keys: keys, idDescending: idDescending, &parameters))
        }
        // Aliased: a bare `created_at::text` would be a second `created_at` to ORDER BY.
        let cursorColumns = keys.enumerated().map { ", (\($1.expression))::text AS cursor_\($0)" }.joined()
        let order = keys.map { key in
            key.expression + (key.descending ? " DESC" : " ASC")
        } + ["id" + (idDescending ? " DESC" : " ASC")]
        let limit = parameters.bind(request.limit + 1)
        var sql = "SELECT \(columns)\(request.page == nil ? cursorColumns : "") FROM \(table) WHERE \(conditions.joined(separator: " AND "))"
            + " ORDER BY \(order.joined(separator: ", ")) LIMIT \(limit)"
        if let page = request.page { sql += " OFFSET \(parameters.bind((page - 1) * request.limit))" }
        return (sql, parameters.bindings)
    }

    private func condition(_ filter: ListRequest.Filter, _ parameters: inout Parameters) -> String {
        let column = filter.field.name
        let type = filter.field.sqlType
        switch (filter.operator, filter.value) {
        case (.isNull, .flag(let isNull)):
            return "\(column) IS \(isNull ? "" : "NOT ")NULL"
        case (.in, .many(let values)):
            // The values bind as one array, so any number of them shares one statement.
            return "\(column) = ANY(\(parameters.bind(values))::\(type)[])"
        case (.contains, .one(let pattern)), (.startsWith, .one(let pattern)):
            return "\(column) ILIKE \(parameters.bind(pattern))"
        case (let comparison, .one(let value)):
            let symbol = switch comparison {
            case .gt: ">"
            case .gte: ">="
            case .lt: "<"
            case .lte: "<="
            default: "="
            }
            return "\(column) \(symbol) \(parameters.bind(value))::\(type)"
        default:
            preconditionFailure("ListRequest pairs every operator with its kind of value")
        }
    }

    /// The rows after `cursor` in the order of `keys`, then the id.
    ///
    /// When every key is NOT NULL and runs in the id's direction, a row comparison
    /// (`(a, b, id) < ($1, $2, $3)`) says it and an index on the keys serves it. Otherwise the
    /// condition spells out each level: after on the first key, or equal on it and after on the
    /// second, and so on, NULLs being after every value.
    private func after(
        _ cursor: Cursor, keys: [SortKey], idDescending: Bool, _ parameters: inout Parameters
    ) -> String {
        let idComparison = idDescending ? "<" : ">"
        let simple = keys.allSatisfy { !$0.isNullable && $0.descending == idDescending }
            && cursor.values.allSatisfy { $0 != nil }
        if simple {
            var values: [String] = []
            for (key, value) in zip(keys, cursor.values) {
                values.append("\(parameters.bind(value ?? ""))::\(key.sqlType)")
            }
            values.append(parameters.bind(cursor.id))
            let left = (keys.map(\.expression) + ["id"]).joined(separator: ", ")
            return "(\(left)) \(idComparison) (\(values.joined(separator: ", ")))"
        }
        var equalSoFar: [String] = []
        var alternatives: [String] = []
        for (key, value) in zip(keys, cursor.values) {
            guard let value else {
                // The cursor row is among the NULLs: ascending they come last, so nothing is after
                // it on this key; descending they come first, so every value is.
                if key.descending { alternatives.append((equalSoFar + ["\(key.expression) IS NOT NULL"]).joined(separator: " AND ")) }
                equalSoFar.append("\(key.expression) IS NULL")
                continue
            }
            let placeholder = "\(parameters.bind(value))::\(key.sqlType)"
            var afterKey = "\(key.expression) \(key.descending ? "<" : ">") \(placeholder)"
            // Ascending, the NULLs follow every value.
            if key.isNullable && !key.descending { afterKey = "(\(afterKey) OR \(key.expression) IS NULL)" }
            alternatives.append((equalSoFar + [afterKey]).joined(separator: " AND "))
            equalSoFar.append("\(key.expression) = \(placeholder)")
        }
        alternatives.append((equalSoFar + ["id \(idComparison) \(parameters.bind(cursor.id))"]).joined(separator: " AND "))
        return "(" + alternatives.map { "(\($0))" }.joined(separator: " OR ") + ")"
    }
}

/// One page of a list, rendered as `{"data": [...], "meta": {"has_more", "next_cursor", "limit"}}`
/// (and `total` when counted), or for an offset page `{"has_more", "page", "per_page", "total"}`.
public struct Page<Item: Sendable>: Sendable {
    public var items: [Item]
    public var nextCursor: Cursor?
    public var limit: Int
    /// The number of matching rows, when the request asked for `count=exact`.
    public var total: Int?
    /// The page number of an offset page, from 1; nil for a cursor page.
    public var number: Int?
    /// Whether another page follows.
    public var hasMore: Bool

    public init(items: [Item], nextCursor: Cursor?, limit: Int, total: Int? = nil, number: Int? = nil, hasMore: Bool? = nil) {
        self.items = items
        self.nextCursor = nextCursor
        self.limit = limit
        self.total = total
        self.number = number
        self.hasMore = hasMore ?? (nextCursor != nil)
    }
}
