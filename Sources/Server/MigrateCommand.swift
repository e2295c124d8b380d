import App
import ArgumentParser
import PostgresNIO
import Trellis

/// `Server migrate [up|status]`: apply pending migrations (the default) or report which are pending.
///
/// A ``MigrationError`` (an edited applied migration, a failing statement, ...) propagates to
/// ArgumentParser, which prints its `description`, naming the migration's file, to stderr as
/// `Error: ...` and exits with code 1.
struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Apply pending migrations (the default) or list which are pending.",
        subcommands: [Up.self, Status.self],
        defaultSubcommand: Up.self
    )

    /// `Server migrate up` (or just `Server migrate`).
    struct Up: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Apply pending migrations, in order, each exactly once (safe to run from several processes at once)."
        )

        @OptionGroup var common: CommonOptions

        func run() async throws {
            let logger = try common.logger("trellis.migrate")
            let applied = try await PostgresClient.withRunning(try EnvironmentConfiguration().database(), logger: logger) { client in
                try await Migrator(client: client, logger: logger).migrate(App.allMigrations)
            }
            print(applied.isEmpty ? "the database is up to date" : applied.map { "applied \($0)" }.joined(separator: "\n"))
        }
    }

    /// `Server migrate status`: exits with code 1 when migrations are pending, so scripts can check.
    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List each migration as applied or pending; exit with code 1 when any is pending."
        )

        @OptionGroup var common: CommonOptions

        func run() async throws {
            let logger = try common.logger("trellis.migrate")
            let status = try await PostgresClient.withRunning(try EnvironmentConfiguration().database(), logger: logger) { client in
                try await Migrator(client: client, logger: logger).status(App.allMigrations)
            }
            let pending = Set(status.pending)
            for id in App.allMigrations.map(\.id) {
                print("\(pending.contains(id) ? "pending" : "applied")  \(id)")
            }
            guard status.isUpToDate else {
                print("\(status.pending.count) migration(s) pending; run `Server migrate`")
                throw ExitCode.failure
            }
            print("the database is up to date")
        }
    }
}
