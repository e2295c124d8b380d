// One definition of which files of a spec folder are specs, compiled into the build plugins and the
// generator (a plugin cannot link a library, so each of them links this file: see the symlinks to
// it). The plugins must pass the project file to the tool as what it is, not as a spec, and list it
// among a build command's inputs so that editing it reruns the generator.

/// The `*.yaml` files of a spec folder: one resource spec each, but the project file.
enum ProjectFiles {
    /// The project file's names (`specs/trellis.yaml`): settings of the whole project, such as
    /// which built-in account endpoints it serves.
    static let settingsNames: Set<String> = ["trellis.yaml", "trellis.yml"]

    /// Whether `path` names the project file.
    static func isSettings(_ path: String) -> Bool {
        settingsNames.contains(name(path))
    }

    /// Whether `path` names a resource spec: a `*.yaml` or `*.yml` file but the project file.
    static func isSpec(_ path: String) -> Bool {
        (path.hasSuffix(".yaml") || path.hasSuffix(".yml")) && !isSettings(path)
    }

    private static func name(_ path: String) -> String {
        path.split(separator: "/").last.map(String.init) ?? path
    }
}
