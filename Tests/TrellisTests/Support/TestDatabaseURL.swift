import Foundation
import Logging
import PostgresNIO

/// The PostgreSQL the runtime tests use, from `DATABASE_URL`
/// (`postgres://user[:password]@host:port/dbname`, e.g. `DATABASE_URL=$(scripts/db.sh test-url)`).
struct TestDatabaseURL: Sendable {
    var host: String
    var port: Int
    var username: String
    var password: String?
    var database: String

    struct Invalid: Error, CustomStringConvertible {
        var description: String
    }

    static let logger: Logger = {
        var logger = Logger(label: "trellis.tests")
        logger.logLevel = .warning
        return logger
    }()

    /// The pools' own logger: quiet about leases that race `run()` starting in the task group.
    static let backgroundLogger: Logger = {
        var logger = Logger(label: "trellis.tests.pool")
        logger.logLevel = .error
        return logger
    }()

    /// `DATABASE_URL`, parsed; throws (rather than skipping tests silently) when it is missing.
    static func fromEnvironment() throws -> TestDatabaseURL {
        guard let url = ProcessInfo.processInfo.environment["DATABASE_URL"], !url.isEmpty else {
            throw Invalid(
                description: "DATABASE_URL is not set: run `scripts/db.sh start` and `DATABASE_URL=$(scripts/db.sh test-url) swift test`"
            )
        }
        return try TestDatabaseURL(parsing: url)
    }

    init(parsing url: String) throws {
        guard let components = URLComponents(string: url), ["postgres", "postgresql"].contains(components.scheme ?? ""),
            let host = components.host, !host.isEmpty, let user = components.user, !user.isEmpty
        else {
            throw Invalid(description: "DATABASE_URL must look like postgres://user[:password]@host:port/dbname, got \(url)")
        }
        let database = String(components.path.drop { $0 == "/" })
        self.host = host
        self.port = components.port ?? 5432
        self.username = user.removingPercentEncoding ?? user
        self.password = components.password?.removingPercentEncoding
        self.database = database.isEmpty ? "postgres" : database
    }

    /// The same server and user, another database.
    func with(database: String) -> TestDatabaseURL {
        var copy = self
        copy.database = database
        return copy
    }

    var configuration: PostgresClient.Configuration {
        var configuration = PostgresClient.Configuration(
            host: host, port: port, username: username, password: password, database: database, tls: .disable
        )
        configuration.options.maximumConnections = 4
        return configuration
    }

    /// Runs `body` with a running client for this database; the client stops when `body` returns.
    func withClient<T: Sendable>(_ body: @Sendable (PostgresClient) async throws -> T) async throws -> T {
        let client = PostgresClient(configuration: configuration, backgroundLogger: Self.backgroundLogger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            do {
                let result = try await body(client)
                group.cancelAll()
                return result
            } catch {
                group.cancelAll()
                throw error
            }
        }
    }

    /// Creates the empty database `name` (dropping a leftover of an earlier run), runs `body` with
    /// its URL, and drops it again, so tests cannot see each other's tables.
    static func withScratchDatabase<T: Sendable>(
        _ name: String, _ body: @Sendable (TestDatabaseURL) async throws -> T
    ) async throws -> T {
        guard name.allSatisfy({ $0.isLowercase || $0.isNumber || $0 == "_" }), name.count < 60 else {
            throw Invalid(description: "scratch database names are lowercase identifiers: \(name)")
        }
        let maintenance = try fromEnvironment()
        let drop = PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
        try await maintenance.withClient { client in
            try await client.query(drop, logger: logger)
            try await client.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name) TEMPLATE template0"), logger: logger)
        }
        let result: T
        do {
            result = try await body(maintenance.with(database: name))
        } catch {
            try? await maintenance.withClient { client in _ = try await client.query(drop, logger: logger) }
            throw error
        }
        try await maintenance.withClient { client in
            _ = try await client.query(drop, logger: logger)
        }
        return result
    }
}
