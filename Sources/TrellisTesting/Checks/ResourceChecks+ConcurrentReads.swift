import Foundation
import Testing
import Trellis

extension ResourceChecks {
    /// Many reads by id at once, from two organizations, each answer for its own caller: the
    /// server batches concurrent reads of a resource into one statement under load, and a batch
    /// must give every read exactly what it would get alone (its row in its own organization, 404
    /// for another organization's row under tenancy, for a deleted row and for an unknown id).
    public func readsManyAtOnce(sourceLocation: SourceLocation = #_sourceLocation) async throws {
        try await session("concurrent reads") { session in
            let home = session.home
            let other = session.other
            var rows: [(row: Row, owner: SpecOrganization)] = []
            for row in 0..<3 { rows.append((try await create(row: row, in: home, session: session), home)) }
            for row in 3..<5 { rows.append((try await create(row: row, in: other, session: session), other)) }
            var deleted: Row?
            if contract.softDelete, let last = rows.first?.row, let id = last.uuid {
                try await session.markDeleted(contract.table, id: id)
                deleted = last
                rows.removeFirst()
            }

            /// A read, and the row it must answer (nil: 404).
            struct Read: Sendable {
                var id: String
                var actor: SpecActor
                var reader: String
                var expected: JSONValue?
            }
            var reads: [Read] = []
            for organization in [home, other] {
                let actor = try actor(for: .read, in: organization)
                for (row, owner) in rows {
                    let visible = contract.tenancy == .shared || owner.id == organization.id
                    reads.append(Read(id: row.id, actor: actor, reader: organization.slug, expected: visible ? row.data : nil))
                }
                if let deleted { reads.append(Read(id: deleted.id, actor: actor, reader: organization.slug, expected: nil)) }
                reads.append(Read(id: UUID.stable("\(contract.name)/absent").lowercasedString, actor: actor, reader: organization.slug, expected: nil))
            }
            // Several rounds of every read at once, more than the server runs alone.
            let all = Array(repeating: reads, count: 4).flatMap { $0 }
            let answers = zip(all, try await session.client.sendAtOnce(all.map { SpecClient.Request(.get, "\(path)/\($0.id)", as: $0.actor) }))
            for (read, response) in answers {
                if let expected = read.expected {
                    expect(
                        response.status == .ok && response.data == expected, "Read broken",
                        "\(read.reader) reading \(read.id) among \(all.count) reads at once got \(response.summary); expected 200 with \(expected.jsonText)",
                        at: sourceLocation
                    )
                } else {
                    expect(
                        response.status == .notFound && response.errorCode == "not_found", "Tenancy leak",
                        "\(read.reader) reading \(read.id) among \(all.count) reads at once got \(response.summary); expected 404",
                        at: sourceLocation
                    )
                }
            }
        }
    }
}
