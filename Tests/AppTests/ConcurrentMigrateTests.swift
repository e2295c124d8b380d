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
            var runs: [ServerProcess.Run] = []
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

/// An empty database on the test server (`DATABASE_URL`), created for one test and dropped after it.
private struct ScratchDatabase {
    /// The scratch database's URL, for `DATABASE_URL` of child processes.
    var url: String
    var configuration: PostgresClient.Configuration

    static let logger: Logger = {
        var logger = Logger(label: "tests.concurrent-migrate")
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

/// A running `Server` executable (built next to the test bundle); its output is collected as it runs.
private struct ServerProcess {
    /// How a finished process ended.
    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// A process still running after this long is terminated, so a stuck run fails instead of hanging.
    static let timeout: DispatchTimeInterval = .seconds(120)

    /// The `Server` executable in the build products directory, which holds the test bundle:
    /// `.build/debug/TrellisPackageTests.xctest` is an executable on Linux (`Bundle.main` is its
    /// folder) and a bundle directory on macOS.
    static let executable: URL = {
        let products = Bundle.allBundles.first { $0.bundleURL.pathExtension == "xctest" }?.bundleURL.deletingLastPathComponent()
        return (products ?? Bundle.main.bundleURL).appendingPathComponent("Server")
    }()

    private let stdout: Task<String, Never>
    private let stderr: Task<String, Never>
    private let exit: AsyncStream<Int32>

    /// Starts `Server <arguments>` with `DATABASE_URL` set to `databaseURL`.
    static func launch(_ arguments: [String], databaseURL: String) throws -> ServerProcess {
        guard FileManager.default.isExecutableFile(atPath: executable.path) else {
            throw TestSetupError("no Server executable at \(executable.path); build with `swift build --build-tests`")
        }
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(["DATABASE_URL": databaseURL]) { _, new in new }
        let (exit, exited) = AsyncStream.makeStream(of: Int32.self)
        process.terminationHandler = { process in
            exited.yield(process.terminationStatus)
            exited.finish()
        }
        let (stdout, stderr) = (Pipe(), Pipe())
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout) {
            if process.isRunning { process.terminate() }
        }
        return ServerProcess(stdout: Task { await readToEnd(stdout) }, stderr: Task { await readToEnd(stderr) }, exit: exit)
    }

    /// Waits for the process to exit and returns its status and output.
    func finish() async -> Run {
        var status: Int32 = -1
        for await code in exit { status = code }
        return Run(status: status, stdout: await stdout.value, stderr: await stderr.value)
    }

    /// Reads `pipe` until the process closes it, on a thread outside Swift's cooperative pool.
    private static func readToEnd(_ pipe: Pipe) async -> String {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(returning: String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))
            }
        }
    }
}
