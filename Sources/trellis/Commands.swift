import ArgumentParser
import Foundation
import TrellisGenerator
import TrellisSpec

struct Generate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write generated/ (OpenAPI document, migrations, schema snapshot, Swift mirror) from the specs."
    )

    @OptionGroup var project: ProjectOptions

    func run() throws {
        do {
            let output = try project.generator().generate(try project.specFiles(), specDirectory: project.specs + "/")
            let directory = ArtifactDirectory(root: project.output, ownedFolders: ["swift", "migrations"])
            let touched = try directory.write(output.committedFiles)
            print(touched.isEmpty ? "\(project.output)/ is up to date" : touched.map { "wrote \($0)" }.joined(separator: "\n"))
        } catch let error as DiagnosticsError {
            throw failWithDiagnostics(error)
        }
    }
}

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Exit non-zero, naming each file, when generated/ differs from what the specs produce."
    )

    @OptionGroup var project: ProjectOptions

    func run() throws {
        do {
            let output = try project.generator().generate(try project.specFiles(), specDirectory: project.specs + "/")
            let directory = ArtifactDirectory(root: project.output, ownedFolders: ["swift", "migrations"])
            let differences = directory.differences(from: output.committedFiles)
            guard differences.isEmpty else {
                var message = "\(project.output)/ is out of date with the specs:\n"
                message += differences.map { "  \($0)" }.joined(separator: "\n")
                message += "\nRun `make generate` and commit the result.\n"
                FileHandle.standardError.write(Data(message.utf8))
                throw ExitCode(1)
            }
            print("\(project.output)/ matches the specs (\(output.committedFiles.count) files)")
        } catch let error as DiagnosticsError {
            throw failWithDiagnostics(error)
        }
    }
}

struct Lint: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Check the specs and print every problem with file:line:column.")

    @OptionGroup var project: ProjectOptions

    func run() throws {
        let (specs, diagnostics) = SpecLoader.check(try project.specFiles())
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

    @Argument(help: "The spec files.")
    var specs: [String]

    func run() throws {
        do {
            let generator = Generator(templates: try TemplateSet(overridesIn: templates))
            let result = try generator.generate(try SpecFiles.read(paths: specs))
            try ArtifactDirectory(root: output, ownedFolders: [""]).write(result.swiftFiles)
        } catch let error as DiagnosticsError {
            throw failWithDiagnostics(error)
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
