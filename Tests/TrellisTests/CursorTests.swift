import Foundation
import Testing

@testable import Trellis

@Suite struct CursorTests {
    static let id = UUID(uuidString: "0193a5c8-0000-7000-8000-b40000000001")!

    /// Values are PostgreSQL's text of the sort keys: any text at all, or NULL.
    @Test(arguments: [
        ["2026-01-02 03:04:05+00"], ["a \"quoted\" \\ back\\slash"], ["line\nbreak\ttab\u{1}control"], ["émoji 🌱, ünïcode"],
        [nil, "2026-01-02"], ["", nil],
    ] as [[String?]])
    func roundTrips(values: [String?]) throws {
        let sort = (0..<values.count).map { SortOrder(key: "key_\($0)", descending: $0 % 2 == 0) }
        let cursor = Cursor(sort: sort, values: values, id: Self.id)
        let encoded = cursor.encoded
        #expect(encoded.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }, "URL-safe: \(encoded)")
        #expect(Cursor(encoded: encoded) == cursor)
    }

    /// A cursor handed out before cursors were written by hand (Foundation's JSONEncoder: the id
    /// upper case, `/` escaped) still continues its list.
    @Test func readsCursorsOfTheFoundationEncoder() throws {
        struct Payload: Encodable {
            var s: String
            var v: [String?]
            var i: UUID
        }
        let json = try JSONEncoder().encode(Payload(s: "-due_on,title", v: [nil, "a/b"], i: Self.id))
        let encoded = Base64URL.encode(Array(json))
        let cursor = try #require(Cursor(encoded: encoded))
        #expect(cursor.sort == [SortOrder(key: "due_on", descending: true), SortOrder(key: "title", descending: false)])
        #expect(cursor.values == [nil, "a/b"])
        #expect(cursor.id == Self.id)
    }

    @Test(arguments: ["", "not base64!", "eyJzIjoiIn0", Base64URL.encode(Array(#"{"s":"a,b","v":["x"],"i":"0193a5c8-0000-7000-8000-b40000000001"}"#.utf8))])
    func refusesWhatItDidNotWrite(text: String) {
        #expect(Cursor(encoded: text) == nil)
    }
}
