import Testing

@testable import Trellis

/// RFC 9110 §13.1: `If-Match` compares strongly, `If-None-Match` weakly; `*` and lists.
@Suite struct EntityTagTests {
    @Test func theTagIsTheVersionQuoted() {
        #expect(EntityTag.of(version: 3) == "\"3\"")
    }

    @Test(arguments: [
        (["\"3\""], true), (["*"], true), (["\"9\", \"3\""], true), (["\"9\"", "\"3\""], true), ([" \"3\" "], true),
        (["W/\"3\""], false), (["\"2\""], false), (["3"], false), ([""], false),
    ])
    func ifMatchComparesStrongly(fields: [String], holds: Bool) {
        #expect(EntityTag.ifMatch(fields, version: 3) == holds)
    }

    @Test(arguments: [
        (["\"3\""], true), (["W/\"3\""], true), (["*"], true), (["\"1\", W/\"3\""], true),
        (["\"2\""], false), (["W/\"2\""], false), (["3"], false),
    ])
    func ifNoneMatchComparesWeakly(fields: [String], names: Bool) {
        #expect(EntityTag.ifNoneMatch(fields, version: 3) == names)
    }
}
