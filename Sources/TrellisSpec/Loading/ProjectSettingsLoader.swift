import Yams

/// Reads the project file (`specs/trellis.yaml`), reporting problems as `file:line:column` the
/// way specs do. A project without one has the default ``ProjectSettings``.
public enum ProjectSettingsLoader {
    /// The settings of `files`: none (the defaults) or one project file.
    ///
    /// - Throws: ``DiagnosticsError`` with every error found.
    public static func load(_ files: [SpecFile]) throws(DiagnosticsError) -> ProjectSettings {
        let (settings, diagnostics) = check(files)
        if diagnostics.contains(where: { $0.severity == .error }) { throw DiagnosticsError(diagnostics) }
        return settings
    }

    /// The settings that could be read, with every diagnostic.
    public static func check(_ files: [SpecFile]) -> (settings: ProjectSettings, diagnostics: [Diagnostic]) {
        let files = files.sorted { $0.path < $1.path }
        guard let file = files.first else { return (ProjectSettings(), []) }
        var parser = ProjectSettingsParser(file: file.path)
        let settings = parser.parse(file.contents)
        var diagnostics = parser.diagnostics
        for extra in files.dropFirst() {
            diagnostics.append(
                Diagnostic(at: SourceLocation(file: extra.path, line: 1, column: 1), "a second project file", fix: "keep only \(file.path)")
            )
        }
        return (settings, diagnostics.sorted { $0.location < $1.location })
    }
}

/// Parses one project file.
struct ProjectSettingsParser {
    static let keys = ["accounts", "email_verification"]

    private var reader: NodeReader

    init(file: String) {
        reader = NodeReader(file: file)
    }

    var diagnostics: [Diagnostic] { reader.diagnostics }

    /// The settings `yaml` gives; the defaults for an empty file and for whatever is wrong.
    mutating func parse(_ yaml: String) -> ProjectSettings {
        var settings = ProjectSettings()
        guard case .document(let root) = reader.compose(yaml),
            let entries = reader.entries(root, of: "the project file", allowed: Self.keys)
        else { return settings }
        for entry in entries {
            switch entry.key {
            case "accounts": settings.accounts = accounts(entry.value) ?? settings.accounts
            case "email_verification":
                settings.emailVerification = reader.choice(entry.value, for: "email_verification", as: EmailVerificationRule.self) ?? settings.emailVerification
            default: break
            }
        }
        return settings
    }

    /// `true`, `false`, or a list of groups.
    private mutating func accounts(_ node: Node) -> Set<AccountGroup>? {
        let names = AccountGroup.allCases.map(\.rawValue)
        if case .sequence(let items) = node {
            var groups: Set<AccountGroup> = []
            for item in items {
                guard let group = reader.choice(item, for: "account group", as: AccountGroup.self) else { continue }
                if !groups.insert(group).inserted {
                    reader.error(item, "account group '\(group.rawValue)' is listed twice", fix: "remove one")
                }
            }
            return groups
        }
        guard case .scalar(let scalar) = node, let all = Bool.construct(from: scalar) else {
            reader.error(
                node, "expected 'accounts' to be true, false or a list of account groups, found \(reader.describe(node))",
                fix: "write accounts: true, accounts: false or a list like accounts: [\(names.joined(separator: ", "))]"
            )
            return nil
        }
        return all ? Set(AccountGroup.allCases) : []
    }
}
