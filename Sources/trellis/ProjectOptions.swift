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

    func generator() throws -> Generator {
        Generator(templates: try TemplateSet(overridesIn: templates), options: GeneratorOptions(title: title, version: apiVersion))
    }

    func project() throws -> Project {
        Project(specs: specs, output: output, generator: try generator())
    }
}

/// Runs `body`; spec diagnostics and problems with `generated/` are printed the way compilers
/// print errors (not as a crash report), and the command exits non-zero.
func reportingFailures(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let error as DiagnosticsError {
        throw fail(error.description)
    } catch let error as ProjectError {
        throw fail(error.description)
    } catch let error as HistoryError {
        throw fail(error.description)
    }
}

func fail(_ message: String) -> ExitCode {
    FileHandle.standardError.write(Data((message + "\n").utf8))
    return ExitCode(1)
}
