import ArgumentParser
import Foundation
import TrellisGenerator
import TrellisSpec

/// Where a project keeps its specs, templates and committed artifacts.
struct ProjectOptions: ParsableArguments {
    @Option(help: "The folder of resource specs (*.yaml).")
    var specs = "specs"

    @Option(help: "The folder of template overrides (*.mustache).")
    var templates = "templates"

    @Option(help: "The folder of committed artifacts.")
    var output = "generated"

    @Option(help: "The title of the OpenAPI document.")
    var title = "Trellis API"

    @Option(help: "The version of the OpenAPI document.")
    var apiVersion = "1.0.0"

    /// Every `*.yaml` / `*.yml` file of the spec folder, sorted by path.
    func specFiles() throws -> [SpecFile] {
        try SpecFiles.read(directory: specs)
    }

    func generator() throws -> Generator {
        Generator(templates: try TemplateSet(overridesIn: templates), options: GeneratorOptions(title: title, version: apiVersion))
    }
}

enum SpecFiles {
    static func read(directory: String) throws -> [SpecFile] {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory)
        return try names.filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted().map { name in
            let path = directory.hasSuffix("/") ? directory + name : "\(directory)/\(name)"
            return SpecFile(path: path, contents: try String(contentsOfFile: path, encoding: .utf8))
        }
    }

    static func read(paths: [String]) throws -> [SpecFile] {
        try paths.sorted().map { SpecFile(path: $0, contents: try String(contentsOfFile: $0, encoding: .utf8)) }
    }
}

/// Prints spec diagnostics the way compilers do and exits non-zero.
func failWithDiagnostics(_ error: DiagnosticsError) -> ExitCode {
    FileHandle.standardError.write(Data((error.description + "\n").utf8))
    return ExitCode(1)
}
