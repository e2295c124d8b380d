import Foundation

/// An opaque position in a sorted list: the sort it was made for, the last row's value of each
/// sort key (PostgreSQL's own text form, so it round-trips exactly; nil for NULL) and the last
/// row's id.
///
/// Encoded as base64url JSON; clients must treat it as opaque.
public struct Cursor: Sendable, Hashable {
    public var sort: [SortOrder]
    public var values: [String?]
    public var id: UUID

    public init(sort: [SortOrder], values: [String?], id: UUID) {
        self.sort = sort
        self.values = values
        self.id = id
    }

    /// A cursor of a one-key sort.
    public init(sort: SortOrder, value: String, id: UUID) {
        self.init(sort: [sort], values: [value], id: id)
    }

    private struct Payload: Codable {
        var s: String
        var v: [String?]
        var i: UUID
    }

    /// Nil for anything this type did not encode, or a cursor whose values do not match its sort.
    public init?(encoded: String) {
        guard encoded.utf8.count <= 4096 else { return nil }
        var base64 = encoded.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        guard let data = Data(base64Encoded: base64),
            let payload = try? JSONDecoder().decode(Payload.self, from: data),
            let sort = SortOrder.list(payload.s), sort.count == payload.v.count
        else { return nil }
        self.init(sort: sort, values: payload.v, id: payload.i)
    }

    public var encoded: String {
        let payload = Payload(s: SortOrder.description(of: sort), v: values, i: id)
        let data = (try? JSONEncoder().encode(payload)) ?? Data()
        return data.base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
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

    public init?(_ text: some StringProtocol) {
        let descending = text.hasPrefix("-")
        let key = descending ? String(text.dropFirst()) : String(text)
        guard !key.isEmpty else { return nil }
        self.init(key: key, descending: descending)
    }

    public var description: String { descending ? "-\(key)" : key }

    /// `-due_on,title` as its keys; nil when a key is empty.
    public static func list(_ text: some StringProtocol) -> [SortOrder]? {
        var orders: [SortOrder] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            guard let order = SortOrder(part) else { return nil }
            orders.append(order)
        }
        return orders.isEmpty ? nil : orders
    }

    /// The keys written as a query's `sort` value: `-due_on,title`.
    public static func description(of orders: [SortOrder]) -> String {
        orders.map(\.description).joined(separator: ",")
    }
}
