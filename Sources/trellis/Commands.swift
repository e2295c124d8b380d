import ArgumentParser
import Foundation
import TrellisGenerator
import TrellisSpec

struct Generate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write generated/: the migration for what the specs changed, the schema snapshot, the OpenAPI document, the Swift mirror."
    )

    @OptionGroup var project: ProjectOptions

    @Flag(help: "Confirm every destructive change (dropped tables and columns, narrowed types, removed enum values).")
    var allowDestructive = false

    func run() throws {
        try reportingFailures {
            let result = try project.project().generate(now: Date(), allowDestructive: allowDestructive)
            for id in result.newMigrations { print("new migration \(project.output)/migrations/\(id).sql") }
            print(result.touched.isEmpty ? "\(project.output)/ is up to date" : result.touched.map { "wrote \($0)" }.joined(separator: "\n"))
        }
    }
}

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Exit non-zero, saying what to run, when a migration is missing or edited, or generated/ is stale."
    )

    @OptionGroup var project: ProjectOptions

    func run() throws {
        try reportingFailures {
            let problems = try project.project().check()
            guard problems.isEmpty else { throw fail(problems.map { "error: \($0)" }.joined(separator: "\n")) }
            print("\(project.output)/ matches the specs")
        }
    }
}

struct Lint: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Check the specs and print every problem with file:line:column.")

    @OptionGroup var project: ProjectOptions

    func run() throws {
        let (specs, specDiagnostics) = SpecLoader.check(try SpecFiles.read(directory: project.specs))
        let (_, settingsDiagnostics) = ProjectSettingsLoader.check(try SpecFiles.readSettings(directory: project.specs))
        let diagnostics = (settingsDiagnostics + specDiagnostics).sorted { $0.location < $1.location }
        for diagnostic in diagnostics { print(diagnostic) }
        if diagnostics.contains(where: { $0.severity == .error }) {
            throw ExitCode(1)
        }
        print("\(specs.count) spec\(specs.count == 1 ? "" : "s") OK")
    }
}

/// The build plugin's entry point: writes the Swift sources into the plugin's work folder.
struct GenerateSources: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate-sources", abstract: "Write the Swift sources for the build plugin.", shouldDisplay: false
    )

    @Option(help: "The folder to write the Swift sources into.")
    var output: String

    @Option(help: "The folder of template overrides.")
    var templates: String?

    @Option(help: "The folder of committed artifacts: the migrations and the schema snapshot.")
    var generated: String

    @Option(help: "The project file (trellis.yaml), if the project has one.")
    var settings: [String] = []

    @Argument(help: "The spec files.")
    var specs: [String]

    func run() throws {
        try reportingFailures {
            let projectSettings = try ProjectSettingsLoader.load(try SpecFiles.read(paths: settings))
            let generator = Generator(templates: try TemplateSet(overridesIn: templates)).applying(projectSettings)
            let history = try MigrationHistory.read(from: generated)
            let result = try generator.generate(try SpecFiles.read(paths: specs), history: history, snapshotPath: "\(generated)/schema.json")
            guard result.pendingChanges.isEmpty else {
                let changes = result.pendingChanges.map { "    - \($0)" }.joined(separator: "\n")
                throw fail(
                    "\(generated)/schema.json:1:1: error: the specs change the schema, but no migration does it yet:\n\(changes)\n"
                        + "  run `make generate` (or `swift package --allow-writing-to-package-directory trellis generate`) "
                        + "to write the migration, then build again"
                )
            }
            try ArtifactDirectory(root: output, ownedFolders: [""]).write(result.swiftFiles)
        }
    }
}

/// The test plugin's entry point: writes the spec tests into the plugin's work folder.
struct GenerateTests: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate-tests", abstract: "Write the spec tests for the test plugin.", shouldDisplay: false
    )

    @Option(help: "The folder to write the tests into.")
    var output: String

    @Option(help: "The folder of template overrides.")
    var templates: String?

    @Argument(help: "The spec files.")
    var specs: [String]

    func run() throws {
        try reportingFailures {
            let generator = Generator(templates: try TemplateSet(overridesIn: templates))
            let files = try generator.specTests(try SpecFiles.read(paths: specs))
            try ArtifactDirectory(root: output, ownedFolders: [""]).write(files)
        }
    }
}

/// Regenerates the generator's built-in templates from Trellis's own templates/ folder.
struct EmbedTemplates: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embed-templates", abstract: "Embed templates/*.mustache into the generator (Trellis development).",
        shouldDisplay: false
    )

    @Option var templates = "templates"
    @Option var output = "Sources/TrellisGenerator/Templates/BuiltinTemplates.swift"
    @Flag(help: "Only check that the output is current.") var check = false

    func run() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: templates).filter { $0.hasSuffix(".mustache") }
        var texts: [String: String] = [:]
        for name in names {
            texts[String(name.dropLast(".mustache".count))] = try String(contentsOfFile: "\(templates)/\(name)", encoding: .utf8)
        }
        let source = Data(TemplateEmbedder.source(for: texts).utf8)
        let current = FileManager.default.contents(atPath: output)
        if check {
            guard current == source else {
                FileHandle.standardError.write(Data("stale: \(output)\nRun `make generate` and commit the result.\n".utf8))
                throw ExitCode(1)
            }
            return
        }
        if current != source {
            try source.write(to: URL(fileURLWithPath: output), options: .atomic)
            print("wrote \(output)")
        }
    }
}
