import Foundation
import PostgresNIO

extension ScratchDatabase {
    /// The first column of `query`'s rows, a `uuid`.
    func uuids(_ query: PostgresQuery) async throws -> [UUID] {
        try await PostgresClient.withRunning(configuration, logger: Self.logger) { client in
            var ids: [UUID] = []
            for try await id in try await client.query(query, logger: Self.logger).decode(UUID.self) { ids.append(id) }
            return ids
        }
    }
}
