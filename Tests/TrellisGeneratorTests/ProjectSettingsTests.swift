import Foundation
import Testing
import TrellisSpec

@testable import TrellisGenerator

/// The project file (`specs/trellis.yaml`): `accounts:` narrows the account endpoints of the
/// document and of the generated API; a mistake in it is reported like a spec's.
@Suite struct ProjectSettingsTests {
    typealias Object = [String: Any]

    static let spec = "resource: Note\nfields:\n  text: { type: text }\n"

    /// A project folder with `specs/notes.yaml`, `specs/trellis.yaml` holding `settings`, and an
    /// empty `generated/`; removed after `body`.
    static func withProject<T>(settings: String, _ body: (Project) throws -> T) throws -> T {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("trellis-settings-\(getpid())-\(UUID().uuidString)")
        let specs = root.appendingPathComponent("specs")
        try FileManager.default.createDirectory(at: specs, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: root.appendingPathComponent("generated"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        try spec.write(to: specs.appendingPathComponent("notes.yaml"), atomically: true, encoding: .utf8)
        try settings.write(to: specs.appendingPathComponent("trellis.yaml"), atomically: true, encoding: .utf8)
        let project = Project(
            specs: specs.path, output: root.appendingPathComponent("generated").path, generator: Generator(templates: try TemplateSet())
        )
        return try body(project)
    }

    /// The OpenAPI document and the generated `GeneratedAPI.swift` of a project whose file is `settings`.
    static func generate(settings: String) throws -> (document: Object, api: String) {
        try withProject(settings: settings) { project in
            _ = try project.generate(now: Date(timeIntervalSince1970: 1_800_000_000))
            #expect(try project.specFiles().map { ($0.path as NSString).lastPathComponent } == ["notes.yaml"])
            let resources = Resolver.resolve(try SpecLoader.load(try project.specFiles()))
            let options = project.generator.applying(try project.settings()).options
            let json = OpenAPIBuilder(resources: resources, options: options).build().json()
            let yaml = try String(contentsOfFile: project.output + "/openapi.yaml", encoding: .utf8)
            #expect(yaml == OpenAPIBuilder(resources: resources, options: options).build().yaml(), "generate writes this document")
            let api = try String(contentsOfFile: project.output + "/swift/GeneratedAPI.swift", encoding: .utf8)
            let document = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? Object)
            return (document, api)
        }
    }

    static func paths(_ document: Object) -> Set<String> {
        Set((document["paths"] as? Object ?? [:]).keys)
    }

    static func schemas(_ document: Object) -> Set<String> {
        Set(((document["components"] as? Object)?["schemas"] as? Object ?? [:]).keys)
    }

    static func tags(_ document: Object) -> [String] {
        (document["tags"] as? [Object] ?? []).compactMap { $0["name"] as? String }
    }

    @Test func accountsFalseLeavesEveryAccountEndpointOut() throws {
        let (document, api) = try Self.generate(settings: "accounts: false\n")
        #expect(Self.paths(document) == ["/health", "/ready", "/openapi.json", "/api/v1/notes", "/api/v1/notes/{id}"])
        for schema in ["TokenPair", "SignupRequest", "Role", "Me", "Member", "Invitation", "ApiKey", "ApiKeyScope"] {
            #expect(!Self.schemas(document).contains(schema), "\(schema)")
        }
        #expect(Self.schemas(document).contains("Note"))
        #expect(Self.tags(document) == ["Note"])
        #expect(api.contains("    public static let accountEndpoints: Set<AccountGroup> = []\n"))
    }

    @Test func aListOfGroupsKeepsOnlyThem() throws {
        let (document, api) = try Self.generate(settings: "# our own sign-in\naccounts: [me, api-keys]\n")
        let accountPaths = Self.paths(document).filter { $0.hasPrefix("/api/v1/") && !$0.hasPrefix("/api/v1/notes") }
        #expect(accountPaths == ["/api/v1/me", "/api/v1/api-keys", "/api/v1/api-keys/{id}"])
        for schema in ["MeResponse", "Role", "User", "ApiKey", "ApiKeyCreate"] {
            #expect(Self.schemas(document).contains(schema), "\(schema)")
        }
        for schema in ["TokenPair", "TokenPairResponse", "SignupRequest", "Member", "MemberList", "Invitation", "InvitationPreview"] {
            #expect(!Self.schemas(document).contains(schema), "\(schema)")
        }
        #expect(Self.tags(document) == ["Account", "API keys", "Note"])
        #expect(api.contains("    public static let accountEndpoints: Set<AccountGroup> = [.me, .apiKeys]\n"))
    }

    /// Every group (`accounts: true`, the default) generates what no project file does: the API
    /// relies on `TrellisAPI`'s default.
    @Test func accountsTrueIsTheDefault() throws {
        let (document, api) = try Self.generate(settings: "accounts: true\n")
        #expect(Self.paths(document).contains("/api/v1/auth/signup"))
        #expect(Self.paths(document).contains("/api/v1/invitations/{token}/accept"))
        #expect(!api.contains("accountEndpoints"))
        #expect(try ProjectSettingsLoader.load([]) == ProjectSettings(accounts: Set(AccountGroup.allCases)))
    }

    @Test func emailVerificationRequiredForWritesReachesTheGeneratedAPI() throws {
        let (_, api) = try Self.generate(settings: "email_verification: required_for_writes\n")
        #expect(api.contains("public static let emailVerification: EmailVerificationRule = .requiredForWrites"))
        let (_, optional) = try Self.generate(settings: "email_verification: optional\n")
        #expect(!optional.contains("emailVerification"), "optional is TrellisAPI's default")
    }

    @Test(arguments: [
        (
            "email_verification: writes\n",
            "trellis.yaml:1:21: error: unknown email_verification 'writes' (fix: expected one of: optional, required_for_writes)"
        ),
        ("accounts: [auth, mee]\n", "trellis.yaml:1:18: error: unknown account group 'mee' (fix: did you mean 'me'?)"),
        ("acounts: false\n", "trellis.yaml:1:1: error: unknown key 'acounts' in the project file (fix: did you mean 'accounts'?)"),
        ("accounts: [me, me]\n", "trellis.yaml:1:16: error: account group 'me' is listed twice (fix: remove one)"),
        (
            "accounts:\n  invitations: true\n",
            "trellis.yaml:2:3: error: expected 'accounts' to be true, false or a list of account groups, found a mapping"
        ),
        ("accounts: [me\n", "trellis.yaml:2:1: error: invalid YAML"),
        ("- accounts\n", "trellis.yaml:1:1: error: expected the project file to be a mapping of keys to values, found a list"),
    ])
    func aBadProjectFileIsReportedWithItsLineAndColumn(contents: String, expected: String) throws {
        try Self.withProject(settings: contents) { project in
            let error = #expect(throws: DiagnosticsError.self) { try project.generate(now: Date()) }
            let first = error?.diagnostics.first?.description ?? ""
            #expect(first.hasPrefix(project.specs + "/" + expected), "\(first)")
            #expect(error?.diagnostics.count == 1, "\(error?.description ?? "")")
            #expect(throws: DiagnosticsError.self) { try project.check() }
        }
    }

    /// A project's own api template that does not declare the account groups cannot narrow them:
    /// the server would still serve every account endpoint the document leaves out.
    @Test func anAPITemplateWithoutTheGroupsCannotNarrowThem() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("trellis-settings-\(getpid())-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let templates = root.appendingPathComponent("templates")
        try FileManager.default.createDirectory(at: templates, withIntermediateDirectories: true)
        try "// An old api template.\n".write(to: templates.appendingPathComponent("api.swift.mustache"), atomically: true, encoding: .utf8)
        let generator = Generator(templates: try TemplateSet(overridesIn: templates.path))
        let narrowed = generator.applying(ProjectSettings(accounts: [.me]))
        let error = #expect(throws: TemplateError.self) {
            _ = try narrowed.generate([SpecFile(path: "specs/notes.yaml", contents: Self.spec)], mode: .verify)
        }
        #expect(error?.description.hasPrefix("templates/api.swift.mustache: error: the project file leaves account endpoints out") == true)
        // Every group (the default) needs no list.
        _ = try generator.generate([SpecFile(path: "specs/notes.yaml", contents: Self.spec)], mode: .verify)
    }

}
