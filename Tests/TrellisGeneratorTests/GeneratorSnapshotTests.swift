import Foundation
import Testing
import TrellisGenerator
import TrellisSpec

/// Snapshot tests: the kitchen sink (`Tests/KitchenSink`, every spec feature) is a Trellis project
/// whose `generated/` folder is the expected output of its specs: everything `trellis generate`
/// writes, and the Swift its targets compile. Re-record with `make generate`, then review the diff.
@Suite struct GeneratorSnapshotTests {
    static let kitchenSink = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("KitchenSink")

    @Test func kitchenSinkOutputMatchesItsGeneratedFolder() throws {
        let project = Project(
            specs: Self.kitchenSink.appendingPathComponent("specs").path,
            output: Self.kitchenSink.appendingPathComponent("generated").path,
            generator: Generator(templates: try TemplateSet())
        )
        let problems = try project.check()
        #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))\nre-record with `make generate` if intended")
    }

    @Test func swiftFileNamesArePredictableFromSpecFileNames() throws {
        let specs = [
            SpecFile(path: "specs/project_members.yaml", contents: "resource: ProjectMember\nfields:\n  note: { type: text }\n")
        ]
        let output = try Generator(templates: TemplateSet()).generate(specs)
        #expect(output.swiftFiles.map(\.path) == Generator.swiftFileNames(specFiles: ["specs/project_members.yaml"]))
        #expect(output.swiftFiles.first?.path == "ProjectMembers+Model.swift")
        #expect(output.testFiles.map(\.path) == Generator.testFileNames(specFiles: ["specs/project_members.yaml"]))
        #expect(output.testFiles.first?.path == "ProjectMembers+SpecTests.swift")
    }

    /// The plugins declare their outputs with the same function, so the names must hold for any
    /// spelling of a spec file name, not only snake_case.
    @Test(arguments: [
        ("APIKeys.yaml", "APIKeys"), ("project-members.yml", "ProjectMembers"), ("tasks.v2.yaml", "TasksV2"),
    ])
    func fileNamesFollowTheSpecFileName(file: String, base: String) throws {
        let specs = [SpecFile(path: "specs/\(file)", contents: "resource: AccessKey\nfields:\n  note: { type: text }\n")]
        let output = try Generator(templates: TemplateSet()).generate(specs)
        #expect(output.swiftFiles.map(\.path) == Generator.swiftFileNames(specFiles: ["specs/\(file)"]))
        #expect(output.swiftFiles.first?.path == "\(base)+Model.swift")
        #expect(output.testFiles.map(\.path) == Generator.testFileNames(specFiles: ["specs/\(file)"]))
    }

    @Test func invalidSpecsThrowEveryDiagnostic() throws {
        let specs = [SpecFile(path: "specs/a.yaml", contents: "resource: Widget\nfields:\n  b: { type: strin }\n  c: { type: ref, to: Nope }\n")]
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
}
