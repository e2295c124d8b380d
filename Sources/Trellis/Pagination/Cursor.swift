import Foundation
import NIOCore

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

    private struct Payload: Decodable {
        var s: String
        var v: [String?]
        var i: UUID
    }

    /// Nil for anything this type did not encode, or a cursor whose values do not match its sort.
    public init?(encoded: String) {
        guard encoded.utf8.count <= 4096, let json = Base64URL.decode(encoded),
            let payload = try? JSONDecoder().decode(Payload.self, from: Data(json)),
            let sort = SortOrder.list(payload.s), sort.count == payload.v.count
        else { return nil }
        self.init(sort: sort, values: payload.v, id: payload.i)
    }

    /// `{"s":"-due_on,title","v":["2026-01-02",null],"i":"<id>"}` in base64url.
    public var encoded: String {
        var json = ByteBuffer()
        json.writeStaticString(#"{"s":"#)
        json.writeJSONString(SortOrder.description(of: sort))
        json.writeStaticString(#","v":["#)
        for (index, value) in values.enumerated() {
            if index > 0 { json.writeStaticString(",") }
            if let value { json.writeJSONString(value) } else { json.writeStaticString("null") }
        }
        json.writeStaticString(#"],"i":"#)
        json.writeJSON(id)
        json.writeStaticString("}")
        return Base64URL.encode(json.readableBytesView)
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
