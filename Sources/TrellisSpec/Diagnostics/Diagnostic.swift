/// One problem found in the specs: where, what was expected, and how to fix it.
public struct Diagnostic: Hashable, Sendable, CustomStringConvertible, Error {
    public enum Severity: String, Sendable {
        case error
        case warning
    }

    public var severity: Severity
    public var location: SourceLocation
    public var message: String
    /// A concrete suggestion ("did you mean 'max_length'?", "add `to: Project`").
    public var fix: String?

    public init(_ severity: Severity = .error, at location: SourceLocation, _ message: String, fix: String? = nil) {
        self.severity = severity
        self.location = location
        self.message = message
        self.fix = fix
    }

    /// Compiler-style text: `specs/tasks.yaml:4:11: error: message; fix: ...`.
    /// Xcode, SwiftPM and most editors turn this shape into a clickable diagnostic.
    public var description: String {
        var text = "\(location): \(severity.rawValue): \(message)"
        if let fix { text += " (fix: \(fix))" }
        return text
    }
}

/// All the problems of a run, reported together.
public struct DiagnosticsError: Error, CustomStringConvertible, Sendable {
    public var diagnostics: [Diagnostic]

    public init(_ diagnostics: [Diagnostic]) {
        self.diagnostics = diagnostics.sorted { $0.location < $1.location }
    }

    public var description: String {
        let errors = diagnostics.filter { $0.severity == .error }.count
        let lines = diagnostics.map(\.description)
        return (lines + ["\(errors) error\(errors == 1 ? "" : "s") in the specs"]).joined(separator: "\n")
    }
}
