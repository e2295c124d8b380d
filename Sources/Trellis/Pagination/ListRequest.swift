import Foundation
import Hummingbird

/// The query of a list request, read and checked against what the resource's spec allows:
/// `limit`, `cursor`, `sort`, the declared filters, `q`, `include`, `deleted` and `count`.
///
/// Everything else is a 422 naming the parameter, as is a parameter given twice: a list that
/// ignored a parameter would let a client believe it had filtered.
public struct ListRequest: Sendable {
    public var limit: Int
    /// The sort keys in order; the id always breaks ties.
    public var sort: [SortOrder]
    /// The position to continue after; nil for the first page.
    public var cursor: Cursor?
    /// True when a cursor was given but cannot be used (undecodable, or made for another sort):
    /// such a request answers an empty page, as the API contract says.
    public var cursorIsStale: Bool
    /// The filters, ordered by parameter name so that equal requests share a statement.
    public var filters: [Filter]
    /// `?q=`: the words to search for.
    public var search: String?
    /// `?include=`: the relations to embed, in the order given.
    public var includes: [String]
    public var deleted: DeletedRows
    /// `?count=exact`: the answer's `meta.total` counts every matching row (always, for offset
    /// pages).
    public var countsTotal: Bool
    /// `?page=`, from 1, for a resource with offset pages; nil for cursor pages.
    public var page: Int?

    /// One filter: `?due_on__gte=2026-01-01`.
    public struct Filter: Sendable {
        public var field: ListField
        public var `operator`: FilterOperator
        public var value: Value

        public enum Value: Sendable {
            /// A checked value, in the text form PostgreSQL casts to the field's type.
            case one(String)
            /// The values of `in`.
            case many([String])
            /// `is_null=true|false`.
            case flag(Bool)
        }
    }

    /// Which rows of a soft-deleted resource a list shows: `?deleted=only|include`.
    public enum DeletedRows: String, Sendable {
        case exclude
        case only
        case include
    }


    /// Reads `request`'s query for a list of `query`'s resource.
    ///
    /// - Parameters:
    ///   - includes: the relations `?include=` may name.
    ///   - principal: the caller, whom `me` stands for in a filter on a user ref.
    /// - Throws: 422 naming each parameter that is unknown, repeated or invalid.
    public init(
        request: Request, query: ListQuery, pagination: ResourcePagination, includes allowedIncludes: Set<String>,
        principal: Principal
    ) throws(APIError) {
        var problems: [String: [String]] = [:]
        var values: [String: String] = [:]
        let paging = pagination.style == .offset ? Self.offsetParameters : Self.cursorParameters
        for (rawName, rawValue) in request.uri.queryParameters {
            let name = String(rawName)
            if name.isEmpty && rawValue.isEmpty { continue }  // a bare `&`
            guard paging.contains(name) || query.accepts(name, includes: !allowedIncludes.isEmpty) else {
                problems[name] = ["is not a known query parameter"]
                continue
            }
            guard values.updateValue(String(rawValue), forKey: name) == nil else {
                problems[name] = ["must be given once"]
                continue
            }
        }

        self.limit = pagination.defaultLimit
        let limitName = pagination.style == .offset ? "per_page" : "limit"
        if let raw = values[limitName] {
            if let limit = Int(raw), (1...pagination.maxLimit).contains(limit) {
                self.limit = limit
            } else {
                problems[limitName, default: []].append("must be an integer between 1 and \(pagination.maxLimit)")
            }
        }
        self.page = nil
        if pagination.style == .offset {
            self.page = 1
            if let raw = values["page"] {
                if let page = Int(raw), (1...ListLimits.maxPage).contains(page) {
                    self.page = page
                } else {
                    problems["page", default: []].append("must be an integer between 1 and \(ListLimits.maxPage)")
                }
            }
        }

        self.search = nil
        if let raw = values["q"] {
            if raw.isEmpty || raw.unicodeScalars.count > 200 || raw.contains("\u{0}") {
                problems["q", default: []].append("must be 1 to 200 characters of text")
            } else {
                self.search = raw
            }
        }

        self.sort = [search == nil ? pagination.defaultSort : ListQuery.rankOrder]
        if let raw = values["sort"] {
            if let orders = SortOrder.list(raw), orders.count <= ListLimits.maxSortKeys, orders.allSatisfy({ query.sortKeys.contains($0.key) })
            {
                self.sort = orders
            } else {
                let allowed = query.sortKeys.flatMap { [$0, "-\($0)"] }.joined(separator: ", ")
                problems["sort", default: []].append("must be up to \(ListLimits.maxSortKeys) keys separated by commas, each one of: \(allowed)")
            }
        }

        self.cursor = nil
        self.cursorIsStale = false
        if let raw = values["cursor"], !raw.isEmpty {
            if let cursor = Cursor(encoded: raw), cursor.sort == sort {
                self.cursor = cursor
            } else {
                self.cursorIsStale = true
            }
        }

        self.includes = []
        if let raw = values["include"] {
            let names = raw.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            if names.allSatisfy(allowedIncludes.contains), Set(names).count == names.count {
                self.includes = names
            } else {
                let allowed = allowedIncludes.sorted().joined(separator: ", ")
                problems["include", default: []].append("must be distinct names separated by commas, each one of: \(allowed)")
            }
        }

        self.deleted = .exclude
        if let raw = values["deleted"] {
            if let deleted = DeletedRows(rawValue: raw), deleted != .exclude {
                self.deleted = deleted
            } else {
                problems["deleted", default: []].append("must be one of: only, include")
            }
        }

        self.countsTotal = pagination.style == .offset
        if let raw = values["count"] {
            if raw == "exact" {
                self.countsTotal = true
            } else {
                problems["count", default: []].append("must be exact")
            }
        }

        self.filters = []
        for name in values.keys.sorted() {
            guard let (field, filterOperator) = query.filter(named: name) else { continue }
            do throws(FilterValueError) {
                let value = try Self.value(of: values[name]!, for: field, filterOperator, principal: principal)
                filters.append(Filter(field: field, operator: filterOperator, value: value))
            } catch {
                problems[name, default: []].append(error.message)
            }
        }

        if !problems.isEmpty { throw APIError.validation(problems) }
    }

    /// 0001-01-01T00:00:00Z ..< 10000-01-01T00:00:00Z.
    static let supportedTimes = Timestamp(microsecondsSinceEpoch: -62_135_596_800_000_000)..<Timestamp(microsecondsSinceEpoch: 253_402_300_800_000_000)

    static let cursorParameters: Set<String> = ["limit", "cursor"]
    static let offsetParameters: Set<String> = ["page", "per_page"]

    struct FilterValueError: Error {
        var message: String
    }

    private static func value(
        of text: String, for field: ListField, _ filterOperator: FilterOperator, principal: Principal
    ) throws(FilterValueError) -> Filter.Value {
        switch filterOperator {
        case .isNull:
            guard let flag = Bool(text) else { throw FilterValueError(message: "must be true or false") }
            return .flag(flag)
        case .in:
            let items = text.split(separator: ",", omittingEmptySubsequences: false)
            guard (1...ListLimits.maxInValues).contains(items.count) else {
                throw FilterValueError(message: "must be 1 to \(ListLimits.maxInValues) values separated by commas")
            }
            var values: [String] = []
            for item in items {
                do throws(FilterValueError) {
                    values.append(try checked(String(item), field.kind, principal: principal))
                } catch {
                    throw FilterValueError(message: "each value " + error.message)
                }
            }
            return .many(values)
        case .contains, .startsWith:
            guard !text.isEmpty, !text.contains("\u{0}") else {
                throw FilterValueError(message: "must be non-empty text")
            }
            let escaped = text.replacingOccurrences(of: "\\", with: "\\\\")
                .replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_")
            return .one(filterOperator == .contains ? "%\(escaped)%" : "\(escaped)%")
        case .eq, .gt, .gte, .lt, .lte:
            return .one(try checked(text, field.kind, principal: principal))
        }
    }

    /// `text` as PostgreSQL will read it for a field of `kind`, or why it cannot be.
    private static func checked(_ text: String, _ kind: ListField.Kind, principal: Principal) throws(FilterValueError) -> String {
        switch kind {
        case .string:
            guard !text.contains("\u{0}") else { throw FilterValueError(message: "must not contain NUL") }
            return text
        case .integer(let range):
            guard let number = Int64(text), range.contains(number) else {
                throw FilterValueError(message: "must be an integer between \(range.lowerBound) and \(range.upperBound)")
            }
            return String(number)
        case .decimal:
            guard text.utf8.count <= 100, Decimal.isPlainDecimal(text) else {
                throw FilterValueError(message: "must be a decimal number of at most 100 characters, like 12.50")
            }
            return text
        case .bool:
            guard let flag = Bool(text) else { throw FilterValueError(message: "must be true or false") }
            return String(flag)
        case .uuid:
            guard let id = UUID(uuidString: text) else { throw FilterValueError(message: "must be a UUID") }
            return id.lowercasedString
        case .userReference:
            if text == "me" { return principal.userID.lowercasedString }
            guard let id = UUID(uuidString: text) else { throw FilterValueError(message: "must be a UUID or me") }
            return id.lowercasedString
        case .date:
            guard let date = CalendarDate(text) else { throw FilterValueError(message: "must be a date, like 2026-01-31") }
            return date.description
        case .datetime:
            // Years 1 to 9999 in UTC: PostgreSQL has no year 0, which an offset could reach.
            guard let time = Timestamp(rfc3339: text), Self.supportedTimes.contains(time) else {
                throw FilterValueError(message: "must be an RFC 3339 date-time in years 1 to 9999, like 2026-01-31T09:30:00Z")
            }
            return time.rfc3339
        case .enumeration(let allowed):
            guard allowed.contains(text) else {
                throw FilterValueError(message: "must be one of: \(allowed.joined(separator: ", "))")
            }
            return text
        }
    }
}
