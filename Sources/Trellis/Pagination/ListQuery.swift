import Foundation
import Logging
import PostgresNIO

/// Keyset pagination over `(sort column, id)` for one table.
///
/// The SQL of every sort key and direction, with and without a cursor, is built once when the
/// generated code creates the query (at start-up), never per request.
public struct ListQuery: Sendable {
    /// A column a client may sort by, with the SQL type its cursor value is cast back to.
    public struct SortColumn: Sendable {
        public var key: String
        public var sqlType: String

        public init(_ key: String, sqlType: String) {
            self.key = key
            self.sqlType = sqlType
        }
    }

    private struct Variant: Hashable {
        var sort: SortOrder
        var hasCursor: Bool
    }

    private let statements: [Variant: String]
    public let sortKeys: [String]

    /// - Parameters:
    ///   - table: the table to list.
    ///   - columns: the selected columns, in the order the model decodes them.
    ///   - scope: the WHERE condition every row must meet, using `$1`...`$scopeParameterCount`
    ///     for the values the ``ResourceScope`` binds.
    public init(table: String, columns: String, scope: String, scopeParameterCount: Int, sortColumns: [SortColumn]) {
        var statements: [Variant: String] = [:]
        let cursorValue = "$\(scopeParameterCount + 1)"
        let cursorID = "$\(scopeParameterCount + 2)"
        for column in sortColumns {
            for descending in [false, true] {
                let sort = SortOrder(key: column.key, descending: descending)
                let direction = descending ? "DESC" : "ASC"
                let comparison = descending ? "<" : ">"
                let head = "SELECT \(columns), \(column.key)::text AS cursor_value FROM \(table) WHERE \(scope)"
                let order: String
                let after: String
                if column.key == "id" {
                    order = "ORDER BY id \(direction)"
                    after = "id \(comparison) \(cursorID)"
                } else {
                    order = "ORDER BY \(column.key) \(direction), id \(direction)"
                    after = "(\(column.key), id) \(comparison) (\(cursorValue)::\(column.sqlType), \(cursorID))"
                }
                statements[Variant(sort: sort, hasCursor: false)] =
                    "\(head) \(order) LIMIT \(cursorValue)"
                statements[Variant(sort: sort, hasCursor: true)] =
                    "\(head) AND \(after) \(order) LIMIT $\(scopeParameterCount + 3)"
            }
        }
        self.statements = statements
        self.sortKeys = sortColumns.map(\.key)
    }

    /// One page of the rows `scope` may reach: its values fill the scope condition's parameters.
    ///
    /// Fetches one row more than asked to learn whether another page follows.
    public func page<Item: Sendable>(
        _ request: PageRequest, scope: some ResourceScope, on client: PostgresClient, logger: Logger,
        decode: (PostgresRandomAccessRow) throws -> Item, id: (Item) -> UUID
    ) async throws -> Page<Item> {
        if request.cursorIsStale { return Page(items: [], nextCursor: nil, limit: request.limit) }
        var bindings = PostgresBindings()
        scope.bind(into: &bindings)
        let variant = Variant(sort: request.sort, hasCursor: request.cursor != nil)
        guard let sql = statements[variant] else {
            throw APIError.validation(["sort": ["must be one of: \(sortKeys.joined(separator: ", "))"]])
        }
        if let cursor = request.cursor {
            bindings.append(cursor.value)
            bindings.append(cursor.id)
        }
        bindings.append(request.limit + 1)
        do {
            return try await fetch(PostgresQuery(unsafeSQL: sql, binds: bindings), request, on: client, logger: logger, decode: decode, id: id)
        } catch let error as PSQLError where request.cursor != nil && Self.refusedValueStates.contains(error.serverInfo?[.sqlState] ?? "") {
            // PostgreSQL refused the cursor's value for the sort column (the cursor was edited, or
            // made before a type change): an unusable cursor, which answers an empty page.
            logger.notice("unusable cursor", metadata: ["sqlstate": "\(error.serverInfo?[.sqlState] ?? "")"])
            return Page(items: [], nextCursor: nil, limit: request.limit)
        }
    }

    /// What PostgreSQL answers when a cursor's text does not cast to the sort column's type:
    /// invalid text representation, invalid datetime format, datetime out of range, numeric value
    /// out of range, untranslatable character (NUL).
    static let refusedValueStates: Set<String> = ["22P02", "22007", "22008", "22003", "22021", "22P05"]

    private func fetch<Item: Sendable>(
        _ query: PostgresQuery, _ request: PageRequest, on client: PostgresClient, logger: Logger,
        decode: (PostgresRandomAccessRow) throws -> Item, id: (Item) -> UUID
    ) async throws -> Page<Item> {
        let rows = try await client.query(query, logger: logger)
        var items: [Item] = []
        items.reserveCapacity(request.limit + 1)
        var lastSortValue = ""
        for try await row in rows {
            let cells = row.makeRandomAccess()
            if items.count == request.limit {
                // The extra row only tells that more follow.
                return Page(
                    items: items, nextCursor: items.last.map { Cursor(sort: request.sort, value: lastSortValue, id: id($0)) },
                    limit: request.limit
                )
            }
            items.append(try decode(cells))
            lastSortValue = try cells[cells.count - 1].decode(String.self)
        }
        return Page(items: items, nextCursor: nil, limit: request.limit)
    }
}

/// One page of a list, rendered as `{"data": [...], "meta": {"has_more", "next_cursor", "limit"}}`.
public struct Page<Item: Sendable>: Sendable {
    public var items: [Item]
    public var nextCursor: Cursor?
    public var limit: Int

    public init(items: [Item], nextCursor: Cursor?, limit: Int) {
        self.items = items
        self.nextCursor = nextCursor
        self.limit = limit
    }
}
