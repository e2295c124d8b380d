import Foundation
import Logging
import PostgresNIO
import Testing
import Trellis
import TrellisGenerator
import TrellisSpec

/// A spec evolving under a database that holds rows, step by step, the way a team works:
/// edit the spec, see `trellis check` fail, run `trellis generate`, see it pass, migrate.
/// After every step every row is still there.
@Suite(.serialized) struct MigrationScenarioTests {
    static let logger = TestDatabaseURL.logger
    static let org = UUID(uuidString: "0193a5c8-0000-7000-8000-0000000000a1")!
    static let rows: [(id: UUID, name: String)] = (1...3).map { index in
        (UUID(uuidString: "0193a5c8-0000-7000-8000-0000000000b\(index)")!, "Project \(index)")
    }
    /// Each step's "now", one hour apart from 2026-11-26T12:00:00Z.
    static func now(step: Int) -> Date { Date(timeIntervalSince1970: 1_795_694_400 + Double(step) * 3600) }

    /// A throwaway project folder with `specs/` and `generated/`.
    struct Workspace {
        let root: URL
        let project: Project

        init() throws {
            root = FileManager.default.temporaryDirectory.appendingPathComponent("trellis-migration-scenario")
            try? FileManager.default.removeItem(at: root)
            try FileManager.default.createDirectory(at: root.appendingPathComponent("specs"), withIntermediateDirectories: true)
            project = Project(
                specs: root.appendingPathComponent("specs").path, output: root.appendingPathComponent("generated").path,
                generator: Generator(templates: try TemplateSet())
            )
        }

        func write(_ spec: String) throws {
            try spec.write(to: root.appendingPathComponent("specs/projects.yaml"), atomically: true, encoding: .utf8)
        }

        /// Core migrations and every committed one, as the app compiles them.
        func migrations() throws -> [Migration] {
            CoreMigrations.all + (try project.history().migrations.map { Migration(id: $0.id, sql: $0.sql) })
        }
    }

    /// Writes `spec`, expects `check` to fail (naming `change`) and then pass after `generate`.
    /// Returns the new migrations.
    static func evolve(_ workspace: Workspace, to spec: String, step: Int, expecting change: String) throws -> [Migration] {
        try workspace.write(spec)
        let red = try workspace.project.check()
        #expect(red.contains { $0.contains(change) }, "step \(step): check should report '\(change)', got \(red)")
        let generated = try workspace.project.generate(now: now(step: step)).newMigrations
        #expect(try workspace.project.check() == [], "step \(step): check should pass after generate")
        let all = try workspace.migrations()
        return all.filter { generated.contains($0.id) }
    }

    static func migrate(_ workspace: Workspace, _ client: PostgresClient) async throws -> [String] {
        try await Migrator(client: client, logger: logger).migrate(try workspace.migrations())
    }

    static func scalar<T: PostgresDecodable & Sendable>(_ sql: String, as type: T.Type, _ client: PostgresClient) async throws -> T? {
        for try await value in try await client.query(PostgresQuery(unsafeSQL: sql), logger: logger).decode(T.self) {
            return value
        }
        return nil
    }

    static func rowCount(_ client: PostgresClient) async throws -> Int {
        try await scalar("SELECT count(*)::int8 FROM projects", as: Int.self, client) ?? -1
    }

    static let v1 = """
        resource: Project
        fields:
          name:   { type: string, required: true }
          status: { type: enum, values: [active, archived], default: active }

        """

    @Test func aSpecEvolvesUnderADatabaseThatHoldsRows() async throws {
        let workspace = try Workspace()
        defer { try? FileManager.default.removeItem(at: workspace.root) }
        try await TestDatabaseURL.withScratchDatabase("trellis_migration_scenario") { url in
            try await url.withClient { client in
                // 1. The initial schema, with rows.
                let initial = try Self.evolve(workspace, to: Self.v1, step: 1, expecting: "create table projects")
                #expect(initial.map(\.id) == ["20261126130000_create_projects"])
                #expect(try await Self.migrate(workspace, client) == CoreMigrations.all.map(\.id) + ["20261126130000_create_projects"])
                try await client.query("INSERT INTO organizations (id, name, slug) VALUES (\(Self.org), 'Acme', 'acme')", logger: Self.logger)
                for row in Self.rows {
                    try await client.query(
                        "INSERT INTO projects (id, org_id, name) VALUES (\(row.id), \(Self.org), \(row.name))", logger: Self.logger
                    )
                }

                // 2. A new nullable field.
                var spec = Self.v1 + "  budget: { type: decimal, precision: 10, scale: 2 }\n"
                _ = try Self.evolve(workspace, to: spec, step: 2, expecting: "add column projects.budget")
                #expect(try await Self.migrate(workspace, client).count == 1)
                #expect(try await Self.rowCount(client) == 3)

                // 3. A new required field with a default: existing rows read the default.
                spec += "  priority: { type: int32, required: true, default: 3 }\n"
                _ = try Self.evolve(workspace, to: spec, step: 3, expecting: "add column projects.priority")
                _ = try await Self.migrate(workspace, client)
                #expect(try await Self.scalar("SELECT count(*)::int8 FROM projects WHERE priority = 3", as: Int.self, client) == 3)

                // 4. A rename through renamed_from keeps the data.
                spec = spec.replacingOccurrences(of: "  name:   { type: string, required: true }", with: "  title:  { type: string, required: true, renamed_from: name }")
                let renamed = try Self.evolve(workspace, to: spec, step: 4, expecting: "rename column projects.name to title")
                #expect(renamed.count == 1 && renamed[0].sql.contains("RENAME COLUMN name TO title") && !renamed[0].sql.contains("DROP"))
                _ = try await Self.migrate(workspace, client)
                let titles = try await client.query("SELECT title FROM projects ORDER BY id", logger: Self.logger).decode(String.self)
                var kept: [String] = []
                for try await title in titles { kept.append(title) }
                #expect(kept == Self.rows.map(\.name))

                // 5. A new index on the populated table, built concurrently outside a transaction.
                spec = spec.replacingOccurrences(of: "fields:\n", with: "indexes: [[status, priority]]\nfields:\n")
                let index = try Self.evolve(workspace, to: spec, step: 5, expecting: "create index projects_status_priority_idx")
                #expect(index.count == 1 && !index[0].isTransactional && index[0].sql.contains("CREATE INDEX CONCURRENTLY projects_status_priority_idx"))
                _ = try await Self.migrate(workspace, client)
                let valid = "SELECT indisvalid FROM pg_index WHERE indexrelid = 'projects_status_priority_idx'::regclass"
                #expect(try await Self.scalar(valid, as: Bool.self, client) == true)
                #expect(try await Self.rowCount(client) == 3)

                // 6. A new enum value.
                spec = spec.replacingOccurrences(of: "values: [active, archived]", with: "values: [active, paused, archived]")
                _ = try Self.evolve(workspace, to: spec, step: 6, expecting: "change the values of projects.status: add 'paused'")
                _ = try await Self.migrate(workspace, client)
                try await client.query("UPDATE projects SET status = 'paused' WHERE id = \(Self.rows[0].id)", logger: Self.logger)
                #expect(try await Self.rowCount(client) == 3)

                // 7. A removed field: refused until the spec confirms it, then dropped.
                let removed = spec.replacingOccurrences(of: "  budget: { type: decimal, precision: 10, scale: 2 }\n", with: "")
                try workspace.write(removed)
                #expect(try workspace.project.check().contains { $0.contains("drop column projects.budget") })
                let before = try workspace.project.history()
                #expect(throws: DiagnosticsError.self) { try workspace.project.generate(now: Self.now(step: 7)) }
                #expect(try workspace.project.history() == before, "a refused change writes nothing")
                let confirmed = removed.replacingOccurrences(of: "fields:\n", with: "dropped: [budget]\nfields:\n")
                _ = try Self.evolve(workspace, to: confirmed, step: 7, expecting: "drop column projects.budget")
                _ = try await Self.migrate(workspace, client)
                let budget = "SELECT count(*)::int8 FROM information_schema.columns WHERE table_name = 'projects' AND column_name = 'budget'"
                #expect(try await Self.scalar(budget, as: Int.self, client) == 0)
                #expect(try await Self.rowCount(client) == 3)

                // Nothing left to do, and the ledger matches what the database ran.
                #expect(try await Self.migrate(workspace, client) == [])
                #expect(try workspace.project.check() == [])
            }
        }
    }

    @Test func editingAnAppliedMigrationStopsMigrateAndCheck() async throws {
        let workspace = try Workspace()
        defer { try? FileManager.default.removeItem(at: workspace.root) }
        let migrations = try Self.evolve(workspace, to: Self.v1, step: 1, expecting: "create table projects")
        try await TestDatabaseURL.withScratchDatabase("trellis_migration_edited") { url in
            try await url.withClient { client in
                _ = try await Self.migrate(workspace, client)
                let file = workspace.root.appendingPathComponent("generated/migrations/\(migrations[0].id).sql")
                try (migrations[0].sql + "CREATE INDEX projects_name_idx ON projects (name);\n").write(to: file, atomically: true, encoding: .utf8)

                let problems = try workspace.project.check()
                #expect(problems.first?.contains("migrations/\(migrations[0].id).sql was edited after it was generated") == true, "\(problems)")
                await #expect(throws: MigrationError.checksumMismatch(id: migrations[0].id)) {
                    try await Self.migrate(workspace, client)
                }
                #expect(MigrationError.checksumMismatch(id: migrations[0].id).description.contains("generated/migrations/\(migrations[0].id).sql"))
            }
        }
    }
}
