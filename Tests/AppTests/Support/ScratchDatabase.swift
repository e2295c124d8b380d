import Foundation
import Logging
import PostgresNIO
import Testing

/// An empty database on the test server (`DATABASE_URL`), created for one test and dropped after it.
struct ScratchDatabase {
    /// The scratch database's URL, for `DATABASE_URL` of child processes.
    var url: String
    var configuration: PostgresClient.Configuration

    static let logger: Logger = {
        var logger = Logger(label: "tests.scratch-database")
        logger.logLevel = .error  // quiet about leases that race the pool's `run()` starting
        return logger
    }()

    /// Creates the database `name` (dropping a leftover of an earlier run), runs `body`, and drops it again.
    static func with(_ name: String, _ body: (ScratchDatabase) async throws -> Void) async throws {
        guard let url = ProcessInfo.processInfo.environment["DATABASE_URL"], var components = URLComponents(string: url) else {
            throw TestSetupError("DATABASE_URL is not set; run the tests with `make test`")
        }
        let maintenance = try PostgresClient.Configuration(url: url)
        let drop = PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
        try await PostgresClient.withRunning(maintenance, logger: logger) { client in
            try await client.query(drop, logger: logger)
            try await client.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name) TEMPLATE template0"), logger: logger)
        }
        components.path = "/\(name)"
        let scratchURL = try #require(components.string)
        do {
            try await body(ScratchDatabase(url: scratchURL, configuration: try PostgresClient.Configuration(url: scratchURL)))
        } catch {
            _ = try? await PostgresClient.withRunning(maintenance, logger: logger) { try await $0.query(drop, logger: logger) }
            throw error
        }
        _ = try await PostgresClient.withRunning(maintenance, logger: logger) { try await $0.query(drop, logger: logger) }
    }

    /// The rows of `schema_migrations`, by id.
    func appliedMigrations() async throws -> [(id: String, checksum: String)] {
        try await PostgresClient.withRunning(configuration, logger: Self.logger) { client in
            var rows: [(id: String, checksum: String)] = []
            let sequence = try await client.query("SELECT id, checksum FROM schema_migrations ORDER BY id", logger: Self.logger)
            for try await row in sequence.decode((String, String).self) { rows.append(row) }
            return rows
        }
    }

    /// Runs `query`, discarding its rows.
    func execute(_ query: PostgresQuery) async throws {
        try await PostgresClient.withRunning(configuration, logger: Self.logger) { client in
            for try await _ in try await client.query(query, logger: Self.logger) {}
        }
    }
}
