import Foundation

/// An opaque position in a sorted list: the sort it was made for, the last row's sort value
/// (PostgreSQL's own text form, so it round-trips exactly) and the last row's id.
///
/// Encoded as base64url JSON; clients must treat it as opaque.
public struct Cursor: Sendable, Hashable {
    public var sort: SortOrder
    public var value: String
    public var id: UUID

    public init(sort: SortOrder, value: String, id: UUID) {
        self.sort = sort
        self.value = value
        self.id = id
    }

    private struct Payload: Codable {
        var s: String
        var v: String
        var i: UUID
    }

    public init?(encoded: String) {
        var base64 = encoded.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        guard encoded.count <= 1024, let data = Data(base64Encoded: base64),
            let payload = try? JSONDecoder().decode(Payload.self, from: data),
            let sort = SortOrder(payload.s)
        else { return nil }
        self.init(sort: sort, value: payload.v, id: payload.i)
    }

    public var encoded: String {
        let payload = Payload(s: sort.description, v: value, i: id)
        let data = (try? JSONEncoder().encode(payload)) ?? Data()
        return data.base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
