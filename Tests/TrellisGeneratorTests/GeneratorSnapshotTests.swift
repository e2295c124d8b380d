import Foundation
import Testing
import TrellisGenerator
import TrellisSpec

/// Snapshot tests: `Fixtures/<case>/specs/*.yaml` -> `Fixtures/<case>/expected/` (everything
/// `trellis generate` writes). Re-record with `TRELLIS_RECORD=1 swift test --filter GeneratorSnapshotTests`.
@Suite struct GeneratorSnapshotTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    @Test(arguments: ["kitchen-sink"])
    func generatedOutputMatchesSnapshot(_ name: String) throws {
        let root = Self.fixtures.appendingPathComponent(name)
        let specFolder = root.appendingPathComponent("specs")
        let specs = try FileManager.default.contentsOfDirectory(atPath: specFolder.path).filter { $0.hasSuffix(".yaml") }.sorted()
            .map { SpecFile(path: "specs/\($0)", contents: try String(contentsOf: specFolder.appendingPathComponent($0), encoding: .utf8)) }
        let output = try Generator(templates: TemplateSet()).generate(specs, mode: .write(now: MigrationSnapshotTests.now, allowDestructive: false))

        let expected = root.appendingPathComponent("expected")
        if ProcessInfo.processInfo.environment["TRELLIS_RECORD"] == "1" {
            try? FileManager.default.removeItem(at: expected)
            for file in output.committedFiles {
                let url = expected.appendingPathComponent(file.path)
                try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try file.contents.write(to: url, atomically: true, encoding: .utf8)
            }
            return
        }
        for file in output.committedFiles {
            let url = expected.appendingPathComponent(file.path)
            let recorded = try? String(contentsOf: url, encoding: .utf8)
            #expect(recorded == file.contents, "\(name)/\(file.path) differs from its snapshot; re-record with TRELLIS_RECORD=1 if intended")
        }
        let recordedPaths = try Self.files(under: expected)
        #expect(recordedPaths == output.committedFiles.map(\.path).sorted())
    }

    @Test func swiftFileNamesArePredictableFromSpecFileNames() throws {
        let specs = [
            SpecFile(path: "specs/project_members.yaml", contents: "resource: ProjectMember\nfields:\n  note: { type: text }\n")
        ]
        let output = try Generator(templates: TemplateSet()).generate(specs)
        #expect(output.swiftFiles.map(\.path) == Generator.swiftFileNames(specFiles: ["specs/project_members.yaml"]))
        #expect(output.swiftFiles.first?.path == "ProjectMembers+Model.swift")
    }

    @Test func invalidSpecsThrowEveryDiagnostic() throws {
        let specs = [SpecFile(path: "specs/a.yaml", contents: "resource: A\nfields:\n  b: { type: strin }\n  c: { type: ref, to: Nope }\n")]
        #expect(throws: DiagnosticsError.self) { try Generator(templates: TemplateSet()).generate(specs) }
        do {
            _ = try Generator(templates: TemplateSet()).generate(specs)
        } catch let error as DiagnosticsError {
            #expect(error.diagnostics.count == 2)
        }
    }

    @Test func templateOverridesReplaceBuiltinsByName() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("trellis-templates-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try "{{% CONTENT_TYPE: TEXT }}\n// custom routes for {{typeName}}\n".write(
            to: folder.appendingPathComponent("routes.swift.mustache"), atomically: true, encoding: .utf8
        )
        let specs = [SpecFile(path: "specs/notes.yaml", contents: "resource: Note\nfields:\n  text: { type: text }\n")]
        let output = try Generator(templates: TemplateSet(overridesIn: folder.path)).generate(specs)
        #expect(output.swiftFiles.first { $0.path == "Notes+Routes.swift" }?.contents == "// custom routes for Note\n")
    }

    private static func files(under root: URL) throws -> [String] {
        guard let enumerator = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey]) else { return [] }
        var paths: [String] = []
        let prefix = root.standardizedFileURL.path + "/"
        for case let url as URL in enumerator where (try url.resourceValues(forKeys: [.isRegularFileKey])).isRegularFile == true {
            paths.append(String(url.standardizedFileURL.path.dropFirst(prefix.count)))
        }
        return paths.sorted()
    }
}
