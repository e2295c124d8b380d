import Foundation
import TrellisSpec

/// A file the generator produces: its path relative to the output root, and its text.
public struct GeneratedFile: Hashable, Sendable {
    public var path: String
    public var contents: String

    public init(path: String, contents: String) {
        self.path = path
        self.contents = contents
    }
}

/// The whole pipeline: parse -> resolve -> emit.
///
/// The build plugin compiles ``Output/swiftFiles``; `trellis generate` writes
/// ``Output/committedFiles`` (the same Swift under `swift/`, plus the OpenAPI document, the
/// migration and the schema snapshot) into `generated/`.
public struct Generator: Sendable {
    public let templates: TemplateSet
    public let options: GeneratorOptions

    public init(templates: TemplateSet, options: GeneratorOptions = GeneratorOptions()) {
        self.templates = templates
        self.options = options
    }

    /// This generator with what the project file sets (`specs/trellis.yaml`): the account
    /// groups the document describes and the generated API serves.
    public func applying(_ settings: ProjectSettings) -> Generator {
        var options = options
        options.accountEndpoints = settings.accounts
        options.emailVerification = settings.emailVerification
        return Generator(templates: templates, options: options)
    }

    /// The Swift file names the specs produce, known from their file names alone (the build
    /// plugin declares them with the same function).
    public static func swiftFileNames(specFiles: [String]) -> [String] {
        GeneratedFileNames.sources(specs: specFiles)
    }

    /// The spec test file names the specs produce (for `TrellisTestPlugin`), known from their file
    /// names alone.
    public static func testFileNames(specFiles: [String]) -> [String] {
        GeneratedFileNames.tests(specs: specFiles)
    }

    /// What ``generate(_:history:mode:specDirectory:snapshotPath:)`` does about schema changes.
    public enum Mode: Sendable {
        /// Writes no migration: reports schema changes in ``Output/pendingChanges`` (`trellis
        /// check`, the build plugin).
        case verify
        /// Writes the migration from the snapshot to the specs, timestamped `now`, and the new
        /// snapshot. Refuses destructive changes the specs do not confirm unless `allowDestructive`.
        case write(now: Date, allowDestructive: Bool)
    }

    public struct Output: Sendable {
        /// Swift sources, named as ``Generator/swiftFileNames(specFiles:)`` predicts.
        public var swiftFiles: [GeneratedFile]
        /// The spec tests, named as ``Generator/testFileNames(specFiles:)`` predicts.
        public var testFiles: [GeneratedFile]
        /// The files under `generated/` that generation owns, paths relative to it. Migrations
        /// already committed are never rewritten, so only new ones are listed.
        public var committedFiles: [GeneratedFile]
        /// The ids of the migrations this run created (``Mode/write(now:allowDestructive:)``).
        public var newMigrations: [String]
        /// Schema changes the specs make that no committed migration covers (``Mode/verify``).
        public var pendingChanges: [String]
    }

    /// Generates everything from `files`.
    /// - Parameters:
    ///   - history: the committed snapshot and migrations, from `generated/`.
    ///   - specDirectory: how generated headers name the spec folder (`specs/`).
    ///   - snapshotPath: how diagnostics name the snapshot (`generated/schema.json`).
    public func generate(
        _ files: [SpecFile], history: MigrationHistory = MigrationHistory(), mode: Mode = .verify,
        specDirectory: String = "specs/", snapshotPath: String = "generated/schema.json"
    ) throws -> Output {
        let specs = try SpecLoader.load(files.sorted { $0.path < $1.path })
        let resources = Resolver.resolve(specs)
        let schema = SchemaBuilder.schema(of: resources)
        let document = OpenAPIBuilder(resources: resources, options: options).build()

        var swiftFiles: [GeneratedFile] = []
        for resource in resources {
            let base = resource.fileBase
            let context = ResourceContext(resource)
            swiftFiles.append(GeneratedFile(path: "\(base)+Model.swift", contents: try render("model.swift", context)))
            swiftFiles.append(GeneratedFile(path: "\(base)+Queries.swift", contents: try render("queries.swift", context)))
            swiftFiles.append(GeneratedFile(path: "\(base)+Routes.swift", contents: try render("routes.swift", context)))
        }

        let allowDestructive: Bool
        if case .write(_, let allow) = mode { allowDestructive = allow } else { allowDestructive = true }
        let evolution = SchemaEvolution(resources: resources, allowDestructive: allowDestructive, snapshotPath: snapshotPath)
        let plan = SchemaDiffer.plan(from: history.snapshot?.schema ?? Schema(tables: []), to: schema, evolution: evolution)

        var ledger = history.snapshot?.migrations ?? []
        var migrations = history.migrations
        var newMigrations: [MigrationFile] = []
        var pendingChanges: [String] = []
        switch mode {
        case .verify:
            pendingChanges = plan.descriptions
        case .write(let now, _):
            guard plan.refusals.isEmpty else { throw DiagnosticsError(plan.refusals) }
            if !plan.isEmpty {
                let writer = MigrationWriter(templates: templates, specDirectory: specDirectory)
                newMigrations = try writer.files(for: plan, history: history, at: now)
                migrations += newMigrations
                ledger += newMigrations.map { Snapshot.Entry(id: $0.id, sha256: $0.sha256) }
            }
        }

        let apiContext = APIContext(
            specDirectory: Resolver.displayDirectory(specDirectory), resources: resources, schema: schema,
            migrations: migrations, document: document, accountEndpoints: options.accountEndpoints,
            emailVerification: options.emailVerification
        )
        let api = try render("api.swift", apiContext)
        // A project's own api template that predates the project file would leave out the
        // groups' list, and the server would go on serving every account endpoint.
        if apiContext.narrowsAccounts && !api.contains("accountEndpoints") {
            throw TemplateError(
                name: "api.swift",
                message: "the project file leaves account endpoints out, but this template does not declare `accountEndpoints`, "
                    + "so the server would still serve them; copy the `narrowsAccounts` section of the built-in template into it"
            )
        }
        if apiContext.requiresVerifiedEmail && !api.contains("emailVerification") {
            throw TemplateError(
                name: "api.swift",
                message: "the project file requires verified email for writes, but this template does not declare `emailVerification`, "
                    + "so the server would not enforce it; copy the `requiresVerifiedEmail` section of the built-in template into it"
            )
        }
        swiftFiles.append(GeneratedFile(path: "GeneratedAPI.swift", contents: api))
        swiftFiles.append(GeneratedFile(path: "GeneratedAPI+Migrations.swift", contents: try render("migrations.swift", apiContext)))
        swiftFiles.append(GeneratedFile(path: "GeneratedAPI+OpenAPI.swift", contents: try render("openapi.swift", apiContext)))

        let testFiles = try specTests(resources, specDirectory: specDirectory)
        var committed = swiftFiles.map { GeneratedFile(path: "swift/\($0.path)", contents: $0.contents) }
        committed += testFiles.map { GeneratedFile(path: "tests/\($0.path)", contents: $0.contents) }
        committed.append(GeneratedFile(path: "permissions.md", contents: PermissionMatrix.markdown(resources, specDirectory: specDirectory)))
        committed.append(GeneratedFile(path: "openapi.yaml", contents: document.yaml()))
        committed += newMigrations.map { GeneratedFile(path: $0.path, contents: $0.sql) }
        if pendingChanges.isEmpty {
            // With changes pending, the snapshot stays as it is until a migration covers them.
            let snapshot = Snapshot(migrations: ledger, tables: schema.tables, extensions: schema.extensions ?? [])
            committed.append(GeneratedFile(path: "schema.json", contents: try snapshot.json()))
        }
        return Output(
            swiftFiles: swiftFiles, testFiles: testFiles, committedFiles: committed.sorted { $0.path < $1.path },
            newMigrations: newMigrations.map(\.id), pendingChanges: pendingChanges
        )
    }

    /// The spec tests of `files`: one Swift Testing file per spec, plus the file that ties them
    /// to the test target's app (`TrellisTestPlugin`).
    public func specTests(_ files: [SpecFile], specDirectory: String = "specs/") throws -> [GeneratedFile] {
        try specTests(Resolver.resolve(try SpecLoader.load(files.sorted { $0.path < $1.path })), specDirectory: specDirectory)
    }

    func specTests(_ resources: [ResolvedResource], specDirectory: String) throws -> [GeneratedFile] {
        var files = try resources.map { resource in
            let base = resource.fileBase
            return GeneratedFile(path: "\(base)+SpecTests.swift", contents: try render("spec-tests.swift", SpecTestsContext(resource)))
        }
        let harness = SpecHarnessContext(
            specDirectory: Resolver.displayDirectory(specDirectory),
            contracts: resources.map { "." + SpecTestsContext($0).contractName }.joined(separator: ", ")
        )
        files.append(GeneratedFile(path: "GeneratedSpecTests.swift", contents: try render("spec-tests-harness.swift", harness)))
        return files
    }

    private func render(_ template: String, _ context: Any) throws -> String {
        try templates.render(template, context)
    }
}
