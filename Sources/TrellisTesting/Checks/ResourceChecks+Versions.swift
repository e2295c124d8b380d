import HTTPTypes
import Testing
import Trellis

extension ResourceChecks {
    /// Every row carries its version: 1 when created, answered as the `ETag` (`"1"`) of a create,
    /// a read and a change. `If-None-Match` with the current tag answers 304; with another, the
    /// row. A PATCH or DELETE whose `If-Match` names an older version answers 412 and changes
    /// nothing; with the current one it goes through and the version moves on. Two PATCHes sent at
    /// once with the same `If-Match`: one 200, one 412. Under `concurrency: required`, a PATCH or
    /// DELETE without `If-Match` answers 428.
    public func versionsRows(sourceLocation: SourceLocation = #_sourceLocation) async throws {
        try await session("versions") { session in
            let home = session.home
            let reader = try actor(for: .read, in: home)
            let row = try await create(row: 0, in: home, session: session)
            let path = "\(path)/\(row.id)"
            expect(row.data["version"] == .integer(1), "Version broken", "a new row answered version \(row.data["version"]?.jsonText ?? "nothing"); expected 1", at: sourceLocation)

            let read = try await session.client.send(.get, path, as: reader)
            expect(read.status == .ok && read.headers[.eTag] == "\"1\"", "ETag broken", "a read answered \(read.summary) with ETag \(read.headers[.eTag] ?? "none"); expected \"1\"", at: sourceLocation)
            let unchanged = try await session.client.send(.get, path, as: reader, headers: [.ifNoneMatch: "\"1\""])
            expect(
                unchanged.status == .notModified && unchanged.body.readableBytes == 0 && unchanged.headers[.eTag] == "\"1\"", "ETag broken",
                "a read with If-None-Match of the current version answered \(unchanged.summary); expected 304 without a body", at: sourceLocation
            )
            let stale = try await session.client.send(.get, path, as: reader, headers: [.ifNoneMatch: "\"7\""])
            expect(stale.status == .ok && stale.data == row.data, "ETag broken", "a read with If-None-Match of another version answered \(stale.summary); expected the row", at: sourceLocation)

            if contract.actions.contains(.update), let editor = try? actor(for: .update, in: home) {
                // One change that writes (a ref included), so that the version moves on.
                let all = try await changes(to: row, in: home, session: session)
                let change = all.min { $0.key < $1.key }.map { [$0.key: $0.value] } ?? [:]
                if contract.requiresIfMatch {
                    let bare = try await session.client.send(.patch, path, as: editor, json: .object(change), anyVersion: false)
                    expect(bare.status == .preconditionRequired && bare.errorCode == "precondition_required", "Concurrency broken", "a PATCH without If-Match answered \(bare.summary); expected 428", at: sourceLocation)
                }
                let first = try await session.client.send(.patch, path, as: editor, json: .object(change), headers: [.ifMatch: "\"1\""])
                expect(
                    first.status == .ok && first.data?["version"] == .integer(2) && first.headers[.eTag] == "\"2\"", "Concurrency broken",
                    "a PATCH with If-Match of the current version answered \(first.summary); expected 200 at version 2", at: sourceLocation
                )
                let late = try await session.client.send(.patch, path, as: editor, json: [:], headers: [.ifMatch: "\"1\""])
                expect(
                    late.status == .preconditionFailed && late.errorCode == "precondition_failed" && late.headers[.eTag] == "\"2\"", "Lost update",
                    "a PATCH with If-Match of an older version answered \(late.summary); expected 412 with the current ETag", at: sourceLocation
                )
                // Two writers who read version 2 both put the first values back: the first to lock
                // the row writes, the other is told it changed (the check comes before the
                // comparison that would make its PATCH a no-op).
                let revert = JSONValue.object(change.mapValues { _ in .null }.merging(
                    change.keys.compactMap { key in row.data[key].map { (key, $0) } }, uniquingKeysWith: { _, original in original }
                ))
                let both = try await session.client.sendAtOnce([
                    SpecClient.Request(.patch, path, as: editor, json: revert, headers: [.ifMatch: "\"2\""]),
                    SpecClient.Request(.patch, path, as: editor, json: revert, headers: [.ifMatch: "\"2\""]),
                ])
                let statuses = both.map(\.status.code).sorted()
                expect(statuses == [200, 412], "Lost update", "two PATCHes at once with the same If-Match answered \(statuses); expected one 200 and one 412", at: sourceLocation)
                let after = try await session.client.send(.get, path, as: reader)
                expect(after.data?["version"] == .integer(3), "Concurrency broken", "after those, the row is at \(after.summary); expected version 3", at: sourceLocation)
                // A PATCH that arrives while another writer holds the row waits for it, and then
                // sees the version that writer left: 412, however the two interleave.
                if let uuid = row.uuid {
                    let client = session.client
                    let raced = try await session.racingAWriter(on: contract.table, id: uuid) {
                        try await client.send(.patch, path, as: editor, json: .object(change), headers: [.ifMatch: "\"3\""])
                    }
                    expect(
                        raced.status == .preconditionFailed && raced.headers[.eTag] == "\"4\"", "Lost update",
                        "a PATCH with If-Match of the version another writer was changing answered \(raced.summary); expected 412 with ETag \"4\"",
                        at: sourceLocation
                    )
                }
            }

            if let remover = try? actor(for: .delete, in: home) {
                let version = try await session.client.send(.get, path, as: reader).data?["version"] ?? .integer(1)  // after the races
                if contract.requiresIfMatch {
                    let bare = try await session.client.send(.delete, path, as: remover, anyVersion: false)
                    expect(bare.status == .preconditionRequired, "Concurrency broken", "a DELETE without If-Match answered \(bare.summary); expected 428", at: sourceLocation)
                }
                let refused = try await session.client.send(.delete, path, as: remover, headers: [.ifMatch: "\"999\""])
                expect(refused.status == .preconditionFailed, "Lost update", "a DELETE with If-Match of another version answered \(refused.summary); expected 412", at: sourceLocation)
                let still = try await session.client.send(.get, path, as: reader)
                expect(still.status == .ok, "Lost update", "a refused DELETE removed the row: \(still.summary)", at: sourceLocation)
                let removed = try await session.client.send(.delete, path, as: remover, headers: [.ifMatch: "\"\(version.jsonText)\""])
                expect(removed.status == .noContent, "Concurrency broken", "a DELETE with If-Match of the current version answered \(removed.summary); expected 204", at: sourceLocation)
            }
        }
    }
}
