import Foundation
import PackagePlugin

/// Generates the Swift of a target from the `*.yaml` specs in its own source folder, and the
/// project file there (`trellis.yaml`) if any.
///
/// The specs live in the target's folder (next to at least one `.swift` file) so that adding or
/// removing a spec changes the target's file list and SwiftPM re-plans the build. That folder's
/// parent is the project: its `generated/` holds the committed migrations and schema snapshot, its
/// `templates/` any template overrides. Output names derive from spec file names alone, so they are
/// known before any spec is parsed.
@main
struct TrellisBuildPlugin: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) async throws -> [Command] {
        guard let module = target.sourceModule else { return [] }
        let files = module.sourceFiles.map(\.url).sorted { $0.path < $1.path }
        let specs = files.filter { ProjectFiles.isSpec($0.path) }
        guard !specs.isEmpty else { return [] }
        // The project file (`trellis.yaml`, beside the specs, as the CLI reads it) is an input too,
        // so that editing it reruns the tool.
        let folder = module.directoryURL.standardizedFileURL.path
        let settings = files.filter {
            ProjectFiles.isSettings($0.path) && $0.deletingLastPathComponent().standardizedFileURL.path == folder
        }

        // A project is a folder holding specs/ (this target), generated/ and templates/.
        let project = module.directoryURL.deletingLastPathComponent()
        let output = context.pluginWorkDirectoryURL.appending(path: "GeneratedSources")
        let templates = project.appending(path: "templates")
        let templateFiles = ((try? FileManager.default.contentsOfDirectory(at: templates, includingPropertiesForKeys: nil)) ?? [])
            .filter { $0.pathExtension == "mustache" }

        // The committed migrations are compiled in; the snapshot says whether they cover the specs.
        // Inputs are the snapshot (every `trellis generate` rewrites it) and the migrations folder
        // (adding a file changes it), not the files one by one: this list is only re-planned when
        // the target's own files change, so a file listed here and later removed would break builds.
        let generated = project.appending(path: "generated")
        let history = [generated.appending(path: "schema.json"), generated.appending(path: "migrations")]
            .filter { FileManager.default.fileExists(atPath: $0.path) }

        var arguments = ["generate-sources", "--output", output.path, "--generated", generated.path]
        if !templateFiles.isEmpty { arguments += ["--templates", templates.path] }
        arguments += settings.flatMap { ["--settings", $0.path] }
        arguments += specs.map(\.path)

        return [
            .buildCommand(
                displayName: "Generating Trellis sources for \(target.name) from \(specs.count) spec(s)",
                executable: try context.tool(named: "TrellisCLI").url,
                arguments: arguments,
                inputFiles: specs + settings + templateFiles + history,
                outputFiles: GeneratedFileNames.sources(specs: specs.map(\.path)).map { output.appending(path: $0) }
            )
        ]
    }
}
