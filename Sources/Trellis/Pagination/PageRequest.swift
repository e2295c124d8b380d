import Foundation
import Hummingbird

/// `?limit=&cursor=&sort=` of a list request, validated against the resource's pagination spec.
public struct PageRequest: Sendable, Hashable {
    public var limit: Int
    public var sort: SortOrder
    /// The position to continue after; nil for the first page.
    public var cursor: Cursor?
    /// True when a cursor was given but cannot be used (undecodable, or made for another sort):
    /// such a request answers an empty page, as the API contract says.
    public var cursorIsStale: Bool

    /// The query parameters a list accepts: `limit`, `cursor`, `sort`, and `others` (a list's
    /// filters, say). A list handler passes them to
    /// ``Hummingbird/Request/rejectUnknownQueryParameters(accepting:)``; keep them in a
    /// `static let` rather than building them per request.
    public static func queryParameters(adding others: Set<String> = []) -> Set<String> {
        others.union(["limit", "cursor", "sort"])
    }

    /// Reads the page parameters of `request`'s query (other parameters are not its business:
    /// see ``queryParameters(adding:)``).
    ///
    /// - Throws: 422 for a `limit` outside `1...maxLimit` or a `sort` key that is not allowed.
    public init(
        request: Request, defaultLimit: Int, maxLimit: Int, sortKeys: [String], defaultSort: SortOrder
    ) throws(APIError) {
        let parameters = request.uri.queryParameters
        if let raw = parameters["limit"] {
            guard let limit = Int(String(raw)), (1...maxLimit).contains(limit) else {
                throw APIError.validation(["limit": ["must be an integer between 1 and \(maxLimit)"]])
            }
            self.limit = limit
        } else {
            self.limit = defaultLimit
        }
        if let raw = parameters["sort"] {
            guard let order = SortOrder(String(raw)), sortKeys.contains(order.key) else {
                let allowed = sortKeys.flatMap { [$0, "-\($0)"] }.joined(separator: ", ")
                throw APIError.validation(["sort": ["must be one of: \(allowed)"]])
            }
            self.sort = order
        } else {
            self.sort = defaultSort
        }
        self.cursor = nil
        self.cursorIsStale = false
        if let raw = parameters["cursor"], !raw.isEmpty {
            if let cursor = Cursor(encoded: String(raw)), cursor.sort == sort {
                self.cursor = cursor
            } else {
                self.cursorIsStale = true
            }
        }
    }
}

/// A sort key and direction, written `key` (ascending) or `-key` (descending) in the query.
public struct SortOrder: Sendable, Hashable, CustomStringConvertible {
    public var key: String
    public var descending: Bool

    public init(key: String, descending: Bool) {
        self.key = key
        self.descending = descending
    }

    public init?(_ text: String) {
        let descending = text.hasPrefix("-")
        let key = descending ? String(text.dropFirst()) : text
        guard !key.isEmpty else { return nil }
        self.init(key: key, descending: descending)
    }

    public var description: String { descending ? "-\(key)" : key }
}
