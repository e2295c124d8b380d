import Foundation
import Testing
import Trellis

extension ResourceChecks {
    /// Walking the list two rows a page in `sort` order (`key`, `-key`, or several keys separated
    /// by commas) shows every row exactly once, ordered by the keys' values (then by id) in their
    /// directions, over more than two pages, even though a row is inserted after the first page;
    /// an organization's pages show its rows only. Where the first key is nullable, some rows have
    /// no value for it: they sort after every value, then by the other keys.
    public func paginates(sort: String, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        try await session("pagination/\(sort)") { session in
            let home = session.home
            let lister = try actor(for: .list, in: home)
            var rows: [Row] = []
            // A nullable sort key gets rows without a value too, which sort after every value.
            let orders = Trellis.SortOrder.list(sort) ?? [Trellis.SortOrder(key: sort, descending: false)]
            let first = orders[0].key
            let empty: [String: JSONValue] = contract.field(first)?.nullable == true ? [first: .null] : [:]
            for row in 0..<5 {
                rows.append(try await create(row: row, in: home, session: session, overrides: row.isMultiple(of: 2) ? [:] : empty))
            }
            let ours = Set(rows.map(\.id))
            let expected = rows.sorted { precedes($0.data, $1.data, in: orders) }.map(\.id)

            var seen: [String] = []
            var previous: JSONValue?
            var pages = 0
            var inserted: String?
            while let paging = pageQuery(size: 2, after: previous) {
                let query = "\(paging)&sort=\(sort.queryEncoded)"
                let response = try await session.client.send(.get, "\(path)?\(query)", as: lister)
                guard expect(response.status == .ok, "Pagination broken", "\(response.summary), expected 200", at: sourceLocation) else { return }
                let sizeKey = contract.offsetPages ? "per_page" : "limit"
                guard let items = response.data?.arrayValue, let meta = response.json?["meta"], let hasMore = meta["has_more"],
                    meta[sizeKey] == .integer(2)
                else {
                    expect(false, "Pagination broken", "page \(pages + 1) (sort=\(sort)) is not a list page of \(sizeKey) 2: \(response.summary)", at: sourceLocation)
                    return
                }
                seen += items.compactMap { $0["id"]?.stringValue }
                if contract.offsetPages {
                    expect(meta["page"] == .integer(Int64(pages + 1)), "Pagination broken", "page \(pages + 1) says it is \(meta.jsonText)", at: sourceLocation)
                } else {
                    let cursor = meta["next_cursor"]?.stringValue
                    expect(
                        hasMore == .bool(cursor != nil), "Pagination broken",
                        "page \(pages + 1) (sort=\(sort)) says has_more \(hasMore.jsonText) with next_cursor \(cursor ?? "null")", at: sourceLocation
                    )
                }
                previous = meta
                pages += 1
                // Cursor pages stay exact while rows come; numbered pages shift, by their nature.
                if pages == 1 && !contract.offsetPages { inserted = try await create(row: 5, in: home, session: session, overrides: empty).id }
                guard pages < 10_000 else {
                    expect(false, "Pagination broken", "the pages (sort=\(sort)) did not end after 10,000", at: sourceLocation)
                    return
                }
            }

            // Rows of other tests may come and go in a shared table: only this test's rows count.
            let counted = seen.filter { ours.contains($0) || $0 == inserted }
            var counts: [String: Int] = [:]
            for id in counted { counts[id, default: 0] += 1 }
            let repeated = counts.filter { $0.value > 1 }.keys.sorted()
            expect(repeated.isEmpty, "Pagination broken", "rows repeat across pages (sort=\(sort)): \(repeated)", at: sourceLocation)
            let missed = expected.filter { counts[$0] == nil }
            expect(missed.isEmpty, "Pagination broken", "rows are missing from the pages (sort=\(sort)): \(missed)", at: sourceLocation)
            let paged = seen.filter(ours.contains)
            if missed.isEmpty && repeated.isEmpty {
                expect(paged == expected, "Pagination broken", "the pages (sort=\(sort)) order the rows \(paged); by their values they are \(expected)", at: sourceLocation)
            }
            if contract.tenancy == .organization {
                let foreign = seen.filter { !ours.contains($0) && $0 != inserted }
                expect(foreign.isEmpty, "Tenancy leak", "an organization's pages (sort=\(sort)) show rows it did not make: \(foreign)", at: sourceLocation)
                expect(pages >= 3, "Pagination broken", "\(counted.count) rows two a page (sort=\(sort)) came in \(pages) pages", at: sourceLocation)
                if contract.offsetPages {
                    expect(previous?["total"] == .integer(Int64(rows.count)), "Pagination broken", "the total of \(rows.count) rows is \(previous?["total"]?.jsonText ?? "missing")", at: sourceLocation)
                }
            }
        }
    }

    /// Whether `first` comes before `second` in `orders`: by each key's value in its direction
    /// (PostgreSQL's order for its type, NULL after every value), then by id in the first key's
    /// direction.
    func precedes(_ first: JSONValue, _ second: JSONValue, in orders: [Trellis.SortOrder]) -> Bool {
        for order in orders {
            let (a, b) = (first[order.key] ?? .null, second[order.key] ?? .null)
            // NULL after every value: last ascending, first descending.
            if (a == .null) != (b == .null) { return order.descending ? a == .null : b == .null }
            let comparison = compare(a, b, key: order.key)
            if comparison != .orderedSame {
                return order.descending ? comparison == .orderedDescending : comparison == .orderedAscending
            }
        }
        let byID = compare(first["id"] ?? .null, second["id"] ?? .null, key: "id")
        return orders.first?.descending == true ? byID == .orderedDescending : byID == .orderedAscending
    }

    /// How PostgreSQL orders two values of the field `key` (NULL after every value).
    func compare(_ first: JSONValue, _ second: JSONValue, key: String) -> ComparisonResult {
        switch (first, second) {
        case (.null, .null): return .orderedSame
        case (.null, _): return .orderedDescending
        case (_, .null): return .orderedAscending
        case (.integer(let a), .integer(let b)): return a == b ? .orderedSame : (a < b ? .orderedAscending : .orderedDescending)
        case (.bool(let a), .bool(let b)): return a == b ? .orderedSame : (!a ? .orderedAscending : .orderedDescending)
        case (.string(let a), .string(let b)):
            let kind = contract.field(key)?.kind
            if case .decimal = kind {
                let (x, y) = (Decimal(string: a) ?? 0, Decimal(string: b) ?? 0)
                return x == y ? .orderedSame : (x < y ? .orderedAscending : .orderedDescending)
            }
            if kind == .datetime || (kind == nil && (key == "created_at" || key == "updated_at")),
                let x = Timestamp(rfc3339: a), let y = Timestamp(rfc3339: b)
            {
                return x == y ? .orderedSame : (x < y ? .orderedAscending : .orderedDescending)
            }
            // Text: the fixtures of one test differ only in ASCII digits after a shared prefix,
            // which every collation orders alike; dates and UUIDs order as their text does.
            return a == b ? .orderedSame : (a.unicodeScalars.lexicographicallyPrecedes(b.unicodeScalars) ? .orderedAscending : .orderedDescending)
        default: return .orderedSame
        }
    }
}
