import Foundation
import Testing
import Trellis

extension ResourceChecks {
    /// Walking the list two rows a page in `sort` order (`key` or `-key`) shows every row exactly
    /// once, in the order one big page shows them, over more than two pages, even though a row is
    /// inserted after the first page.
    public func paginates(sort: String, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        try await session("pagination/\(sort)") { session in
            let home = session.home
            let lister = try actor(for: .list, in: home)
            var mine: [String] = []
            for row in 0..<5 { mine.append(try await create(row: row, in: home, session: session).id) }
            let ours = Set(mine)
            let order = try await listIDs(as: lister, sort: sort, session: session).filter(ours.contains)
            expect(order.count == mine.count, "List broken", "one page (sort=\(sort)) shows \(order.count) of the \(mine.count) rows made", at: sourceLocation)

            var seen: [String] = []
            var cursor: String?
            var pages = 0
            repeat {
                let query = "limit=2&sort=\(sort)" + (cursor.map { "&cursor=\($0)" } ?? "")
                let response = try await session.client.send(.get, "\(path)?\(query)", as: lister)
                guard expect(response.status == .ok, "Pagination broken", "\(response.summary), expected 200", at: sourceLocation),
                    let items = response.data?.arrayValue, let meta = response.json?["meta"]
                else { return }
                seen += items.compactMap { $0["id"]?.stringValue }
                cursor = meta["next_cursor"]?.stringValue
                expect(
                    meta["has_more"] == .bool(cursor != nil), "Pagination broken",
                    "page \(pages + 1) (sort=\(sort)) says has_more \(meta["has_more"]?.jsonText ?? "missing") with next_cursor \(cursor ?? "null")", at: sourceLocation
                )
                pages += 1
                if pages == 1 { _ = try await create(row: 5, in: home, session: session) }
                if pages > 10_000 { break }
            } while cursor != nil

            var counts: [String: Int] = [:]
            for id in seen { counts[id, default: 0] += 1 }
            let repeated = counts.filter { $0.value > 1 }.keys.sorted()
            expect(repeated.isEmpty, "Pagination broken", "rows repeat across pages (sort=\(sort)): \(repeated)", at: sourceLocation)
            let missed = mine.filter { counts[$0] == nil }
            expect(missed.isEmpty, "Pagination broken", "rows are missing from the pages (sort=\(sort)): \(missed)", at: sourceLocation)
            let paged = seen.filter(ours.contains)
            if missed.isEmpty && repeated.isEmpty {
                expect(paged == order, "Pagination broken", "the pages (sort=\(sort)) order the rows \(paged), one page orders them \(order)", at: sourceLocation)
            }
            if contract.tenancy == .organization {
                expect(pages >= 3, "Pagination broken", "6 rows two a page (sort=\(sort)) came in \(pages) pages", at: sourceLocation)
            }
        }
    }
}
