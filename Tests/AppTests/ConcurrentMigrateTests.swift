import App
import Foundation
import Logging
import PostgresNIO
import Testing
import Trellis

/// `Server migrate` as deployments run it: separate OS processes of the built `Server` executable,
/// each against a scratch database of its own test.
@Suite struct ConcurrentMigrateTests {
    @Test func threeProcessesStartingAtOnceApplyEachMigrationOnce() async throws {
        try await ScratchDatabase.with("trellis_concurrent_migrate") { database in
            let ids = App.allMigrations.map(\.id)
            let before = try await ServerProcess.launch(["migrate", "status"], databaseURL: database.url).finish()
            #expect(before.status == 1, "\(before.stderr)")
            #expect(before.stdout.hasSuffix("\(ids.count) migration(s) pending; run `Server migrate`\n"))

            let processes = try (0..<3).map { _ in try ServerProcess.launch(["migrate"], databaseURL: database.url) }
            var runs: [ChildProcess.Run] = []
            for process in processes { runs.append(await process.finish()) }
            for run in runs { #expect(run.status == 0, "\(run.stderr)") }
            let appliedLines = runs.flatMap { $0.stdout.split(separator: "\n") }.filter { $0.hasPrefix("applied ") }
            #expect(appliedLines.map { String($0.dropFirst("applied ".count)) }.sorted() == ids.sorted())

            let rows = try await database.appliedMigrations()
            #expect(rows.map(\.id) == ids.sorted())
            let checksums = Dictionary(uniqueKeysWithValues: App.allMigrations.map { ($0.id, $0.checksum) })
            for (id, checksum) in rows { #expect(checksum == checksums[id], "checksum of \(id)") }

            let after = try await ServerProcess.launch(["migrate", "status"], databaseURL: database.url).finish()
            #expect(after.status == 0, "\(after.stderr)")
            #expect(after.stdout == ids.map { "applied  \($0)\n" }.joined() + "the database is up to date\n")
        }
    }

    @Test func editingAnAppliedMigrationMakesMigrateFailNamingTheFile() async throws {
        try await ScratchDatabase.with("trellis_edited_migration") { database in
            let first = try await ServerProcess.launch(["migrate"], databaseURL: database.url).finish()
            try #require(first.status == 0, "\(first.stderr)")
            let generated = try #require(App.allMigrations.first { !$0.id.hasPrefix("trellis_") })
            // Recording another checksum is what the database sees when the committed file was edited.
            try await database.execute("UPDATE schema_migrations SET checksum = 'edited' WHERE id = \(generated.id)")

            let run = try await ServerProcess.launch(["migrate"], databaseURL: database.url).finish()
            #expect(run.status != 0)
            #expect(run.stderr.contains("generated/migrations/\(generated.id).sql"), "\(run.stderr)")
            #expect(!run.stderr.contains("Fatal error"), "\(run.stderr)")
        }
    }
}
