import Crypto
import Foundation
import Logging
import PostgresNIO
import Testing

@testable import Trellis

// MARK: - Without a database

@Suite("Migration and the SQL splitter")
struct MigrationTests {
    @Test func checksumIsLowercaseHexSHA256OfTheSQL() {
        #expect(Migration(id: "a", sql: "SELECT 1;").checksum == "17db4fd369edb9244b9f91d9aeed145c3d04ad8ba6e95d06247f07a63527d11a")
        #expect(Migration(id: "a", sql: "").checksum == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    @Test func noTransactionMarkerLineMakesAMigrationNonTransactional() {
        #expect(Migration(id: "a", sql: "CREATE TABLE t (id int);").isTransactional)
        #expect(!Migration(id: "a", sql: "  -- trellis:no-transaction \nCREATE INDEX CONCURRENTLY i ON t (id);").isTransactional)
        #expect(Migration(id: "a", sql: "-- see -- trellis:no-transaction in the docs\nSELECT 1;").isTransactional)
    }

    @Test func lockKeyIsDerivedFromTheName() {
        let digest = Array(SHA256.hash(data: Array("trellis.migrations".utf8)))
        let key = digest.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        #expect(Migrator.lockKey == Int64(bitPattern: key))
    }

    @Test func splitsAtTopLevelSemicolonsWithLineNumbers() {
        let sql = """
            -- header; with a semicolon
            SET LOCAL lock_timeout = '5s';

            CREATE TABLE a (
                id int,
                note text DEFAULT 'x;y' -- a comment; here
            );
            /* block; /* nested; */ still comment; */
            INSERT INTO "odd;name" VALUES (1, E'it\\'s; fine', 'it''s; fine')
            """
        let statements = SQLScript.statements(in: sql)
        #expect(statements.map(\.line) == [2, 4, 9])
        #expect(statements.map(\.firstKeyword) == ["SET", "CREATE", "INSERT"])
        #expect(statements[0].text == "SET LOCAL lock_timeout = '5s'")
        #expect(statements[1].text.hasSuffix("-- a comment; here\n)"))
        #expect(statements[2].text == #"INSERT INTO "odd;name" VALUES (1, E'it\'s; fine', 'it''s; fine')"#)
    }

    @Test func keepsDollarQuotedBodiesWhole() {
        let sql = """
            CREATE FUNCTION f() RETURNS int AS $body$
            BEGIN
                PERFORM 1; RETURN $$;$$::text::int;
            END;
            $body$ LANGUAGE plpgsql;
            SELECT $1, a$b FROM t; SELECT 2;
            """
        let statements = SQLScript.statements(in: sql)
        #expect(statements.count == 3)
        #expect(statements[0].text.hasSuffix("$body$ LANGUAGE plpgsql"))
        #expect(statements[1].text == "SELECT $1, a$b FROM t")
        #expect(statements[2] == .init(text: "SELECT 2", line: 6, firstKeyword: "SELECT"))
    }

    @Test func keepsBeginAtomicBodiesWhole() {
        let sql = """
            CREATE OR REPLACE FUNCTION g(x int) RETURNS int LANGUAGE sql
            BEGIN ATOMIC
                SELECT CASE WHEN x > 0 THEN 1 ELSE 0 END;
                SELECT x;
            END;
            BEGIN;
            """
        let statements = SQLScript.statements(in: sql)
        #expect(statements.count == 2)
        #expect(statements[0].text.hasSuffix("SELECT x;\nEND"))
        #expect(statements[1].controlsTransaction)
    }

    @Test func dropsEmptyAndCommentOnlyStatements() {
        #expect(SQLScript.statements(in: "  ;; -- nothing\n/* here */ ; ").isEmpty)
        #expect(SQLScript.statements(in: "SELECT 1").map(\.text) == ["SELECT 1"])
    }

    @Test func rejectsTransactionControlInTransactionalMigrations() {
        let migration = Migration(id: "0002_manual", sql: "SELECT 1;\nCOMMIT;\n")
        #expect(throws: MigrationError.transactionControl(id: "0002_manual", line: 2)) {
            try Migrator.validate([migration])
        }
        let marked = Migration(id: "0003_manual", sql: "-- trellis:no-transaction\nBEGIN;\nSELECT 1;\nCOMMIT;\n")
        #expect(throws: Never.self) { try Migrator.validate([marked]) }
        #expect(throws: MigrationError.duplicateID(id: "0003_manual")) { try Migrator.validate([marked, marked]) }
    }

    @Test func planningChecksAppliedMigrations() throws {
        let first = Migration(id: "0001_a", sql: "SELECT 1;")
        let second = Migration(id: "0002_b", sql: "SELECT 2;")
        let applied = [Migrator.AppliedMigration(id: first.id, checksum: first.checksum)]
        #expect(try Migrator.pending([first, second], applied: applied) == [second])
        #expect(throws: MigrationError.unknownApplied(id: "0001_a")) { try Migrator.pending([second], applied: applied) }
        let edited = Migration(id: "0001_a", sql: "SELECT 11;")
        #expect(throws: MigrationError.checksumMismatch(id: "0001_a")) { try Migrator.pending([edited], applied: applied) }
    }

    @Test func errorsSayWhatToDo() {
        let mismatch = MigrationError.checksumMismatch(id: "20261126000000_initial").description
        #expect(mismatch.hasPrefix("generated/migrations/20261126000000_initial.sql was edited after it was applied;"))
        #expect(mismatch.contains("new migration"))
        #expect(MigrationError.checksumMismatch(id: "trellis_0001_core").description.contains("CoreMigrations.swift"))
        #expect(MigrationError.unknownApplied(id: "0009_x").description.contains("does not know"))
    }
}

// MARK: - Against PostgreSQL

@Suite("Migrator (PostgreSQL)")
struct MigratorTests {
    let logger = TestDatabaseURL.logger

    static let create = Migration(id: "20261126000000_create", sql: "CREATE TABLE notes (id int PRIMARY KEY, body text NOT NULL);\n")
    static let alter = Migration(id: "20261126000001_alter", sql: "ALTER TABLE notes ADD COLUMN pinned boolean NOT NULL DEFAULT false;\n")
    static let seed = Migration(id: "20261126000002_seed", sql: "INSERT INTO notes (id, body) VALUES (1, 'first'), (2, 'second');\n")

    private func appliedRows(_ client: PostgresClient) async throws -> [(String, String)] {
        var rows: [(String, String)] = []
        let sequence = try await client.query("SELECT id, checksum FROM schema_migrations ORDER BY applied_at, id", logger: logger)
        for try await row in sequence.decode((String, String).self) { rows.append(row) }
        return rows
    }

    private func count(_ sql: String, _ client: PostgresClient) async throws -> Int {
        var total = 0
        for try await value in try await client.query(PostgresQuery(unsafeSQL: sql), logger: logger).decode(Int.self) {
            total += value
        }
        return total
    }

    /// Advisory locks held in this (scratch) database; `pg_locks` spans the whole cluster.
    private func advisoryLocks(_ client: PostgresClient) async throws -> Int {
        try await count(
            """
            SELECT count(*)::int8 FROM pg_locks
            WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
            """,
            client
        )
    }

    @Test func appliesInOrderAndRecordsChecksums() async throws {
        try await TestDatabaseURL.withScratchDatabase("trellis_mig_order") { url in
            try await url.withClient { client in
                let migrator = Migrator(client: client, logger: logger)
                let migrations = [Self.create, Self.alter, Self.seed]
                #expect(try await migrator.pending(migrations) == migrations)
                #expect(try await migrator.appliedIDs().isEmpty)

                let applied = try await migrator.migrate(migrations)

                #expect(applied == migrations.map(\.id))
                let rows = try await appliedRows(client)
                #expect(rows.map(\.0) == migrations.map(\.id))
                #expect(rows.map(\.1) == migrations.map(\.checksum))
                #expect(try await count("SELECT count(*)::int8 FROM notes WHERE NOT pinned", client) == 2)
                #expect(try await migrator.status(migrations) == MigrationStatus(applied: migrations.map(\.id), pending: []))
                #expect(try await migrator.appliedIDs() == migrations.map(\.id))
                #expect(try await advisoryLocks(client) == 0, "the migration lock is released")
            }
        }
    }

    @Test func secondRunAppliesNothingAndLaterMigrationsArePending() async throws {
        try await TestDatabaseURL.withScratchDatabase("trellis_mig_rerun") { url in
            try await url.withClient { client in
                let migrator = Migrator(client: client, logger: logger)
                _ = try await migrator.migrate([Self.create, Self.alter])

                #expect(try await migrator.migrate([Self.create, Self.alter]).isEmpty)

                let all = [Self.create, Self.alter, Self.seed]
                #expect(try await migrator.status(all) == MigrationStatus(applied: [Self.create.id, Self.alter.id], pending: [Self.seed.id]))
                #expect(try await migrator.pending(all) == [Self.seed])
                #expect(try await migrator.migrate(all) == [Self.seed.id])
                #expect(try await appliedRows(client).count == 3)
            }
        }
    }

    @Test func editedMigrationIsRefusedNamingItsFile() async throws {
        try await TestDatabaseURL.withScratchDatabase("trellis_mig_edited") { url in
            try await url.withClient { client in
                let migrator = Migrator(client: client, logger: logger)
                _ = try await migrator.migrate([Self.create])
                let edited = Migration(id: Self.create.id, sql: Self.create.sql.replacingOccurrences(of: "body text", with: "body varchar"))

                let error = await #expect(throws: MigrationError.self) { try await migrator.migrate([edited, Self.alter]) }

                #expect(error == .checksumMismatch(id: Self.create.id))
                #expect(error?.description.hasPrefix("generated/migrations/20261126000000_create.sql was edited after it was applied;") == true)
                #expect(try await appliedRows(client).map(\.0) == [Self.create.id], "nothing after the check ran")
                await #expect(throws: MigrationError.checksumMismatch(id: Self.create.id)) { try await migrator.pending([edited]) }
                await #expect(throws: MigrationError.unknownApplied(id: Self.create.id)) { try await migrator.status([Self.alter]) }
            }
        }
    }

    @Test func multiStatementSQLWithDollarQuotedFunctionBody() async throws {
        let migration = Migration(
            id: "20261126000003_functions",
            sql: """
                -- Touches updated_at; the body contains semicolons.
                SET LOCAL lock_timeout = '5s';
                CREATE TABLE items (id int PRIMARY KEY, label text NOT NULL DEFAULT 'a;b', updated_at int NOT NULL DEFAULT 0);

                CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    NEW.updated_at := OLD.updated_at + 1;
                    RETURN NEW;
                END;
                $$;

                CREATE TRIGGER items_touch BEFORE UPDATE ON items FOR EACH ROW EXECUTE FUNCTION touch();
                INSERT INTO items (id) VALUES (1); /* a comment; with a semicolon */
                UPDATE items SET label = E'it\\'s' WHERE id = 1;
                """
        )
        try await TestDatabaseURL.withScratchDatabase("trellis_mig_multi") { url in
            try await url.withClient { client in
                #expect(try await Migrator(client: client, logger: logger).migrate([migration]) == [migration.id])
                var rows: [(String, Int)] = []
                for try await row in try await client.query("SELECT label, updated_at FROM items", logger: logger).decode((String, Int).self) {
                    rows.append(row)
                }
                #expect(rows.count == 1)
                #expect(rows.first?.0 == "it's")
                #expect(rows.first?.1 == 1)
            }
        }
    }

    @Test func failingMigrationRollsBackAndReleasesTheLock() async throws {
        let broken = Migration(
            id: "20261126000001_broken",
            sql: """
                CREATE TABLE partial (id int);
                INSERT INTO partial VALUES (1);

                INSERT INTO missing_table VALUES (1);
                """
        )
        try await TestDatabaseURL.withScratchDatabase("trellis_mig_rollback") { url in
            try await url.withClient { (client: PostgresClient) async throws -> Void in
                let migrator = Migrator(client: client, logger: logger)

                let error = await #expect(throws: MigrationError.self) { try await migrator.migrate([Self.create, broken, Self.seed]) }

                guard case .migrationFailed(let id, let line, let message, let transactional) = error else {
                    Issue.record("unexpected error \(String(describing: error))")
                    return
                }
                #expect(id == broken.id)
                #expect(line == 4)
                #expect(message.contains("missing_table"))
                #expect(transactional)
                #expect(error?.description.hasPrefix("generated/migrations/20261126000001_broken.sql:4:") == true)
                #expect(try await appliedRows(client).map(\.0) == [Self.create.id])
                #expect(try await count("SELECT count(*)::int8 FROM pg_class WHERE relname = 'partial'", client) == 0)
                #expect(try await advisoryLocks(client) == 0, "the migration lock is released")

                let fixed = Migration(id: broken.id, sql: "CREATE TABLE partial (id int);\n")
                #expect(try await migrator.migrate([Self.create, fixed, Self.seed]) == [fixed.id, Self.seed.id])
            }
        }
    }

    @Test func nonTransactionalMigrationCanCreateIndexConcurrently() async throws {
        let index = Migration(
            id: "20261126000004_index",
            sql: """
                -- trellis:no-transaction
                CREATE INDEX CONCURRENTLY notes_body_idx ON notes (body);
                """
        )
        #expect(!index.isTransactional)
        try await TestDatabaseURL.withScratchDatabase("trellis_mig_concurrently") { url in
            try await url.withClient { client in
                let applied = try await Migrator(client: client, logger: logger).migrate([Self.create, index])
                #expect(applied == [Self.create.id, index.id])
                #expect(try await count("SELECT count(*)::int8 FROM pg_indexes WHERE indexname = 'notes_body_idx'", client) == 1)
                #expect(try await appliedRows(client).map(\.0) == [Self.create.id, index.id])
            }
        }
    }

    @Test func concurrentRunsApplyEachMigrationExactlyOnce() async throws {
        let migrations = [
            Migration(id: "20261126000010_counter", sql: "CREATE TABLE counter (applied_by int NOT NULL);\n"),
            Migration(id: "20261126000011_count", sql: "SELECT pg_sleep(0.3);\nINSERT INTO counter VALUES (pg_backend_pid());\n"),
            Migration(id: "20261126000012_more", sql: "ALTER TABLE counter ADD COLUMN note text;\n"),
        ]
        try await TestDatabaseURL.withScratchDatabase("trellis_mig_concurrent") { url in
            let applied = try await withThrowingTaskGroup(of: [String].self) { group in
                for _ in 0..<3 {
                    group.addTask {
                        try await url.withClient { client in
                            try await Migrator(client: client, logger: logger).migrate(migrations)
                        }
                    }
                }
                var all: [[String]] = []
                for try await ids in group { all.append(ids) }
                return all
            }
            #expect(applied.flatMap { $0 }.sorted() == migrations.map(\.id))
            #expect(applied.filter(\.isEmpty).count == 2, "one run applies everything while the others wait")
            try await url.withClient { (client: PostgresClient) async throws -> Void in
                #expect(try await count("SELECT count(*)::int8 FROM counter", client) == 1)
                #expect(try await appliedRows(client).map(\.0) == migrations.map(\.id))
            }
        }
    }

    @Test func coreMigrationCreatesTheBuiltInTables() async throws {
        try await TestDatabaseURL.withScratchDatabase("trellis_mig_core") { url in
            try await url.withClient { client in
                #expect(try await Migrator(client: client, logger: logger).migrate(CoreMigrations.all) == [
                    "trellis_0001_core", "trellis_0002_accounts", "trellis_0003_platform_admins", "trellis_0004_mutation_log",
                    "trellis_0005_audit_log_indexes", "trellis_0006_jobs", "trellis_0007_job_schedules", "trellis_0008_webhooks",
                    "trellis_0009_webhook_events", "trellis_0010_account_email",
                ])
                let org = UUID(uuidString: "0193a5c8-0000-7000-8000-000000000001") ?? UUID()
                let user = UUID(uuidString: "0193a5c8-0000-7000-8000-000000000002") ?? UUID()
                try await client.query("INSERT INTO organizations (id, name, slug) VALUES (\(org), 'Acme', 'acme-co')", logger: logger)
                try await client.query("INSERT INTO users (id, email, name) VALUES (\(user), 'Ann@acme.test', 'Ann')", logger: logger)
                try await client.query("INSERT INTO memberships (org_id, user_id, role) VALUES (\(org), \(user), 'owner')", logger: logger)
                let other = UUID(uuidString: "0193a5c8-0000-7000-8000-000000000003") ?? UUID()
                await #expect(throws: PSQLError.self, "emails are unique regardless of case") {
                    try await client.query("INSERT INTO users (id, email, name) VALUES (\(other), 'ann@ACME.test', 'Ann 2')", logger: logger)
                }
                await #expect(throws: PSQLError.self, "slugs are lowercase words joined by dashes") {
                    try await client.query("INSERT INTO organizations (id, name, slug) VALUES (\(other), 'Bad', 'Bad Slug')", logger: logger)
                }
                await #expect(throws: PSQLError.self, "roles are checked") {
                    try await client.query("UPDATE memberships SET role = 'god'", logger: logger)
                }
                try await client.query("DELETE FROM organizations WHERE id = \(org)", logger: logger)
                #expect(try await count("SELECT count(*)::int8 FROM memberships", client) == 0)
                #expect(try await count("SELECT count(*)::int8 FROM pg_indexes WHERE indexname = 'memberships_user_id_idx'", client) == 1)
                #expect(
                    try await count("SELECT count(*)::int8 FROM pg_settings WHERE name = 'lock_timeout' AND setting <> '0'", client) == 0,
                    "the migration's lock_timeout does not leak into the pool"
                )
            }
        }
    }
}
