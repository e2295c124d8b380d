import Foundation
import PostgresNIO
import Testing

/// The trigger on each resource table moves `version` on with every UPDATE, not only the API's:
/// a hook's own SQL (or any other) changes the row's ETag too.
@Suite struct VersionTriggerTests {
    @Test func anUpdateOutsideTheAPIMovesTheVersion() async throws {
        let (client, _) = try await TestEnvironment.shared.client()
        let logger = TestEnvironment.shared.logger
        let acme = Users.principal(.viewer, in: "acme").orgID
        var found: (UUID, Int64)?
        for try await row in try await client.query(
            "SELECT id, version FROM tasks WHERE org_id = \(acme) ORDER BY id LIMIT 1", logger: logger
        ).decode((UUID, Int64).self) {
            found = row
        }
        let (id, before) = try #require(found)
        // Even an UPDATE that sets a column to its own value is a write of the row.
        try await client.query("UPDATE tasks SET title = title WHERE id = \(id)", logger: logger)
        var after: Int64?
        for try await version in try await client.query("SELECT version FROM tasks WHERE id = \(id)", logger: logger).decode(Int64.self) {
            after = version
        }
        #expect(after == before + 1)
    }
}
