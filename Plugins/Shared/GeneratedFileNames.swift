// One definition of the generated files' names, compiled into the build plugins and the generator
// (a plugin cannot link a library, so each of them links this file: see the symlinks to it). The
// plugins must declare a build command's outputs before any spec is parsed, so names derive from
// spec file names alone.

/// The names of the Swift files Trellis generates from a set of spec files.
enum GeneratedFileNames {
    /// The file name base of a spec: its name without the extension, each `_`, `-`, `.` or space
    /// starting a capitalized word (`project_members.yaml` -> `ProjectMembers`, `APIKeys.yaml` ->
    /// `APIKeys`, `tasks.v2.yaml` -> `TasksV2`).
    static func base(ofSpec path: String) -> String {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        let stem = name.lastIndex(of: ".").map { String(name[..<$0]) } ?? name
        return stem.split(whereSeparator: { "_-. ".contains($0) })
            .map { $0.prefix(1).uppercased() + $0.dropFirst() }
            .joined()
    }

    /// The sources of an API target (`TrellisBuildPlugin`): model, queries and routes per spec,
    /// then the files of the whole API.
    static func sources(specs: [String]) -> [String] {
        specs.map(base(ofSpec:)).sorted().flatMap { base in
            ["\(base)+Model.swift", "\(base)+Queries.swift", "\(base)+Routes.swift"]
        } + ["GeneratedAPI.swift", "GeneratedAPI+Migrations.swift", "GeneratedAPI+OpenAPI.swift"]
    }

    /// The spec tests of a test target (`TrellisTestPlugin`): one file per spec, then the harness.
    static func tests(specs: [String]) -> [String] {
        specs.map(base(ofSpec:)).sorted().map { "\($0)+SpecTests.swift" } + ["GeneratedSpecTests.swift"]
    }
}
