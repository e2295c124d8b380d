import Foundation
import Testing
import TrellisGenerator
import TrellisSpec

/// The migration differ, one schema change per test: specs before and after ->
/// `Fixtures/migrations/<case>/<id>.sql`. Re-record with
/// `TRELLIS_RECORD=1 swift test --filter MigrationSnapshotTests`.
@Suite struct MigrationSnapshotTests {
    /// 2026-11-26T12:00:00Z: the fixed "now" of every generated migration in the tests.
    static let now = Date(timeIntervalSince1970: 1_795_694_400)
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/migrations")

    static let projects = """
        resource: Project
        soft_delete: true
        fields:
          name:     { type: string, required: true }
          slug:     { type: string, required: true, unique: true }
          status:   { type: enum, values: [active, archived], default: active }
          budget:   { type: decimal, precision: 8, scale: 2 }
          points:   { type: int32 }
          note:     { type: text }
          owner_id: { type: ref, to: User, on_delete: set_null }
        pagination: { sort: [created_at, name] }

        """
    static let tasks = """
        resource: Task
        swift_name: TaskItem
        fields:
          project_id: { type: ref, to: Project, on_delete: cascade, required: true }
          title:      { type: string, required: true }

        """
    static let base = ["projects": projects, "tasks": tasks]

    /// `base` with `projects.yaml` edited by `edit`.
    static func projects(_ edit: (String) -> String) -> [String: String] {
        ["projects": edit(projects), "tasks": tasks]
    }

    static func specs(_ files: [String: String]) -> [SpecFile] {
        files.map { SpecFile(path: "specs/\($0.key).yaml", contents: $0.value) }
    }

    /// Generates `before` from nothing, then `after` on top; returns the migrations of the second step.
    static func migrations(
        from before: [String: String], to after: [String: String], allowDestructive: Bool = false
    ) throws -> [(id: String, sql: String)] {
        let generator = Generator(templates: try TemplateSet())
        let first = try generator.generate(specs(before), mode: .write(now: now.addingTimeInterval(-3600), allowDestructive: false))
        let snapshot = try Snapshot(json: first.committedFiles.first { $0.path == "schema.json" }!.contents, path: "schema.json")
        let committed = first.committedFiles.filter { $0.path.hasPrefix("migrations/") }.map { file in
            MigrationFile(id: String(file.path.dropFirst("migrations/".count).dropLast(4)), sql: file.contents)
        }
        let history = MigrationHistory(snapshot: snapshot, migrations: committed)
        let second = try generator.generate(specs(after), history: history, mode: .write(now: now, allowDestructive: allowDestructive))
        return second.committedFiles.filter { $0.path.hasPrefix("migrations/") }.map { file in
            (String(file.path.dropFirst("migrations/".count).dropLast(4)), file.contents)
        }
    }

    /// Compares with (or records) `Fixtures/migrations/<name>/`; returns the SQL of every file, joined.
    @discardableResult
    static func expectSnapshot(_ name: String, _ files: [(id: String, sql: String)]) throws -> String {
        let folder = fixtures.appendingPathComponent(name)
        if ProcessInfo.processInfo.environment["TRELLIS_RECORD"] == "1" {
            try? FileManager.default.removeItem(at: folder)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            for file in files {
                try file.sql.write(to: folder.appendingPathComponent("\(file.id).sql"), atomically: true, encoding: .utf8)
            }
        }
        let recorded = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).sorted()
        #expect(recorded == files.map { "\($0.id).sql" }, "\(name): the migration files differ from the snapshot")
        for file in files {
            let expected = try? String(contentsOf: folder.appendingPathComponent("\(file.id).sql"), encoding: .utf8)
            #expect(expected == file.sql, "\(name)/\(file.id).sql differs from its snapshot; re-record with TRELLIS_RECORD=1 if intended")
        }
        return files.map(\.sql).joined(separator: "\n")
    }

    static func refusal(from before: [String: String], to after: [String: String]) throws -> String {
        do {
            _ = try migrations(from: before, to: after)
        } catch let error as DiagnosticsError {
            return error.description
        }
        Issue.record("the change was not refused")
        return ""
    }

    // MARK: - Tables

    @Test func createTables() throws {
        let files = try Self.migrations(from: [:], to: Self.base)
        let sql = try Self.expectSnapshot("create_tables", files)
        #expect(files.map(\.id) == ["20261126120000_create_projects_tasks"])
        #expect(sql.contains("CONSTRAINT projects_status_check CHECK (status IN ('active', 'archived'))"))
        #expect(sql.contains("CREATE UNIQUE INDEX projects_slug_key ON projects (org_id, slug) WHERE deleted_at IS NULL;"))
        #expect(!sql.contains("CONCURRENTLY"), "new tables are empty: plain indexes in the transaction")
    }

    @Test func nothingChangedWritesNothing() throws {
        #expect(try Self.migrations(from: Self.base, to: Self.base).isEmpty)
    }

    @Test func dropTableIsRefusedUnlessAllowed() throws {
        let message = try Self.refusal(from: Self.base, to: ["projects": Self.projects])
        #expect(message.contains("generated/schema.json:1:1: error: the spec of table tasks is gone"))
        #expect(message.contains("--allow-destructive"))
        let files = try Self.migrations(from: Self.base, to: ["projects": Self.projects], allowDestructive: true)
        let sql = try Self.expectSnapshot("drop_table", files)
        #expect(sql.contains("DROP TABLE tasks;"))
    }

    @Test func renameTableKeepsRowsAndRenamesItsConstraints() throws {
        let after = ["projects": Self.projects, "tasks": Self.tasks.replacingOccurrences(of: "resource: Task\nswift_name: TaskItem", with: "resource: Todo\nrenamed_from: Task")]
        let sql = try Self.expectSnapshot("rename_table", try Self.migrations(from: Self.base, to: after))
        #expect(sql.contains("ALTER TABLE tasks RENAME TO todos;"))
        #expect(sql.contains("ALTER TABLE todos RENAME CONSTRAINT tasks_pkey TO todos_pkey;"))
        #expect(sql.contains("ALTER INDEX tasks_project_id_idx RENAME TO todos_project_id_idx;"))
        #expect(sql.contains("ALTER TABLE todos RENAME CONSTRAINT tasks_project_id_fkey TO todos_project_id_fkey;"))
        #expect(!sql.contains("DROP"))
    }

    // MARK: - Columns

    @Test func addNullableColumn() throws {
        let after = Self.projects { $0 + "" }.merging(["projects": Self.projects.replacingOccurrences(of: "  note:", with: "  color:    { type: string }\n  note:")]) { $1 }
        let sql = try Self.expectSnapshot("add_nullable_column", try Self.migrations(from: Self.base, to: after))
        #expect(sql.contains("ALTER TABLE projects ADD COLUMN color text;"))
    }

    @Test func addRequiredColumnWithDefault() throws {
        let after = Self.projects { $0.replacingOccurrences(of: "  note:", with: "  priority: { type: int32, required: true, default: 3 }\n  note:") }
        let sql = try Self.expectSnapshot("add_required_column", try Self.migrations(from: Self.base, to: after))
        #expect(sql.contains("ALTER TABLE projects ADD COLUMN priority integer NOT NULL DEFAULT 3;"))
    }

    @Test func addRequiredColumnWithoutDefaultIsRefused() throws {
        let after = Self.projects { $0.replacingOccurrences(of: "  note:", with: "  code: { type: string, required: true }\n  note:") }
        let message = try Self.refusal(from: Self.base, to: after)
        #expect(message.contains("specs/projects.yaml:9:3: error: field 'code' is required and has no default"))
    }

    @Test func dropColumnIsRefusedUntilConfirmed() throws {
        let removed = Self.projects { $0.replacingOccurrences(of: "  note:     { type: text }\n", with: "") }
        let message = try Self.refusal(from: Self.base, to: removed)
        #expect(message.contains("specs/projects.yaml:1:11: error: removing field 'note' drops column projects.note"))
        #expect(message.contains("dropped: [note]"))
        let confirmed = Self.projects {
            $0.replacingOccurrences(of: "  note:     { type: text }\n", with: "").replacingOccurrences(of: "soft_delete: true\n", with: "soft_delete: true\ndropped: [note]\n")
        }
        let sql = try Self.expectSnapshot("drop_column", try Self.migrations(from: Self.base, to: confirmed))
        #expect(sql.contains("ALTER TABLE projects DROP COLUMN note;"))
    }

    @Test func renameColumnKeepsDataAndRenamesDerivedNames() throws {
        let after = Self.projects {
            $0.replacingOccurrences(of: "  name:     { type: string, required: true }", with: "  title:    { type: string, required: true, renamed_from: name }")
                .replacingOccurrences(of: "  slug:     { type: string, required: true, unique: true }", with: "  handle:   { type: string, required: true, unique: true, renamed_from: slug }")
                .replacingOccurrences(of: "  status:   { type: enum", with: "  state:    { renamed_from: status, type: enum")
                .replacingOccurrences(of: "sort: [created_at, name]", with: "sort: [created_at, title]")
        }
        let sql = try Self.expectSnapshot("rename_column", try Self.migrations(from: Self.base, to: after))
        #expect(sql.contains("ALTER TABLE projects RENAME COLUMN name TO title;"))
        #expect(sql.contains("ALTER INDEX projects_slug_key RENAME TO projects_handle_key;"))
        #expect(sql.contains("ALTER TABLE projects RENAME CONSTRAINT projects_status_check TO projects_state_check;"))
        #expect(!sql.contains("DROP COLUMN") && !sql.contains("ADD COLUMN"))
    }

    @Test func typeChanges() throws {
        let widened = Self.projects {
            $0.replacingOccurrences(of: "{ type: int32 }", with: "{ type: int64 }").replacingOccurrences(of: "precision: 8", with: "precision: 12")
        }
        let sql = try Self.expectSnapshot("type_widening", try Self.migrations(from: Self.base, to: widened))
        #expect(sql.contains("ALTER TABLE projects ALTER COLUMN points TYPE bigint USING points::bigint;"))
        #expect(sql.contains("ALTER TABLE projects ALTER COLUMN budget TYPE numeric(12, 2) USING budget::numeric(12, 2);"))
        #expect(sql.contains("rewrites projects under an ACCESS EXCLUSIVE lock"))

        let narrowed = Self.projects { $0.replacingOccurrences(of: "scale: 2", with: "scale: 1") }
        let message = try Self.refusal(from: Self.base, to: narrowed)
        #expect(message.contains("changing projects.budget from numeric(8, 2) to numeric(8, 1) can fail or lose data"))
    }

    @Test func nullabilityAndDefaults() throws {
        let after = [
            "projects": Self.projects.replacingOccurrences(of: "{ type: int32 }", with: "{ type: int32, default: 0 }")
                .replacingOccurrences(of: "default: active }", with: "default: archived }"),
            "tasks": Self.tasks.replacingOccurrences(of: "{ type: string, required: true }", with: "{ type: string }"),
        ]
        let files = try Self.migrations(from: Self.base, to: after)
        let sql = try Self.expectSnapshot("nullability_and_defaults", files)
        #expect(sql.contains("UPDATE projects SET points = 0 WHERE points IS NULL;"))
        #expect(sql.contains("ALTER TABLE projects ADD CONSTRAINT projects_points_not_null CHECK (points IS NOT NULL) NOT VALID;"))
        #expect(sql.contains("ALTER TABLE projects VALIDATE CONSTRAINT projects_points_not_null;"))
        #expect(sql.contains("ALTER TABLE projects ALTER COLUMN points SET NOT NULL;"))
        #expect(sql.contains("ALTER TABLE tasks ALTER COLUMN title DROP NOT NULL;"))
        #expect(sql.contains("ALTER TABLE projects ALTER COLUMN status SET DEFAULT 'archived';"))
        #expect(files.count == 2 && files[1].sql.contains("\n-- trellis:no-transaction\n"))
    }

    @Test func enumValues() throws {
        let added = Self.projects { $0.replacingOccurrences(of: "values: [active, archived]", with: "values: [active, paused, archived]") }
        let sql = try Self.expectSnapshot("enum_value_added", try Self.migrations(from: Self.base, to: added))
        #expect(sql.contains("CHECK (status IN ('active', 'paused', 'archived')) NOT VALID;"))
        #expect(sql.contains("ALTER TABLE projects VALIDATE CONSTRAINT projects_status_check;"))

        let removed = Self.projects { $0.replacingOccurrences(of: "values: [active, archived]", with: "values: [active]") }
        let message = try Self.refusal(from: Self.base, to: removed)
        #expect(message.contains("removing 'archived' from the values of projects.status"))
        let confirmed = Self.projects {
            $0.replacingOccurrences(of: "values: [active, archived]", with: "values: [active]")
                .replacingOccurrences(of: "soft_delete: true\n", with: "soft_delete: true\ndropped: [status.archived]\n")
        }
        try Self.expectSnapshot("enum_value_removed", try Self.migrations(from: Self.base, to: confirmed))
    }

    // MARK: - Indexes and constraints

    @Test func newIndexOnExistingTableIsBuiltConcurrentlyOutsideATransaction() throws {
        let after = Self.projects { $0 + "indexes: [[status, points]]\n" }
        let files = try Self.migrations(from: Self.base, to: after)
        try Self.expectSnapshot("index_added", files)
        #expect(files.map(\.id) == ["20261126120000_index_projects_status_points"])
        #expect(files[0].sql.contains("\n-- trellis:no-transaction\n"))
        #expect(files[0].sql.contains("CREATE INDEX CONCURRENTLY projects_status_points_idx ON projects (status, points);"))
        #expect(files[0].sql.contains("SET lock_timeout = '5s';") && files[0].sql.contains("SET statement_timeout"))
    }

    @Test func uniqueFieldIsAPartialUniqueIndexUnderSoftDelete() throws {
        let after = Self.projects { $0.replacingOccurrences(of: "  note:     { type: text }", with: "  note:     { type: string, unique: true }") }
        let sql = try Self.expectSnapshot("unique_added", try Self.migrations(from: Self.base, to: after))
        #expect(sql.contains("CREATE UNIQUE INDEX CONCURRENTLY projects_note_key ON projects (org_id, note) WHERE deleted_at IS NULL;"))
    }

    @Test func foreignKeyOnExistingTableIsAddedNotValidThenValidated() throws {
        let after = ["projects": Self.projects, "tasks": Self.tasks + "  assignee_id: { type: ref, to: User, on_delete: set_null }\n"]
        let sql = try Self.expectSnapshot("foreign_key_added", try Self.migrations(from: Self.base, to: after))
        #expect(sql.contains("FOREIGN KEY (assignee_id) REFERENCES users (id) ON DELETE SET NULL NOT VALID;"))
        #expect(sql.contains("ALTER TABLE tasks VALIDATE CONSTRAINT tasks_assignee_id_fkey;"))
        #expect(sql.contains("CREATE INDEX CONCURRENTLY tasks_assignee_id_idx ON tasks (assignee_id);"))
    }

    @Test func tenancySwitchedOn() throws {
        let shared = ["projects": Self.projects.replacingOccurrences(of: "soft_delete: true\n", with: "soft_delete: true\ntenancy: none\n")]
        let sql = try Self.expectSnapshot("tenancy_switched_on", try Self.migrations(from: shared, to: ["projects": Self.projects]))
        #expect(sql.contains("ALTER TABLE projects ADD COLUMN org_id uuid;"))
        #expect(sql.contains("Rows already in projects have no organization"))
        #expect(sql.contains("ALTER TABLE projects ALTER COLUMN org_id SET NOT NULL;"))
        #expect(sql.contains("CREATE UNIQUE INDEX CONCURRENTLY projects_slug_key ON projects (org_id, slug) WHERE deleted_at IS NULL;"))
    }

    @Test func softDeleteSwitchedOn() throws {
        let hard = ["projects": Self.projects.replacingOccurrences(of: "soft_delete: true\n", with: ""), "tasks": Self.tasks]
        let sql = try Self.expectSnapshot("soft_delete_switched_on", try Self.migrations(from: hard, to: Self.base))
        #expect(sql.contains("ALTER TABLE projects ADD COLUMN deleted_at timestamptz;"))
        #expect(sql.contains("CREATE UNIQUE INDEX CONCURRENTLY projects_slug_key ON projects (org_id, slug) WHERE deleted_at IS NULL;"))
    }

    // MARK: - History

    @Test func migrationIDsAreTimestampedAndOrdered() throws {
        let after = Self.projects { $0.replacingOccurrences(of: "{ type: int32 }", with: "{ type: int32, required: true, default: 1 }") }
        let files = try Self.migrations(from: Self.base, to: after)
        #expect(files.map(\.id) == ["20261126120000_alter_projects_points", "20261126120001_alter_projects_points_online"])
    }

    @Test func editedMissingAndStrayMigrationFilesAreReported() throws {
        let snapshot = Snapshot(migrations: [.init(id: "20261126120000_a", sha256: MigrationFile(id: "x", sql: "SELECT 1;\n").sha256)])
        let history = MigrationHistory(
            snapshot: snapshot, migrations: [MigrationFile(id: "20261126120000_a", sql: "SELECT 2;\n"), MigrationFile(id: "20261126120500_b", sql: "")]
        )
        let problems = history.problems(directory: "generated")
        #expect(problems.count == 2)
        #expect(problems[0].hasPrefix("generated/migrations/20261126120000_a.sql was edited after it was generated"))
        #expect(problems[1].hasPrefix("generated/migrations/20261126120500_b.sql is not in the ledger"))
        let missing = MigrationHistory(snapshot: snapshot, migrations: []).problems(directory: "generated")
        #expect(missing == ["generated/migrations/20261126120000_a.sql is missing: restore it (`git checkout -- generated/migrations/20261126120000_a.sql`); applied migrations never go away"])
    }
}
