import Foundation
import TrellisSpec

/// A project's folders (specs in, `generated/` out) and the two things done with them:
/// `trellis generate` and `trellis check`.
public struct Project: Sendable {
    /// The folder of `*.yaml` specs.
    public var specs: String
    /// The folder of committed artifacts (`generated`).
    public var output: String
    public var generator: Generator

    public init(specs: String, output: String, generator: Generator) {
        self.specs = specs
        self.output = output
        self.generator = generator
    }

    private var artifacts: ArtifactDirectory {
        // Migrations are never removed or rewritten: only new ones are added.
        ArtifactDirectory(root: output, ownedFolders: ["swift", "tests"])
    }

    /// Every `*.yaml` / `*.yml` file of the spec folder but the project file, sorted by path.
    public func specFiles() throws -> [SpecFile] {
        try SpecFiles.read(directory: specs)
    }

    /// The project file of the spec folder (`trellis.yaml`), read; the defaults without one.
    ///
    /// - Throws: ``DiagnosticsError`` for a bad project file.
    public func settings() throws -> ProjectSettings {
        try ProjectSettingsLoader.load(try SpecFiles.readSettings(directory: specs))
    }

    /// The generator, with what the project file sets.
    private func configuredGenerator() throws -> Generator {
        generator.applying(try settings())
    }

    public func history() throws -> MigrationHistory {
        try MigrationHistory.read(from: output)
    }

    /// Writes `generated/`: the migration the spec changes need (if any), the snapshot, the
    /// OpenAPI document and the Swift mirror.
    ///
    /// - Returns: the paths written or removed, and the ids of new migrations.
    /// - Throws: ``DiagnosticsError`` for bad specs and unconfirmed destructive changes;
    ///   ``ProjectError/history(_:)`` when committed migrations were edited, lost or added by hand.
    public func generate(now: Date, allowDestructive: Bool = false) throws -> (touched: [String], newMigrations: [String]) {
        let history = try history()
        let problems = history.problems(directory: output)
        guard problems.isEmpty else { throw ProjectError.history(problems) }
        let result = try configuredGenerator().generate(
            try specFiles(), history: history, mode: .write(now: now, allowDestructive: allowDestructive),
            specDirectory: specs + "/", snapshotPath: "\(output)/schema.json"
        )
        return (try artifacts.write(result.committedFiles), result.newMigrations)
    }

    /// What is wrong with `generated/`, each with what to run to fix it; empty when it is current.
    ///
    /// - Throws: ``DiagnosticsError`` for bad specs.
    public func check() throws -> [String] {
        let history = try history()
        var problems = history.problems(directory: output)
        let result = try configuredGenerator().generate(
            try specFiles(), history: history, specDirectory: specs + "/", snapshotPath: "\(output)/schema.json"
        )
        if !result.pendingChanges.isEmpty {
            problems.append(
                "the specs change the schema, but no migration in \(output)/migrations/ does it yet:\n"
                    + result.pendingChanges.map { "    - \($0)" }.joined(separator: "\n")
                    + "\n  run `make generate` to write the migration, and commit \(output)/"
            )
        }
        let stale = artifacts.differences(from: result.committedFiles)
        if !stale.isEmpty {
            problems.append(
                "\(output)/ is out of date with the specs:\n" + stale.map { "    \($0)" }.joined(separator: "\n")
                    + "\n  run `make generate` and commit the result"
            )
        }
        return problems
    }
}

/// Problems with the committed artifacts themselves.
public enum ProjectError: Error, CustomStringConvertible {
    case history([String])

    public var description: String {
        switch self {
        case .history(let problems): problems.joined(separator: "\n")
        }
    }
}

/// Reads spec files and the project file, told apart as the build plugins tell them apart
/// (``ProjectFiles``).
public enum SpecFiles {
    /// The specs of `directory`, sorted by path.
    public static func read(directory: String) throws -> [SpecFile] {
        try read(directory: directory, where: ProjectFiles.isSpec)
    }

    /// The project file of `directory`: none, or one (two when both spellings are there, an error
    /// ``ProjectSettingsLoader`` reports).
    public static func readSettings(directory: String) throws -> [SpecFile] {
        try read(directory: directory, where: ProjectFiles.isSettings)
    }

    public static func read(paths: [String]) throws -> [SpecFile] {
        try paths.sorted().map { SpecFile(path: $0, contents: try String(contentsOfFile: $0, encoding: .utf8)) }
    }

    private static func read(directory: String, where include: (String) -> Bool) throws -> [SpecFile] {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory)
        return try names.filter(include).sorted().map { name in
            let path = directory.hasSuffix("/") ? directory + name : "\(directory)/\(name)"
            return SpecFile(path: path, contents: try String(contentsOfFile: path, encoding: .utf8))
        }
    }
}
