/// A spec file's path (as it should appear in diagnostics) and its text.
public struct SpecFile: Hashable, Sendable {
    public var path: String
    public var contents: String

    public init(path: String, contents: String) {
        self.path = path
        self.contents = contents
    }
}

/// Entry point of TrellisSpec: parses and validates a set of spec files.
public enum SpecLoader {
    /// Parses and validates every file, reporting all problems of all files at once.
    ///
    /// - Returns: the resources, in the order of `files` (sort them by path for stable output).
    /// - Throws: ``DiagnosticsError`` with every error found; warnings alone do not throw.
    public static func load(_ files: [SpecFile]) throws(DiagnosticsError) -> [ResourceSpec] {
        let (specs, diagnostics) = check(files)
        if diagnostics.contains(where: { $0.severity == .error }) { throw DiagnosticsError(diagnostics) }
        return specs
    }

    /// Parses and validates, returning whatever could be read together with every diagnostic.
    public static func check(_ files: [SpecFile]) -> (specs: [ResourceSpec], diagnostics: [Diagnostic]) {
        var specs: [ResourceSpec] = []
        var diagnostics: [Diagnostic] = []
        for file in files {
            var parser = SpecParser(file: file.path)
            if let spec = parser.parse(file.contents) { specs.append(spec) }
            diagnostics += parser.diagnostics
        }
        var validator = SpecValidator()
        validator.validate(specs)
        diagnostics += validator.diagnostics
        return (specs, diagnostics.sorted { $0.location < $1.location })
    }
}
