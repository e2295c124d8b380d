import Foundation
import PackagePlugin

/// Generates a test target's spec tests: one Swift Testing file per spec of the Trellis API the
/// target depends on (the target built by `TrellisBuildPlugin` from a folder of `*.yaml` specs).
///
/// The test target itself holds one hand-written file: a type `AppUnderTest` conforming to
/// `SpecTestApp`, which builds the app's API with its hooks. Output names derive from spec file
/// names alone, as in `TrellisBuildPlugin`.
@main
struct TrellisTestPlugin: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) async throws -> [Command] {
        let candidates = target.recursiveTargetDependencies.compactMap { dependency -> (SourceModuleTarget, [URL])? in
            guard let module = dependency.sourceModule else { return nil }
            let specs = module.sourceFiles.map(\.url).filter { ProjectFiles.isSpec($0.path) }
            return specs.isEmpty ? nil : (module, specs.sorted { $0.path < $1.path })
        }
        guard let (module, specs) = candidates.first else {
            Diagnostics.error(
                "\(target.name) uses TrellisTestPlugin but depends on no target with specs: "
                    + "add the target whose folder holds the *.yaml specs (the one built with TrellisBuildPlugin) to its dependencies"
            )
            return []
        }
        guard candidates.count == 1 else {
            Diagnostics.error(
                "\(target.name) depends on several targets with specs (\(candidates.map(\.0.name).joined(separator: ", "))): "
                    + "generated spec tests cover one API; give each its own test target"
            )
            return []
        }

        let output = context.pluginWorkDirectoryURL.appending(path: "GeneratedTests")
        let templates = module.directoryURL.deletingLastPathComponent().appending(path: "templates")
        let templateFiles = ((try? FileManager.default.contentsOfDirectory(at: templates, includingPropertiesForKeys: nil)) ?? [])
            .filter { $0.pathExtension == "mustache" }

        var arguments = ["generate-tests", "--output", output.path]
        if !templateFiles.isEmpty { arguments += ["--templates", templates.path] }
        arguments += specs.map(\.path)

        return [
            .buildCommand(
                displayName: "Generating Trellis spec tests for \(target.name) from \(specs.count) spec(s) of \(module.name)",
                executable: try context.tool(named: "TrellisCLI").url,
                arguments: arguments,
                inputFiles: specs + templateFiles,
                outputFiles: GeneratedFileNames.tests(specs: specs.map(\.path)).map { output.appending(path: $0) }
            )
        ]
    }
}
